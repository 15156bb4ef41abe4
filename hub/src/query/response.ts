/**
 * What the query engine answers, as zod schemas: the API's response types
 * and its OpenAPI document. Every event carries the evidence that proves it
 * (hotel, agent, chunk, seq, receive time): the bundle of `chunk` verifies it.
 */
import { z } from "zod";

export const timesSchema = z.object({
  utc: z.string().describe("UTC, microseconds: the custody record's receive time"),
  istanbul: z.string().describe("the same instant on Europe/Istanbul wall time, with its offset"),
});

export const eventHitSchema = z.object({
  received_at: z.string(),
  received_at_istanbul: z.string(),
  hotel: z.string(),
  agent: z.string(),
  /** The custody chunk id (`YYYY-MM-DDTHH` or `.N`): export it to prove the line. */
  chunk: z.string(),
  seq: z.number(),
  device: z.string(),
  logged_at: z.string().nullable(),
  host: z.string().nullable(),
  severity: z.number().nullable(),
  dataset: z.string().nullable(),
  topics: z.array(z.string()).nullable(),
  action: z.string().nullable(),
  src_ip: z.string().nullable(),
  src_port: z.number().nullable(),
  src_mac: z.string().nullable(),
  dst_ip: z.string().nullable(),
  dst_port: z.number().nullable(),
  nat_ip: z.string().nullable(),
  nat_port: z.number().nullable(),
  protocol: z.string().nullable(),
  user: z.string().nullable(),
  raw: z.string(),
});
export type EventHit = z.infer<typeof eventHitSchema>;

/** An evidence line: the raw line and where its proof is (at least `raw`, `received_at`, `chunk`, `seq`). */
export const evidenceLineSchema = z.object({
  raw: z.string(),
  received_at: z.string(),
  received_at_istanbul: z.string(),
  hotel: z.string(),
  agent: z.string(),
  chunk: z.string(),
  seq: z.number(),
});
export type EvidenceLine = z.infer<typeof evidenceLineSchema>;

export const searchResponseSchema = z.object({
  hits: z.array(eventHitSchema),
  /** Pass as `cursor` for the next page; absent on the last page. */
  next_cursor: z.string().optional(),
  took_ms: z.number(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

export const histogramResponseSchema = z.object({
  interval_ms: z.number(),
  buckets: z.array(z.object({ start: z.string(), count: z.number() })),
  total: z.number(),
  took_ms: z.number(),
});
export type HistogramResponse = z.infer<typeof histogramResponseSchema>;

export const topResponseSchema = z.object({
  field: z.string(),
  values: z.array(z.object({ value: z.string().nullable(), count: z.number() })),
  took_ms: z.number(),
});
export type TopResponse = z.infer<typeof topResponseSchema>;

export const contextResponseSchema = z.object({
  before: z.array(eventHitSchema),
  hit: eventHitSchema.nullable(),
  after: z.array(eventHitSchema),
});
export type ContextResponse = z.infer<typeof contextResponseSchema>;
