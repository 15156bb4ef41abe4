/**
 * The audit row of an API request: every read of guest data or custody and
 * every change leaves one, with who asked, from which address, in which
 * scope, with which parameters and how many rows came back.
 */
import type { Context } from "hono";
import { actorName } from "../auth/roles.ts";
import { type AuditRecord, type Db, writeAudit } from "../store/index.ts";
import { clientAddress, principalOf } from "./authenticate.ts";

export interface AuditedRequest {
  action: AuditRecord["action"];
  /** What exactly was asked (`search`, `lookup_ip`, `chunks`, `month`, …). */
  kind: string;
  /** The hotels the request could reach. */
  scope: readonly string[];
  /** The rows (hits, chunks, hours, agents…) the answer carried. */
  rows: number;
  /** The request's parameters; its query string when absent. */
  params?: Record<string, unknown>;
  /** The hotel the row is about; the scope's only hotel when absent. */
  hotelId?: string;
  chunks?: string[];
}

/**
 * Append the audit row of this request (before the answer leaves the hub).
 *
 * @example
 * await auditRequest(c, db, { action: "custody", kind: "chunks", scope: scope.hotels, rows: rows.length });
 */
export async function auditRequest(c: Context, db: Db, entry: AuditedRequest): Promise<void> {
  const hotelId = entry.hotelId ?? (entry.scope.length === 1 ? entry.scope[0] : undefined);
  await writeAudit(db, {
    actor: actorName(principalOf(c)),
    action: entry.action,
    ...(hotelId ? { hotelId } : {}),
    detail: {
      kind: entry.kind,
      address: clientAddress(c),
      scope: entry.scope,
      params: entry.params ?? c.req.queries(),
      rows: entry.rows,
    },
    ...(entry.chunks ? { chunks: entry.chunks } : {}),
  });
}
