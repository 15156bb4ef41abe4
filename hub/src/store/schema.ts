/**
 * The hub's tables: the one source of truth for its database. Migrations in
 * `hub/drizzle/` are generated from this file (`bun run --cwd hub db:generate`).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";

/**
 * `bytea` as Uint8Array. postgres.js serialises only Buffer as bytea, PGlite
 * takes any Uint8Array: hand both a Buffer view (no copy).
 */
const bytea = customType<{ data: Uint8Array; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** PostgreSQL's text form of a timestamptz: `2026-11-22 08:20:00.123456+00` (offset may carry minutes). */
const PG_TIMESTAMPTZ =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?([+-]\d{2})(?::?(\d{2}))?$/;

/**
 * Parse PostgreSQL's timestamptz text into the custody format's record time
 * (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC): exact to the microsecond, which a JS
 * Date is not.
 */
export function pgTimestamptzToMicrosUtc(text: string): string {
  const match = PG_TIMESTAMPTZ.exec(text);
  if (!match) throw new Error(`unexpected timestamptz from the database: ${text}`);
  const [, date, time, fraction = "", hours = "+00", minutes = "00"] = match;
  const sign = hours.startsWith("-") ? -1 : 1;
  const offsetMs = sign * (Math.abs(Number(hours)) * 60 + Number(minutes)) * 60_000;
  const utcMs = Date.parse(`${date}T${time}Z`) - offsetMs;
  return `${new Date(utcMs).toISOString().slice(0, 19)}.${fraction.padEnd(6, "0")}Z`;
}

/**
 * `timestamptz` (µs precision) holding a custody record time exactly: written
 * as the manifest's text, read back in the same form. Window bounds are
 * compared for equality (the hash chain link), so no rounding is allowed.
 */
const microsTimestamptz = customType<{ data: string; driverData: string }>({
  dataType: () => "timestamp (6) with time zone",
  toDriver: (value) => value,
  fromDriver: (value) => pgTimestamptzToMicrosUtc(String(value)),
});

/** Hub-wide facts chosen once (the chain id). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const hotels = pgTable("hotels", {
  /** Slug `[a-z0-9][a-z0-9-]{0,62}`; it is written into agent certificates. */
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: timestamptz("created_at").notNull().defaultNow(),
  /** Sealed chunks older than this many days are purged (Law 5651: two years). */
  retentionDays: integer("retention_days").notNull().default(730),
  /** Under legal hold nothing of the hotel is purged, whatever its age. */
  legalHold: boolean("legal_hold").notNull().default(false),
});

export const agents = pgTable(
  "agents",
  {
    /** `<hotel_id>-<8 base32 chars>`: the certificate's CN. */
    id: text("id").primaryKey(),
    hotelId: text("hotel_id")
      .notNull()
      .references(() => hotels.id),
    hostname: text("hostname"),
    /** The certificate issued last (enrollment or renewal). */
    certSerial: text("cert_serial").notNull(),
    certSha256: text("cert_sha256").notNull(),
    certPem: text("cert_pem").notNull(),
    notAfter: timestamptz("not_after").notNull(),
    /**
     * The certificate a renewal (or re-enrollment) replaced, and until when it
     * still authenticates: requests under way on the old session may finish;
     * after that only the new certificate is let in.
     */
    previousCertSha256: text("previous_cert_sha256"),
    previousCertUntil: timestamptz("previous_cert_until"),
    enrolledAt: timestamptz("enrolled_at").notNull().defaultNow(),
    revokedAt: timestamptz("revoked_at"),
    lastSeenAt: timestamptz("last_seen_at"),
    /** The agent's clock as it sent its last batch, and hub minus agent in ms. */
    lastAgentTime: timestamptz("last_agent_time"),
    lastClockSkewMs: doublePrecision("last_clock_skew_ms"),
    lastStats: jsonb("last_stats"),
  },
  (table) => [index("agents_hotel_idx").on(table.hotelId)],
);

export const enrollmentTokens = pgTable("enrollment_tokens", {
  id: text("id").primaryKey(),
  /** SHA-256 of the 32-byte random secret: enough against a stolen table dump. */
  secretSha256: text("secret_sha256").notNull(),
  hotelId: text("hotel_id")
    .notNull()
    .references(() => hotels.id),
  createdAt: timestamptz("created_at").notNull().defaultNow(),
  expiresAt: timestamptz("expires_at").notNull(),
  usedAt: timestamptz("used_at"),
  usedByAgentId: text("used_by_agent_id"),
});

export const chunkStatuses = ["open", "verified", "failed"] as const;
export type ChunkStatus = (typeof chunkStatuses)[number];

/**
 * A verified chunk's RFC 3161 state: `awaiting` (no token yet, retried with
 * backoff), `timestamped`, or `failed` (a permanent error; still retried,
 * slowly). Null while the chunk is open or failed verification.
 */
export const timestampStatuses = ["awaiting", "timestamped", "failed"] as const;
export type TimestampStatus = (typeof timestampStatuses)[number];

export const chunks = pgTable(
  "chunks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id),
    hotelId: text("hotel_id")
      .notNull()
      .references(() => hotels.id),
    hourStart: timestamptz("hour_start").notNull(),
    /** The manifest's `part`: 0, or N > 0 for the parts an early seal opened (URL id `YYYY-MM-DDTHH.N`). */
    part: integer("part").notNull().default(0),
    /** The manifest's receive-time window, set at seal time (null while open). */
    windowStart: microsTimestamptz("window_start"),
    windowEnd: microsTimestamptz("window_end"),
    /** Bytes of records.jsonl the hub durably holds (sum of its batches). */
    length: bigint("length", { mode: "number" }).notNull().default(0),
    status: text("status", { enum: chunkStatuses }).notNull().default("open"),
    reason: text("reason"),
    manifest: bytea("manifest"),
    signature: bytea("signature"),
    /** SHA-256 the hub computed over its own archived copy at seal time. */
    recordsSha256: text("records_sha256"),
    firstSeq: bigint("first_seq", { mode: "number" }),
    lastSeq: bigint("last_seq", { mode: "number" }),
    recordCount: bigint("record_count", { mode: "number" }),
    /** The certificate the signature was checked with (an agent renews; evidence keeps this one). */
    agentCertPem: text("agent_cert_pem"),
    archivePath: text("archive_path"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    sealedAt: timestamptz("sealed_at"),
    /** SHA-256 of manifest.json (what the TSA stamps and the day roll-up lists). */
    manifestSha256: text("manifest_sha256"),
    /** The manifest's `gap_lost`: datagrams the agent knew it lost in this chunk. */
    gapLost: bigint("gap_lost", { mode: "number" }),
    timestampStatus: text("timestamp_status", { enum: timestampStatuses }),
    /** The last attempt's error (`<reason>: <message>`), kept while awaiting or failed. */
    timestampError: text("timestamp_error"),
    timestampAttempts: integer("timestamp_attempts").notNull().default(0),
    /** When a worker may (re)try; a claim pushes it past the attempt (a lease). */
    timestampDueAt: timestamptz("timestamp_due_at"),
    timestampGenTime: timestamptz("timestamp_gen_time"),
    timestampSerial: text("timestamp_serial"),
    timestampPolicy: text("timestamp_policy"),
    timestampTsaName: text("timestamp_tsa_name"),
  },
  (table) => [
    unique("chunks_agent_hour_part_unique").on(table.agentId, table.hourStart, table.part),
    index("chunks_timestamp_due_idx").on(table.timestampDueAt),
    index("chunks_hotel_hour_idx").on(table.hotelId, table.hourStart),
    // The chain link at seal time: the agent's chunk whose window ends where the new one starts.
    index("chunks_agent_window_end_idx").on(table.agentId, table.windowEnd),
    check("chunks_status_check", sql`${table.status} in ('open', 'verified', 'failed')`),
    check("chunks_part_check", sql`${table.part} >= 0`),
    check(
      "chunks_timestamp_status_check",
      sql`${table.timestampStatus} in ('awaiting', 'timestamped', 'failed')`,
    ),
  ],
);

/** The bytes of an open chunk, as appended batch by batch; never updated. */
export const chunkBatches = pgTable(
  "chunk_batches",
  {
    chunkId: bigint("chunk_id", { mode: "number" })
      .notNull()
      .references(() => chunks.id),
    offset: bigint("offset", { mode: "number" }).notNull(),
    bytes: bytea("bytes").notNull(),
  },
  (table) => [primaryKey({ columns: [table.chunkId, table.offset] })],
);

/**
 * Who did what with the evidence, when: every export, roll-up, report and
 * purge. Append-only; `chunks` names the chunks involved (`agent/chunk-id`).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamptz("at").notNull().defaultNow(),
    /** `admin-credential`, `admin-credential (cli:alice)` or `cli:alice` (no hub running). */
    actor: text("actor").notNull(),
    /** `export`, `rollup`, `report`, `purge`, `hotel_set`. */
    action: text("action").notNull(),
    hotelId: text("hotel_id"),
    /** The request as given (hour, day, chunk, format...). */
    detail: jsonb("detail").notNull(),
    chunks: jsonb("chunks").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  },
  (table) => [index("audit_log_at_idx").on(table.at)],
);

/** A hotel's signed day roll-up (docs/custody-format.md §15). */
export const dayRollups = pgTable(
  "day_rollups",
  {
    hotelId: text("hotel_id")
      .notNull()
      .references(() => hotels.id),
    /** `YYYY-MM-DD`, a UTC day. */
    day: text("day").notNull(),
    manifest: bytea("manifest").notNull(),
    signature: bytea("signature").notNull(),
    /** Null until the TSA answered (the worker retries). */
    tsr: bytea("tsr"),
    archivePath: text("archive_path").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.hotelId, table.day] })],
);
