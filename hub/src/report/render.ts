/**
 * A compliance report as it is handed out: the request (the CLI's flags and
 * the query of `GET /api/reports/compliance`), built in the caller's scope,
 * audit-logged, and rendered as CSV, PDF or JSON.
 */
import { z } from "zod";
import type { ReadScope } from "../query/scope.ts";
import { type Db, writeAudit } from "../store/index.ts";
import { buildComplianceReport, complianceReportCsv, complianceReportPdf } from "./index.ts";

export const reportRequestSchema = z.object({
  hotel: z.string().min(1, "--hotel is required"),
  month: z.string().regex(/^\d{4}-\d{2}$/, "--month must be a month like 2026-11"),
  format: z.enum(["csv", "pdf", "json"], { message: "--format must be csv or pdf" }).default("csv"),
  skew_ms: z.coerce.number().int().positive().optional(),
});
export type ReportRequest = z.input<typeof reportRequestSchema>;

/** A rendered report: the bytes and their media type. */
export interface RenderedReport {
  contentType: string;
  body: Uint8Array;
}

/**
 * A compliance report rendered in the requested format (audit-logged: it
 * reads per-hotel evidence facts).
 *
 * @example
 * const { contentType, body } = await renderComplianceReport(db, { hotel: "grand", month: "2026-11", format: "pdf", actor: "cli:alice" });
 */
export async function renderComplianceReport(
  db: Db,
  input: ReportRequest & { actor: string; scope?: ReadScope | undefined },
): Promise<RenderedReport> {
  const request = reportRequestSchema.parse(input);
  const report = await buildComplianceReport(db, {
    hotel: request.hotel,
    month: request.month,
    ...(request.skew_ms ? { skewThresholdMs: request.skew_ms } : {}),
    scope: input.scope,
  });
  await writeAudit(db, {
    actor: input.actor,
    action: "report",
    hotelId: report.hotel_id,
    detail: {
      month: request.month,
      format: request.format,
      ...(input.scope ? { scope: input.scope.hotels } : {}),
      rows: report.agents.length,
    },
  });
  if (request.format === "pdf")
    return { contentType: "application/pdf", body: await complianceReportPdf(report) };
  if (request.format === "json")
    return {
      contentType: "application/json",
      body: new TextEncoder().encode(JSON.stringify(report, null, 2)),
    };
  return {
    contentType: "text/csv; charset=utf-8",
    body: new TextEncoder().encode(complianceReportCsv(report)),
  };
}
