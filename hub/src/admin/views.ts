/**
 * Hotels, agents, chunks and enrollment tokens as the API and the CLI show
 * them: one zod schema each (the OpenAPI document's response schemas), the
 * type inferred from it, and the mapper from the database row.
 */
import { z } from "zod";
import { chunkId, parseManifest } from "../../../shared/src/custody/index.ts";
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
  /** Hub minus agent clock at its last report (a batch or a seal). */
  last_clock_skew_ms: z.number().nullable(),
  /** Hub clock at the agent's last report (a batch or a seal); null before its first. */
  reported_at: isoTime.nullable(),
  unsent_bytes: z
    .number()
    .int()
    .nullable()
    .describe("bytes the agent holds that the hub had not acknowledged, at its last report"),
  disk_used_bytes: z
    .number()
    .int()
    .nullable()
    .describe("the agent's WAL on its disk, at its last report"),
  disk_max_bytes: z
    .number()
    .int()
    .nullable()
    .describe("the cap of the agent's WAL: at it, the agent refuses new datagrams"),
  wal_refusing: z
    .boolean()
    .nullable()
    .describe("the agent's WAL was at its cap and refusing datagrams, at its last report"),
});
export type AgentView = z.infer<typeof agentViewSchema>;

const reportedBytes = z.int().nonnegative().nullable().catch(null);
/**
 * The known fields of an agent's `x-lm-agent-stats` (stored as it came, in
 * `agents.last_stats`): agent-supplied, so read tolerantly; a missing or
 * malformed field, or a report that is no object at all, reads as null.
 *
 * @example
 * agentReportSchema.parse({ unsent_bytes: 512, refusing: "no" }); // { unsent_bytes: 512, disk_used_bytes: null, disk_max_bytes: null, refusing: null }
 */
export const agentReportSchema = z
  .object({
    unsent_bytes: reportedBytes,
    disk_used_bytes: reportedBytes,
    disk_max_bytes: reportedBytes,
    refusing: z.boolean().nullable().catch(null),
  })
  .catch({ unsent_bytes: null, disk_used_bytes: null, disk_max_bytes: null, refusing: null });
export type AgentReport = z.infer<typeof agentReportSchema>;

/** The hub's clock when the agent last reported: the agent's clock then plus the skew measured then. */
function reportedAt(agent: Agent): string | null {
  if (!agent.lastAgentTime) return null;
  return new Date(agent.lastAgentTime.getTime() + (agent.lastClockSkewMs ?? 0)).toISOString();
}

export const agentView = (agent: Agent): AgentView => {
  const report = agentReportSchema.parse(agent.lastStats);
  return {
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
    reported_at: reportedAt(agent),
    unsent_bytes: report.unsent_bytes,
    disk_used_bytes: report.disk_used_bytes,
    disk_max_bytes: report.disk_max_bytes,
    wal_refusing: report.refusing,
  };
};

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
  first_seq: z.number().int().nullable().describe("the manifest's; null while open or empty"),
  last_seq: z.number().int().nullable(),
  gap_lost: z
    .number()
    .int()
    .nullable()
    .describe("datagrams the agent received in this chunk but could not keep (its manifest)"),
  records_sha256: z.string().nullable(),
  /** SHA-256 of manifest.json: what the TSA stamps and the next chunk links to. */
  manifest_sha256: z.string().nullable(),
  prev_manifest_sha256: z
    .string()
    .nullable()
    .describe(
      "the manifest's link to the agent's previous chunk; null while open and for the agent's first",
    ),
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
  timestamp_serial: z.string().nullable().describe("the time-stamp token's serial number"),
  timestamp_tsa_name: z.string().nullable().describe("the TSA the token names"),
  timestamp_policy: z.string().nullable().describe("the TSA policy OID the token was issued under"),
});
export type ChunkView = z.infer<typeof chunkViewSchema>;

/** The stored manifest's link to the previous chunk (the hub verified it at the seal; null while open). */
function previousManifestSha256(row: ChunkRow): string | null {
  if (!row.manifest) return null;
  try {
    return parseManifest(row.manifest).manifest.prev_manifest_sha256;
  } catch {
    return null; // the seal parsed it before storing it: only a format this code no longer reads
  }
}

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
  first_seq: row.firstSeq,
  last_seq: row.lastSeq,
  gap_lost: row.gapLost,
  records_sha256: row.recordsSha256,
  manifest_sha256: row.manifestSha256,
  prev_manifest_sha256: previousManifestSha256(row),
  sealed_at: row.sealedAt?.toISOString() ?? null,
  timestamp: timestampLabel(row),
  timestamp_error: row.timestampStatus === "timestamped" ? null : row.timestampError,
  timestamp_attempts: row.timestampAttempts,
  timestamp_gen_time: row.timestampGenTime?.toISOString() ?? null,
  timestamp_serial: row.timestampSerial,
  timestamp_tsa_name: row.timestampTsaName,
  timestamp_policy: row.timestampPolicy,
});

export const tokenViewSchema = z.object({
  /** `lm1.…`: single use; the only copy that can enroll (the hub keeps a hash). */
  token: z.string(),
  hotel_id: z.string(),
  expires_at: isoTime,
});
export type TokenView = z.infer<typeof tokenViewSchema>;
