import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { PDFDict, PDFDocument, PDFName } from "pdf-lib";
import { DEVELOPMENT_TSA_POLICY_OID } from "../../../shared/src/timestamp/development-tsa.ts";
import { addAgentRow, addHotelRow, addSealedChunk, openScratchStore } from "../store/fixtures.ts";
import { type Db, tables } from "../store/index.ts";
import {
  buildComplianceReport,
  COMPLIANCE_CSV_COLUMNS,
  complianceReportCsv,
  complianceReportPdf,
} from "./index.ts";

describe("compliance report of a constructed month", () => {
  let store: { db: Db; close(): Promise<void> };
  const now = new Date("2026-12-01T00:30:00Z");
  beforeAll(async () => {
    store = await openScratchStore();
    const { db } = store;
    await db.insert(tables.hotels).values({ id: "kas", name: "Otel Kaş Şirinköy" });
    await addHotelRow(db, "other");
    // Expected: 2026-11-30 20:00..23:00, four hours.
    await addAgentRow(db, {
      id: "kas-aaaaaaaa",
      hotelId: "kas",
      enrolledAt: new Date("2026-11-30T20:15:00Z"),
      clockSkewMs: -3_500,
    });
    await addAgentRow(db, {
      id: "kas-bbbbbbbb",
      hotelId: "kas",
      enrolledAt: new Date("2026-11-30T23:00:00Z"),
      clockSkewMs: 120,
    });
    const a = { hotelId: "kas", agentId: "kas-aaaaaaaa" };
    await addSealedChunk(db, { ...a, hour: "2026-11-30T20", gapLost: 5 });
    await addSealedChunk(db, {
      ...a,
      hour: "2026-11-30T21",
      gapLost: 7,
      timestampStatus: "awaiting",
      ntpSynchronized: false,
    });
    await addSealedChunk(db, { ...a, hour: "2026-11-30T22", status: "failed" });
    await addSealedChunk(db, { hotelId: "kas", agentId: "kas-bbbbbbbb", hour: "2026-11-30T23" });
    // Agent b's hour was time-stamped by the development TSA (the policy the hub recorded).
    await db
      .update(tables.chunks)
      .set({ timestampPolicy: DEVELOPMENT_TSA_POLICY_OID })
      .where(and(eq(tables.chunks.agentId, "kas-bbbbbbbb"), eq(tables.chunks.part, 0)));
    // Another hotel's data never counts.
    await addAgentRow(db, {
      id: "other-cccccccc",
      hotelId: "other",
      enrolledAt: new Date("2026-11-01T00:00:00Z"),
    });
    await db.insert(tables.auditLog).values([
      {
        actor: "hub:daily-job",
        action: "purge",
        hotelId: "kas",
        at: new Date("2026-11-10T00:00:00Z"),
        detail: { dry_run: false },
        chunks: ["x/1", "x/2"],
      },
      {
        actor: "cli:a",
        action: "purge",
        hotelId: "kas",
        at: new Date("2026-11-11T00:00:00Z"),
        detail: { dry_run: true },
        chunks: ["x/3"],
      },
      {
        actor: "cli:a",
        action: "purge",
        hotelId: "kas",
        at: new Date("2026-10-31T00:00:00Z"),
        detail: { dry_run: false },
        chunks: ["x/4"],
      },
    ]);
  });
  afterAll(() => store.close());

  test("hours expected / sealed / verified / timestamped, missing and failed, gaps, skew, purges", async () => {
    const report = await buildComplianceReport(store.db, { hotel: "kas", month: "2026-11", now });
    expect(report.hotel_name).toBe("Otel Kaş Şirinköy");
    const [a, b] = report.agents;
    expect(a).toEqual({
      agent_id: "kas-aaaaaaaa",
      hours_expected: 4,
      hours_sealed: 3,
      hours_verified: 2,
      hours_timestamped: 1,
      hours_timestamped_dev_tsa: 0,
      missing_hours: ["2026-11-30T23"],
      failed_hours: ["2026-11-30T22"],
      gap_lost: 12,
      unsynchronized_chunks: 1,
      last_clock_skew_ms: -3_500,
      clock_skew_flagged: true,
    });
    expect(b).toMatchObject({
      hours_expected: 1,
      hours_verified: 1,
      hours_timestamped: 1,
      hours_timestamped_dev_tsa: 1,
      clock_skew_flagged: false,
    });
    expect(report.totals).toEqual({
      hours_expected: 5,
      hours_sealed: 4,
      hours_verified: 3,
      hours_timestamped: 2,
      hours_timestamped_dev_tsa: 1,
      missing_hours: 1,
      failed_hours: 1,
      gap_lost: 12,
      unsynchronized_chunks: 1,
    });
    expect(report.chunks_purged).toBe(2);
    expect(report.timestamp_warning).toBe(
      "1 of the 2 time-stamped hours were time-stamped by LogMaster's built-in development TSA: these time-stamps have no legal value; configure TSA_URL with a qualified TSA (e.g. Kamu SM)",
    );
    // Mid-month: only ended hours count.
    const partial = await buildComplianceReport(store.db, {
      hotel: "kas",
      month: "2026-11",
      now: new Date("2026-11-30T22:10:00Z"),
    });
    expect(partial.totals.hours_expected).toBe(2);
    // No development time-stamp among the hours counted: no warning.
    expect(partial.timestamp_warning).toBeNull();
  });

  test("CSV: documented columns, one row per agent and a TOTAL row", async () => {
    const csv = complianceReportCsv(
      await buildComplianceReport(store.db, { hotel: "kas", month: "2026-11", now }),
    );
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(COMPLIANCE_CSV_COLUMNS.join(","));
    expect(lines[1]).toBe(
      "kas,2026-11,kas-aaaaaaaa,4,3,2,1,0,1,1,12,1,-3500,true,2026-11-30T23,2026-11-30T22",
    );
    expect(lines[2]).toBe("kas,2026-11,kas-bbbbbbbb,1,1,1,1,1,0,0,0,0,120,false,,");
    expect(lines[3]).toBe("kas,2026-11,TOTAL,5,4,3,2,1,1,1,12,1,,true,,chunks_purged=2");
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  test("PDF: a real PDF with an embedded font that draws Turkish letters", async () => {
    const pdf = await complianceReportPdf(
      await buildComplianceReport(store.db, { hotel: "kas", month: "2026-11", now }),
    );
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe("%PDF-");
    expect(pdf.byteLength).toBeGreaterThan(1_000);
    const fonts = (await PDFDocument.load(pdf)).context
      .enumerateIndirectObjects()
      .map(([, object]) =>
        object instanceof PDFDict ? object.get(PDFName.of("BaseFont")) : undefined,
      )
      .filter((name) => name !== undefined)
      .map(String);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toContain("DejaVuSans");
  });

  test("unknown hotel and bad month are refused with a reason", async () => {
    await expect(
      buildComplianceReport(store.db, { hotel: "nope", month: "2026-11" }),
    ).rejects.toThrow(/no hotel/);
    await expect(
      buildComplianceReport(store.db, { hotel: "kas", month: "2026-13" }),
    ).rejects.toThrow(/--month/);
  });
});
