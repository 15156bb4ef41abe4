/**
 * The audit log for chain admins and auditors: the newest rows (filtered:
 * hub/src/query/audit.ts), and the check of its hash chain
 * (`logmaster-hub audit list|verify`).
 */

import { csvField } from "../net/csv.ts";
import { type AuditListRequest, auditInScope, auditListParams } from "../query/audit.ts";
import { type AuditEntry, type AuditVerdict, type Db, verifyAuditChain } from "../store/index.ts";
import type { AdminCall } from "./users.ts";

/** A row as the API and the CLI show it. */
export interface AuditView {
  id: number;
  at: string;
  actor: string;
  action: string;
  hotel_id: string | null;
  detail: unknown;
  chunks: string[];
  row_sha256: string | null;
}

export const auditView = (row: AuditEntry): AuditView => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  hotel_id: row.hotelId,
  detail: row.detail,
  chunks: row.chunks,
  row_sha256: row.rowSha256,
});

export interface AuditAdmin {
  /** The newest rows that pass the request's filters, every hotel's and those of no hotel. */
  auditLog(input: AuditListRequest): Promise<AuditView[]>;
  /** Walk the whole chain; `broken` names the first row that does not hold. */
  verifyAudit(): Promise<AuditVerdict>;
}

export function localAuditAdmin(db: Db): AuditAdmin {
  return {
    auditLog: async (input) => (await auditInScope(db, undefined, input)).map(auditView),
    verifyAudit: () => verifyAuditChain(db),
  };
}

export function remoteAuditAdmin(call: AdminCall): AuditAdmin {
  return {
    auditLog: (input) => call("GET", `/audit?${new URLSearchParams(auditListParams(input))}`),
    verifyAudit: () => call("GET", "/audit/verify"),
  };
}

/** The columns of the audit log's CSV export. */
export function auditCsv(rows: readonly AuditView[]): string {
  const cell = (value: unknown) =>
    csvField(
      value === null || value === undefined
        ? null
        : typeof value === "string"
          ? value
          : JSON.stringify(value),
    );
  const columns = [
    "id",
    "at",
    "actor",
    "action",
    "hotel_id",
    "detail",
    "chunks",
    "row_sha256",
  ] as const;
  return [
    columns.join(","),
    ...rows.map((row) => columns.map((column) => cell(row[column])).join(",")),
  ]
    .map((line) => `${line}\r\n`)
    .join("");
}
