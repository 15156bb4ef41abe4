/**
 * The audit log as a caller may read it: every row for a chain-wide caller
 * (as the hub's own user); for one bound to hotels, the rows about those
 * hotels, read as the read role (migration 0008's row-level security) and
 * with the code's hotel condition too. A row about no hotel (a login, an
 * account change) matches no scope: it is the chain-wide accounts' only.
 */
import { type AuditEntry, type Db, listAudit, tables } from "../store/index.ts";
import { hotelCondition, type ReadScope, scopedRead } from "./scope.ts";

/**
 * The newest `limit` rows the caller may read, newest first.
 *
 * @example
 * const rows = await auditInScope(db, scope, 100); // scope undefined: the whole chain
 */
export function auditInScope(
  db: Db,
  scope: ReadScope | undefined,
  limit: number,
): Promise<AuditEntry[]> {
  return scopedRead(db, scope, (tx) =>
    listAudit(tx, limit, hotelCondition(tables.auditLog.hotelId, scope)),
  );
}
