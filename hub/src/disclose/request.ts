/**
 * What `logmaster-hub disclose` and `POST /api/disclose` take and answer:
 * the hotel, the case reference and the question (a lookup or a search,
 * times as written), and the pack's summary.
 */
import { z } from "zod";

/** The API's header that carries the pack's summary (the body is the archive). */
export const DISCLOSURE_SUMMARY_HEADER = "x-logmaster-disclosure";

/** The most lines one pack discloses: a search beyond it is refused, to be narrowed. */
export const DISCLOSE_MAX_LINES = 10_000;

const time = z.string().min(1);

/** What was asked, as given (times as written, with their zone): one lookup or a search. */
export const discloseQuerySchema = z.discriminatedUnion("kind", [
  z
    .strictObject({ kind: z.literal("ip"), ip: z.string().min(1), at: time })
    .describe("who had the address `ip` at `at` (lookup ip)"),
  z
    .strictObject({ kind: z.literal("mac"), mac: z.string().min(1), from: time, to: time })
    .describe("every address and hotspot session of `mac` from `from` to `to` (lookup mac)"),
  z
    .strictObject({ kind: z.literal("nat"), address: z.string().min(1), at: time })
    .describe("the connection behind the public `address` (IP:PORT) at `at` (lookup nat)"),
  z
    .strictObject({
      kind: z.literal("search"),
      from: time,
      to: time,
      ip: z.string().optional(),
      mac: z.string().optional(),
      text: z.string().optional(),
      port: z.string().optional(),
      user: z.string().optional(),
      host: z.string().optional(),
      nat: z.string().optional(),
    })
    .describe(`the lines a search finds (at most ${DISCLOSE_MAX_LINES})`),
]);
export type DiscloseQuery = z.infer<typeof discloseQuerySchema>;

/** `POST /api/disclose` and `logmaster-hub disclose`. */
export const discloseRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel must name a hotel (id or name)"),
  case: z
    .string()
    .trim()
    .min(1, "--case must give the case reference (the court's or prosecutor's file number)")
    .max(200, "--case must be at most 200 characters"),
  query: discloseQuerySchema,
});
export type DiscloseRequest = z.input<typeof discloseRequestSchema>;

/** One chunk of a pack, as the summary lists it. */
export const disclosedChunkSummarySchema = z.object({
  dir: z.string(),
  format: z.string(),
  disclosed: z.enum(["lines", "whole"]),
  /** Lines asked for from this chunk. */
  lines: z.number(),
  /** Lines in the pack from it: the asked ones, or every record of a whole chunk. */
  records: z.number(),
  timestamp: z.string(),
});

/** What `disclose` answers (the `x-logmaster-disclosure` header of the API). */
export const disclosureSummarySchema = z.object({
  hotel_id: z.string(),
  case: z.string(),
  audit_id: z.number(),
  lines: z.number(),
  chunks: z.array(disclosedChunkSummarySchema),
});
export type DisclosureSummary = z.infer<typeof disclosureSummarySchema>;
