/**
 * Hotels, agents, chunks and enrollment tokens as the API and the CLI show
 * them: one zod schema each (the OpenAPI document's response schemas), the
 * type inferred from it, and the mapper from the database row.
 */
import { z } from "zod";
import { chunkId } from "../../../shared/src/custody/index.ts";
import { timestampLabel } from "../export/index.ts";
import type { Agent, ChunkRow, Hotel } from "../store/index.ts";

const isoTime = z.string().describe("UTC, ISO 8601");

export const hotelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  created_at: isoTime,
  retention_days: z.number().int(),
  legal_hold: z.boolean(),
});
export type HotelView = z.infer<typeof hotelViewSchema>;

export const hotelView = (hotel: Hotel): HotelView => ({
  id: hotel.id,
  name: hotel.name,
  created_at: hotel.createdAt.toISOString(),
  retention_days: hotel.retentionDays,
  legal_hold: hotel.legalHold,
});

export const agentViewSchema = z.object({
  id: z.string(),
  hotel_id: z.string(),
  hostname: z.string().nullable(),
  cert_serial: z.string(),
  cert_sha256: z.string(),
  /** When the agent's certificate ends (it renews itself a third of its validity before). */
  not_after: isoTime,
  enrolled_at: isoTime,
  revoked_at: isoTime.nullable(),
  last_seen_at: isoTime.nullable(),
  /** Hub minus agent clock at its last batch. */
  last_clock_skew_ms: z.number().nullable(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const agentView = (agent: Agent): AgentView => ({
  id: agent.id,
  hotel_id: agent.hotelId,
  hostname: agent.hostname,
  cert_serial: agent.certSerial,
  cert_sha256: agent.certSha256,
  not_after: agent.notAfter.toISOString(),
  enrolled_at: agent.enrolledAt.toISOString(),
  revoked_at: agent.revokedAt?.toISOString() ?? null,
  last_seen_at: agent.lastSeenAt?.toISOString() ?? null,
  last_clock_skew_ms: agent.lastClockSkewMs,
});

/** A chunk as the API and the CLI show it. */
export const chunkViewSchema = z.object({
  hotel_id: z.string(),
  agent_id: z.string(),
  chunk: z.string().describe("the chunk id: `YYYY-MM-DDTHH`, `.N` for part N > 0"),
  hour_start: isoTime,
  part: z.number().int(),
  window_start: z.string().nullable(),
  window_end: z.string().nullable(),
  length: z.number().int(),
  status: z.string().describe("`open`, `verified` or `failed`"),
  reason: z.string().nullable(),
  record_count: z.number().int().nullable(),
  records_sha256: z.string().nullable(),
  sealed_at: isoTime.nullable(),
  timestamp: z
    .string()
    .describe(
      "`awaiting-timestamp`, `timestamped`, `timestamp_failed: <reason>`, or `-` while open",
    ),
  /** The last failed attempt while not yet stamped: `<reason>: <message>`. */
  timestamp_error: z.string().nullable(),
  timestamp_attempts: z.number().int(),
  timestamp_gen_time: isoTime.nullable(),
});
export type ChunkView = z.infer<typeof chunkViewSchema>;

export const chunkView = (row: ChunkRow): ChunkView => ({
  hotel_id: row.hotelId,
  agent_id: row.agentId,
  chunk: chunkId(row.hourStart.toISOString(), row.part),
  hour_start: row.hourStart.toISOString(),
  part: row.part,
  window_start: row.windowStart,
  window_end: row.windowEnd,
  length: row.length,
  status: row.status,
  reason: row.reason,
  record_count: row.recordCount,
  records_sha256: row.recordsSha256,
  sealed_at: row.sealedAt?.toISOString() ?? null,
  timestamp: timestampLabel(row),
  timestamp_error: row.timestampStatus === "timestamped" ? null : row.timestampError,
  timestamp_attempts: row.timestampAttempts,
  timestamp_gen_time: row.timestampGenTime?.toISOString() ?? null,
});

export const tokenViewSchema = z.object({
  /** `lm1.…`: single use; the only copy that can enroll (the hub keeps a hash). */
  token: z.string(),
  hotel_id: z.string(),
  expires_at: isoTime,
});
export type TokenView = z.infer<typeof tokenViewSchema>;
