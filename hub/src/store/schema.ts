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
  inet,
  integer,
  jsonb,
  macaddr,
  pgTable,
  primaryKey,
  smallint,
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

/** Lexemes made by the hub itself (hub/src/index/words.ts), so PostgreSQL does no parsing. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

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
  /**
   * A number for the hotel, given by the database and never reused: what the
   * events indexes lead with in place of the slug (`events.hotel_key`).
   */
  key: integer("key").generatedAlwaysAsIdentity().notNull().unique(),
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
    /**
     * Bytes of records.jsonl the index has taken (always at a line end): the
     * index worker's watermark, moved in the same transaction as the events it
     * wrote, so a byte is indexed once whatever crashes (hub/src/index/).
     */
    indexedLength: bigint("indexed_length", { mode: "number" }).notNull().default(0),
    /**
     * Bytes whose events were counted towards their devices: only ever grows,
     * so a reindex (which sets `indexed_length` back to 0) counts nothing twice.
     */
    devicesCountedLength: bigint("devices_counted_length", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    unique("chunks_agent_hour_part_unique").on(table.agentId, table.hourStart, table.part),
    index("chunks_timestamp_due_idx").on(table.timestampDueAt),
    index("chunks_hotel_hour_idx").on(table.hotelId, table.hourStart),
    // The chain link at seal time: the agent's chunk whose window ends where the new one starts.
    index("chunks_agent_window_end_idx").on(table.agentId, table.windowEnd),
    // The index worker's "what is left to index" (a handful of rows at any time).
    index("chunks_unindexed_idx")
      .on(table.agentId, table.hourStart, table.part)
      .where(sql`${table.indexedLength} < ${table.length}`),
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
    /** `export`, `rollup`, `report`, `purge`, `hotel_set`, `search`, `lookup`, `tail`, `login`… (AuditRecord). */
    action: text("action").notNull(),
    hotelId: text("hotel_id"),
    /** The request as given (hour, day, chunk, format...). */
    detail: jsonb("detail").notNull(),
    chunks: jsonb("chunks").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /**
     * The hash chain (hub/src/store/audit.ts): SHA-256 of the row before's
     * `row_sha256` and this row's content. Removing or editing a row breaks
     * it (`logmaster-hub audit verify`). Null on rows older than the chain.
     */
    prevSha256: text("prev_sha256"),
    rowSha256: text("row_sha256"),
  },
  (table) => [
    index("audit_log_at_idx").on(table.at),
    // A hotel-bound auditor's newest rows (hub/src/query/audit.ts); migration 0008 lets the read role see them.
    index("audit_log_hotel_idx").on(table.hotelId, table.id),
  ],
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

// ---------------------------------------------------------------------------
// The read side: what the index worker derives from the records
// (hub/src/index/) and the query engine reads (hub/src/query/). All of it can
// be rebuilt from the archive (`logmaster-hub reindex`). Migration 0003 adds
// what drizzle cannot say: daily range partitions of `events`, the full-text
// index, and row-level security for the read role.
// ---------------------------------------------------------------------------

/**
 * One syslog line as the query engine sees it. Partitioned by day of
 * `received_at` (`events_YYYYMMDD`, made ahead and dropped by retention). The
 * custody record keys it: (agent, seq) is one event, and chunk + seq name the
 * evidence that proves it. `src_*` is the local party of the line (a firewall
 * line's source, a DHCP or hotspot client, a router login's address); `nat_*`
 * the translated public address (srcnat) or the original destination (dstnat).
 */
export const events = pgTable(
  "events",
  {
    /** The agent's receive time (custody record `ts`): the time every search and lookup uses. */
    receivedAt: timestamptz("received_at").notNull(),
    /**
     * The hotel, as its `hotels.key`: what the btrees lead with and the read
     * policy tests, since an integer compares in one step where text goes
     * through a length and a memcmp, and the columns after it sit at fixed
     * offsets (docs/decisions.md, "Event indexes"). The row's only note of its
     * hotel (migration 0015 dropped the slug): its chunk's `hotel_id` names it.
     */
    hotelKey: integer("hotel_key").notNull(),
    agentId: text("agent_id").notNull(),
    chunkId: bigint("chunk_id", { mode: "number" }).notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    /** The time the device wrote in the line, when it wrote one (its clock may be wrong). */
    loggedAt: timestamptz("logged_at"),
    /** The sender of the datagram (custody record `src`): the device. */
    deviceIp: inet("device_ip").notNull(),
    host: text("host"),
    /** Syslog severity 0 (emergency) .. 7 (debug). */
    severity: smallint("severity"),
    /** RouterOS family without `routeros.`: firewall, dhcp, hotspot, account, wireless, ppp, other. */
    dataset: text("dataset"),
    topics: text("topics").array(),
    action: text("action"),
    srcIp: inet("src_ip"),
    srcPort: integer("src_port"),
    srcMac: macaddr("src_mac"),
    dstIp: inet("dst_ip"),
    dstPort: integer("dst_port"),
    natIp: inet("nat_ip"),
    natPort: integer("nat_port"),
    protocol: text("protocol"),
    userName: text("user_name"),
    /** The line as received (`msg`, or the bytes of `msg_b64` decoded leniently). */
    raw: text("raw").notNull(),
    /**
     * The message's words, folded for Turkish (hub/src/index/words.ts): what
     * free text matches, and what the GIN indexes. Since migration 0016 the
     * stop words are left out (empty when a line has only those); rows indexed
     * before hold them here too. Null when the message has no word at all.
     */
    words: tsvector("words"),
    /** The message's stop words as bits (`STOP_WORDS[i]` is bit `i`): matched, never indexed. */
    stopWords: integer("stop_words").notNull().default(0),
  },
  (table) => [
    // Chosen from measured plans and load rates (docs/decisions.md "Event indexes").
    index("events_hotel_time_idx").on(table.hotelKey, table.receivedAt),
    index("events_hotel_src_ip_idx").on(table.hotelKey, table.srcIp, table.receivedAt),
    // With the two others, an address filter (source, destination or NAT) is three index probes.
    index("events_hotel_dst_ip_idx")
      .on(table.hotelKey, table.dstIp, table.receivedAt)
      .where(sql`${table.dstIp} is not null`),
    index("events_words_idx").using("gin", table.words),
    index("events_hotel_nat_idx")
      .on(table.hotelKey, table.natIp, table.natPort, table.receivedAt)
      .where(sql`${table.natIp} is not null`),
  ],
);

/**
 * DHCP leases as the router logged them: from `assigned` to `deassigned`
 * (open while `ends_at` is null). "Who had 10.5.1.23 at T" is the lease of
 * that address that started last before T.
 */
export const leases = pgTable(
  "leases",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    hotelId: text("hotel_id").notNull(),
    agentId: text("agent_id").notNull(),
    ip: inet("ip").notNull(),
    mac: macaddr("mac").notNull(),
    hostname: text("hostname"),
    server: text("server"),
    startsAt: timestamptz("starts_at").notNull(),
    endsAt: timestamptz("ends_at"),
    startChunkId: bigint("start_chunk_id", { mode: "number" }).notNull(),
    startSeq: bigint("start_seq", { mode: "number" }).notNull(),
    endChunkId: bigint("end_chunk_id", { mode: "number" }),
    endSeq: bigint("end_seq", { mode: "number" }),
  },
  (table) => [
    unique("leases_agent_start_seq_unique").on(table.agentId, table.startSeq),
    index("leases_hotel_ip_idx").on(table.hotelId, table.ip, table.startsAt),
    index("leases_hotel_mac_idx").on(table.hotelId, table.mac, table.startsAt),
    // The index step closes a lease by address among the open ones; without
    // this it read every lease the address ever had, more each day kept.
    index("leases_open_idx").on(table.hotelId, table.ip).where(sql`${table.endsAt} is null`),
  ],
);

/** Hotspot sessions: login to logout of a user from an address (and the MAC leased to it then). */
export const hotspotSessions = pgTable(
  "hotspot_sessions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    hotelId: text("hotel_id").notNull(),
    agentId: text("agent_id").notNull(),
    userName: text("user_name").notNull(),
    ip: inet("ip").notNull(),
    /** The MAC of the lease in force for `ip` at login, when the hub holds it. */
    mac: macaddr("mac"),
    loginAt: timestamptz("login_at").notNull(),
    logoutAt: timestamptz("logout_at"),
    logoutReason: text("logout_reason"),
    startChunkId: bigint("start_chunk_id", { mode: "number" }).notNull(),
    startSeq: bigint("start_seq", { mode: "number" }).notNull(),
    endChunkId: bigint("end_chunk_id", { mode: "number" }),
    endSeq: bigint("end_seq", { mode: "number" }),
  },
  (table) => [
    unique("hotspot_sessions_agent_start_seq_unique").on(table.agentId, table.startSeq),
    index("hotspot_sessions_hotel_ip_idx").on(table.hotelId, table.ip, table.loginAt),
    index("hotspot_sessions_hotel_mac_idx").on(table.hotelId, table.mac, table.loginAt),
    index("hotspot_sessions_hotel_user_idx").on(table.hotelId, table.userName, table.loginAt),
    // As leases_open_idx: a logout closes the open session of its user and address.
    index("hotspot_sessions_open_idx")
      .on(table.hotelId, table.ip, table.userName)
      .where(sql`${table.logoutAt} is null`),
  ],
);

/** What an agent recorded it could not receive (custody gap records), for "why no answer". */
export const recordGaps = pgTable(
  "record_gaps",
  {
    hotelId: text("hotel_id").notNull(),
    agentId: text("agent_id").notNull(),
    chunkId: bigint("chunk_id", { mode: "number" }).notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    firstAt: timestamptz("first_at").notNull(),
    lastAt: timestamptz("last_at").notNull(),
    lost: bigint("lost", { mode: "number" }).notNull(),
    reason: text("reason").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.agentId, table.seq] }),
    index("record_gaps_hotel_time_idx").on(table.hotelId, table.firstAt),
  ],
);

/**
 * Events per chunk and UTC minute, counted by the index step that wrote them
 * (hub/src/index/derive.ts) and deleted with their chunk (reindex,
 * retention): a histogram with no filter beyond hotels and agents sums these
 * instead of counting events (the search page's first view, the overview's
 * sparklines).
 */
export const eventMinutes = pgTable(
  "event_minutes",
  {
    hotelId: text("hotel_id").notNull(),
    agentId: text("agent_id").notNull(),
    chunkId: bigint("chunk_id", { mode: "number" }).notNull(),
    minute: timestamptz("minute").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.chunkId, table.minute] }),
    index("event_minutes_hotel_minute_idx").on(table.hotelId, table.minute),
  ],
);

/** A source of logs: an agent and the address datagrams came from, registered at first sight. */
export const devices = pgTable(
  "devices",
  {
    hotelId: text("hotel_id").notNull(),
    agentId: text("agent_id").notNull(),
    address: inet("address").notNull(),
    /** The name an admin gave it (else the host name its lines carry). */
    name: text("name"),
    lastHost: text("last_host"),
    firstSeenAt: timestamptz("first_seen_at").notNull(),
    lastSeenAt: timestamptz("last_seen_at").notNull(),
    eventCount: bigint("event_count", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.agentId, table.address] }),
    index("devices_hotel_idx").on(table.hotelId),
  ],
);

// ---------------------------------------------------------------------------
// People at the hub (hub/src/auth/): accounts, their hotels, sessions.
// ---------------------------------------------------------------------------

/**
 * What a user may do (hub/src/auth/roles.ts): `chain_admin` everything;
 * `hotel_manager` their hotels' guest data and custody; `auditor` read and
 * verify (chain-wide, or bound to hotels), change nothing; `hotel_it` their
 * hotels' agents and devices, never guests' events.
 */
export const userRoles = ["chain_admin", "hotel_manager", "auditor", "hotel_it"] as const;
export type UserRole = (typeof userRoles)[number];

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Lower case `[a-z0-9._-]`, unique. */
    username: text("username").notNull().unique(),
    role: text("role", { enum: userRoles }).notNull(),
    /** argon2id (Bun.password), PHC string. */
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    passwordChangedAt: timestamptz("password_changed_at").notNull().defaultNow(),
    disabledAt: timestamptz("disabled_at"),
    /**
     * Access tokens issued before this are refused (password change, disable,
     * "log out everywhere"): checked on every request, so it holds across hub processes.
     */
    tokensValidAfter: timestamptz("tokens_valid_after").notNull().defaultNow(),
    /**
     * The TOTP shared secret, sealed with the data dir's key (hub/src/auth/totp.ts);
     * null: no second factor. No view of an account carries it.
     */
    totpSecretSealed: text("totp_secret_sealed"),
    /** When the second factor was confirmed; null with a secret: set up, not confirmed, not asked at login. */
    totpEnabledAt: timestamptz("totp_enabled_at"),
    /**
     * The last TOTP time step (Unix time / 30 s) a code was accepted for: a
     * code of this step or an earlier one is refused (no replay within its window).
     */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
  },
  (table) => [
    check(
      "users_role_check",
      sql`${table.role} in ('chain_admin', 'hotel_manager', 'auditor', 'hotel_it')`,
    ),
    check(
      "users_totp_check",
      sql`${table.totpEnabledAt} is null or ${table.totpSecretSealed} is not null`,
    ),
  ],
);

/** The hotels a user is bound to (managers, IT, a hotel's auditor). */
export const userHotels = pgTable(
  "user_hotels",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    hotelId: text("hotel_id")
      .notNull()
      .references(() => hotels.id),
  },
  (table) => [primaryKey({ columns: [table.userId, table.hotelId] })],
);

/**
 * Refresh tokens, stored as SHA-256: each use spends one and issues the next
 * of its family (one family per login); a spent one used again revokes the
 * whole family (it was stolen, or the thief used it first).
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tokenSha256: text("token_sha256").notNull().unique(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
    /** Set on the whole family at logout, reuse, disable or password change. */
    revokedAt: timestamptz("revoked_at"),
  },
  (table) => [
    index("refresh_tokens_family_idx").on(table.familyId),
    index("refresh_tokens_user_idx").on(table.userId),
  ],
);

/** Longest name of a saved search (the dashboard's menu shows it whole). */
export const SAVED_SEARCH_NAME_MAX = 80;
/** Longest query string of a saved search: a long free text with every filter fits well within. */
export const SAVED_SEARCH_QUERY_MAX = 4096;

/**
 * A user's saved searches (hub/src/store/saved-searches.ts): a name and the
 * dashboard's search state as its URL query string. A person's own, never
 * shared: the API takes the user from the session, and migration 0009 holds
 * the user scope role to the rows of `logmaster.user_id` (row-level security).
 */
export const savedSearches = pgTable(
  "saved_searches",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    /** `q=…&ip=…&range=24h` (no `?`), as the search page writes it (dashboard/src/pages/Search/state.ts). */
    query: text("query").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    unique("saved_searches_user_name_unique").on(table.userId, table.name),
    check(
      "saved_searches_name_check",
      sql`char_length(${table.name}) between 1 and ${sql.raw(String(SAVED_SEARCH_NAME_MAX))}`,
    ),
    check(
      "saved_searches_query_check",
      sql`char_length(${table.query}) <= ${sql.raw(String(SAVED_SEARCH_QUERY_MAX))}`,
    ),
  ],
);
