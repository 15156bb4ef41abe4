/**
 * The hub's tables: the one source of truth for its database. Migrations in
 * `hub/drizzle/` are generated from this file (`bun run --cwd hub db:generate`).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  customType,
  doublePrecision,
  index,
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
  },
  (table) => [
    unique("chunks_agent_hour_unique").on(table.agentId, table.hourStart),
    index("chunks_hotel_hour_idx").on(table.hotelId, table.hourStart),
    check("chunks_status_check", sql`${table.status} in ('open', 'verified', 'failed')`),
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
