import { desc } from "drizzle-orm";
import type { Db } from "./db.ts";
import { auditLog } from "./schema.ts";

export type AuditEntry = typeof auditLog.$inferSelect;

/** What an audited action was: one row of `audit_log`. */
export interface AuditRecord {
  actor: string;
  action:
    | "export"
    | "rollup"
    | "report"
    | "purge"
    | "hotel_set"
    | "reindex"
    | "search"
    | "lookup"
    | "tail"
    | "login"
    | "login_failed"
    | "logout"
    | "user_change";
  hotelId?: string | undefined;
  detail: Record<string, unknown>;
  /** `agent/chunk-id` of every chunk involved. */
  chunks?: string[];
}

/**
 * Append one row to the audit log (before the evidence leaves the hub).
 *
 * @example
 * await writeAudit(db, { actor: "cli:alice", action: "export", hotelId: "grand", detail: { hour }, chunks });
 */
export async function writeAudit(db: Db, record: AuditRecord): Promise<AuditEntry> {
  const [row] = await db
    .insert(auditLog)
    .values({
      actor: record.actor,
      action: record.action,
      hotelId: record.hotelId ?? null,
      detail: record.detail,
      chunks: record.chunks ?? [],
    })
    .returning();
  if (!row) throw new Error("audit_log insert returned nothing");
  return row;
}

/** The newest audit rows first. */
export async function listAudit(db: Db, limit = 100): Promise<AuditEntry[]> {
  return db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
}
