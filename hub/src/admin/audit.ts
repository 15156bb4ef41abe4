/**
 * The audit log for chain admins and auditors: the newest rows, and the
 * check of its hash chain (`logmaster-hub audit list|verify`).
 */

import { z } from "zod";
import { csvField } from "../net/csv.ts";
import {
  type AuditEntry,
  type AuditVerdict,
  type Db,
  listAudit,
  verifyAuditChain,
} from "../store/index.ts";
import type { AdminCall } from "./users.ts";

export const auditListSchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, "--limit must be 1 or more")
    .max(10_000, "--limit must be at most 10000")
    .default(100),
});

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
  auditLog(input: { limit: number }): Promise<AuditView[]>;
  /** Walk the whole chain; `broken` names the first row that does not hold. */
  verifyAudit(): Promise<AuditVerdict>;
}

export function localAuditAdmin(db: Db): AuditAdmin {
  return {
    auditLog: async ({ limit }) => (await listAudit(db, limit)).map(auditView),
    verifyAudit: () => verifyAuditChain(db),
  };
}

export function remoteAuditAdmin(call: AdminCall): AuditAdmin {
  return {
    auditLog: ({ limit }) => call("GET", `/audit?limit=${limit}`),
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
