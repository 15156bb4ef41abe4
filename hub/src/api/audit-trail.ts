/**
 * The audit row of an API request: every read of guest data or custody and
 * every change leaves one, with who asked, from which address, in which
 * scope, with which parameters and how many rows came back.
 */
import type { Context } from "hono";
import { actorName } from "../auth/roles.ts";
import {
  type AuditOrigin,
  type Db,
  type RequestAudit,
  requestAuditRecord,
  writeAudit,
} from "../store/index.ts";
import { clientAddress, principalOf } from "./authenticate.ts";

export interface AuditedRequest extends Omit<RequestAudit, "params"> {
  /** The hotels the request could reach. */
  scope: readonly string[];
  /** The request's parameters; its query string when absent. */
  params?: Record<string, unknown>;
}

/**
 * Who asks and from where, for an audit row the admin layer writes (a token,
 * a revocation): the principal, the socket's address, and the scope when the
 * caller has one (the admin credential reaches every hotel).
 *
 * @example
 * await admin.revokeAgent({ agent: id, ...auditOrigin(c, scope.hotels) });
 */
export function auditOrigin(c: Context, scope?: readonly string[]): AuditOrigin {
  return {
    actor: actorName(principalOf(c)),
    address: clientAddress(c),
    ...(scope ? { scope } : {}),
  };
}

/**
 * Append the audit row of this request (before the answer leaves the hub).
 *
 * @example
 * await auditRequest(c, db, { action: "custody", kind: "chunks", scope: scope.hotels, rows: rows.length });
 */
export async function auditRequest(c: Context, db: Db, entry: AuditedRequest): Promise<void> {
  const { scope, params, ...request } = entry;
  await writeAudit(
    db,
    requestAuditRecord(auditOrigin(c, scope), { ...request, params: params ?? c.req.queries() }),
  );
}
