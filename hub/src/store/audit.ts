import { createHash } from "node:crypto";
import { asc, desc, type SQL, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { auditLog } from "./schema.ts";

export type AuditEntry = typeof auditLog.$inferSelect;

/** What can be audited: the `action` of an `audit_log` row. */
export const AUDIT_ACTIONS = [
  "export",
  /** A disclosure pack: only the lines a case asked for (hub/src/disclose/). */
  "disclose",
  "rollup",
  "report",
  "purge",
  "hotel_set",
  "reindex",
  "search",
  "lookup",
  "tail",
  "login",
  "login_failed",
  "logout",
  "user_change",
  /** A chunk list or a month of custody read over the API (exports and reports have their own). */
  "custody",
  "token_create",
  "agent_revoke",
  /** The audit log itself read, exported or verified over the API. */
  "audit",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an audited action was: one row of `audit_log`. */
export interface AuditRecord {
  actor: string;
  action: AuditAction;
  hotelId?: string | undefined;
  detail: Record<string, unknown>;
  /** `agent/chunk-id` of every chunk involved. */
  chunks?: string[];
}

/** Who asked and from where: what the audit row of every request and admin change names. */
export interface AuditOrigin {
  actor: string;
  /** The client's address; absent when the CLI works on the data dir itself. */
  address?: string | undefined;
  /** The hotels the request could reach; absent for the admin credential (every hotel). */
  scope?: readonly string[] | undefined;
}

/** What a request asked and how much it answered. */
export interface RequestAudit {
  action: AuditRecord["action"];
  /** What exactly was asked (`search`, `lookup_ip`, `chunks`, `token_create`, …). */
  kind: string;
  params: Record<string, unknown>;
  /** The rows (hits, chunks, hours, agents…) the answer carried. */
  rows: number;
  /** The hotel the row is about; the scope's only hotel when absent. */
  hotelId?: string | undefined;
  chunks?: string[] | undefined;
}

/**
 * The audit row of a request, in the one shape every door writes (the API's
 * routes, the CLI's `/admin` door, the CLI on the data dir).
 *
 * @example
 * await writeAudit(db, requestAuditRecord({ actor, address, scope }, { action: "agent_revoke", kind: "agent_revoke", params: { agent }, rows: 1 }));
 */
export function requestAuditRecord(origin: AuditOrigin, request: RequestAudit): AuditRecord {
  const hotelId = request.hotelId ?? (origin.scope?.length === 1 ? origin.scope[0] : undefined);
  return {
    actor: origin.actor,
    action: request.action,
    ...(hotelId ? { hotelId } : {}),
    detail: {
      kind: request.kind,
      ...(origin.address === undefined ? {} : { address: origin.address }),
      ...(origin.scope === undefined ? {} : { scope: origin.scope }),
      params: request.params,
      rows: request.rows,
    },
    ...(request.chunks ? { chunks: request.chunks } : {}),
  };
}

/** Serialises appends: the chain needs each row's predecessor. */
const AUDIT_LOCK = 5_651_000_001;

/** JSON with object keys sorted at every level: jsonb does not keep key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hash of a row: its predecessor's hash and its content, canonically. */
export function auditRowSha256(
  prevSha256: string | null,
  row: Pick<AuditEntry, "at" | "actor" | "action" | "hotelId" | "detail" | "chunks">,
): string {
  const content = canonicalJson({
    prev: prevSha256,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    hotel: row.hotelId,
    detail: row.detail,
    chunks: row.chunks,
  });
  return createHash("sha256").update(content).digest("hex");
}

/**
 * Append one row to the audit log (before the evidence leaves the hub), linked
 * to the row before by its hash.
 *
 * @example
 * await writeAudit(db, { actor: "cli:alice", action: "export", hotelId: "grand", detail: { hour }, chunks });
 */
export async function writeAudit(db: Db, record: AuditRecord): Promise<AuditEntry> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
    const [last] = await tx
      .select({ rowSha256: auditLog.rowSha256 })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    const values = {
      // Milliseconds, so the hash input survives the database's round trip exactly.
      at: new Date(),
      actor: record.actor,
      action: record.action,
      hotelId: record.hotelId ?? null,
      // Through JSON once: what jsonb will hand back (no undefined, no Date objects).
      detail: JSON.parse(JSON.stringify(record.detail)) as Record<string, unknown>,
      chunks: record.chunks ?? [],
    };
    const prevSha256 = last?.rowSha256 ?? null;
    const [row] = await tx
      .insert(auditLog)
      .values({ ...values, prevSha256, rowSha256: auditRowSha256(prevSha256, values) })
      .returning();
    if (!row) throw new Error("audit_log insert returned nothing");
    return row;
  });
}

/** The first row where the chain breaks, or none. */
export interface AuditVerdict {
  rows: number;
  /** Rows written before the chain existed (no hashes), skipped. */
  unchained: number;
  broken?: { id: number; reason: string };
}

/**
 * Walk the audit log in order and recompute the chain: an edited row no
 * longer hashes to its `row_sha256`; a removed row leaves its successor's
 * `prev_sha256` pointing at nothing.
 *
 * @example
 * const verdict = await verifyAuditChain(db);
 * if (verdict.broken) console.log(`row ${verdict.broken.id}: ${verdict.broken.reason}`);
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditVerdict> {
  const verdict: AuditVerdict = { rows: 0, unchained: 0 };
  let previous: { id: number; rowSha256: string } | undefined;
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.id} > ${after}`)
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of rows) {
      verdict.rows++;
      after = row.id;
      if (row.rowSha256 === null) {
        verdict.unchained++;
        if (previous) {
          verdict.broken = { id: row.id, reason: "a row without a hash after the chain began" };
          return verdict;
        }
        continue;
      }
      const expectedPrev = previous?.rowSha256 ?? null;
      if (row.prevSha256 !== expectedPrev) {
        verdict.broken = {
          id: row.id,
          reason: previous
            ? `its prev_sha256 is not the hash of row ${previous.id}: a row before it was removed or changed`
            : "the first chained row names a predecessor that is not there: rows before it were removed",
        };
        return verdict;
      }
      if (auditRowSha256(row.prevSha256, row) !== row.rowSha256) {
        verdict.broken = {
          id: row.id,
          reason: "its content does not hash to its row_sha256: the row was edited",
        };
        return verdict;
      }
      previous = { id: row.id, rowSha256: row.rowSha256 };
    }
    if (rows.length < pageSize) return verdict;
  }
}

/**
 * The newest audit rows first; only those `where` admits when given (a
 * caller's hotels and filters: hub/src/query/audit.ts).
 */
export async function listAudit(db: Db, limit = 100, where?: SQL): Promise<AuditEntry[]> {
  return db.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(limit);
}
