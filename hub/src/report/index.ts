/**
 * The monthly compliance report of a hotel (docs/compliance-report.md): per
 * agent, the UTC hours expected, sealed, verified and time-stamped (and how
 * many of those only by the development TSA, which has no legal value); the
 * missing and failed hours; datagrams the agents recorded as lost; clock
 * findings; chunks purged. One data builder, two renderings (CSV, PDF).
 */

import { and, asc, eq, gte, lt } from "drizzle-orm";
import { parseManifest } from "../../../shared/src/custody/index.ts";
import {
  DEVELOPMENT_TSA,
  DEVELOPMENT_TSA_POLICY_OID,
  QUALIFIED_TSA_ADVICE,
} from "../../../shared/src/timestamp/development-tsa.ts";
import { RefusedRequestError } from "../errors.ts";
import { csvField } from "../net/csv.ts";
import { findHotelIn } from "../query/hotels.ts";
import { type ReadScope, scopedRead } from "../query/scope.ts";
import { expectedHours, type HourCoverage, hourCoverage } from "../rollup/coverage.ts";
import { type Agent, type ChunkRow, type Db, type Hotel, tables } from "../store/index.ts";
import { DEFAULT_SKEW_THRESHOLD_MS } from "./thresholds.ts";

export { complianceReportPdf } from "./pdf.ts";
export { DEFAULT_SKEW_THRESHOLD_MS };

const HOUR_MS = 3_600_000;

export interface AgentCompliance {
  agent_id: string;
  hours_expected: number;
  hours_sealed: number;
  hours_verified: number;
  hours_timestamped: number;
  /**
   * Of `hours_timestamped`, hours with a part time-stamped by LogMaster's
   * built-in development TSA: time-stamped, but with no legal value.
   */
  hours_timestamped_dev_tsa: number;
  /** Hours (`YYYY-MM-DDTHH`) with no chunk or with a part missing. */
  missing_hours: string[];
  /** Hours with a chunk that failed verification. */
  failed_hours: string[];
  /** Sum of the manifests' `gap_lost`: datagrams the agent received but could not keep. */
  gap_lost: number;
  /** Chunks whose manifest says the agent clock was not NTP-synchronised. */
  unsynchronized_chunks: number;
  /** Hub minus agent clock at the agent's last batch (ms); null when never reported. */
  last_clock_skew_ms: number | null;
  clock_skew_flagged: boolean;
}

export interface ComplianceReport {
  hotel_id: string;
  hotel_name: string;
  /** `YYYY-MM`. */
  month: string;
  generated_at: string;
  /** Hours counted up to here (the month's end, or the last ended hour). */
  counted_until: string;
  skew_threshold_ms: number;
  /** Set when hours were time-stamped by the development TSA: what that means and what to do. */
  timestamp_warning: string | null;
  agents: AgentCompliance[];
  totals: Omit<
    AgentCompliance,
    "agent_id" | "missing_hours" | "failed_hours" | "last_clock_skew_ms" | "clock_skew_flagged"
  > & {
    missing_hours: number;
    failed_hours: number;
  };
  /** Chunks of this hotel purged past retention during the month (from the audit log). */
  chunks_purged: number;
}

/** A report request the hub refuses. */
export class ReportError extends RefusedRequestError {
  override readonly name = "ReportError";
}

/** A chunk time-stamped by the development TSA (recognised by the policy of the token the hub verified). */
function stampedByDevelopmentTsa(row: ChunkRow): boolean {
  return (
    row.timestampStatus === "timestamped" && row.timestampPolicy === DEVELOPMENT_TSA_POLICY_OID
  );
}

/** The report's sentence on development time-stamps, or null when there are none. */
function timestampWarning(devHours: number, stampedHours: number): string | null {
  if (devHours === 0) return null;
  return `${devHours} of the ${stampedHours} time-stamped hours were time-stamped by ${DEVELOPMENT_TSA}: these time-stamps have no legal value; ${QUALIFIED_TSA_ADVICE}`;
}

function monthRange(month: string): { from: Date; to: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const monthIndex = Number(match?.[2]) - 1;
  if (!match || monthIndex < 0 || monthIndex > 11)
    throw new ReportError("--month must be a month like 2026-11");
  const year = Number(match[1]);
  return {
    from: new Date(Date.UTC(year, monthIndex, 1)),
    to: new Date(Date.UTC(year, monthIndex + 1, 1)),
  };
}

/** One agent's expected hours of a month with what the hub holds of each. */
export interface AgentMonth {
  agent: Agent;
  hours: { coverage: HourCoverage; rows: ChunkRow[] }[];
  /** The agent's sealed chunks of the month (with a manifest). */
  sealed: ChunkRow[];
}

/** What the hub holds of a hotel's month, hour by hour and agent by agent. */
export interface MonthCoverage {
  hotel: Hotel;
  from: Date;
  monthEnd: Date;
  /** Hours counted up to here: the month's end, or the last ended hour. */
  to: Date;
  agents: AgentMonth[];
}

/**
 * The one builder of a hotel's month of custody, for the compliance report
 * and the month view: the hotel, its agents and each expected hour's
 * coverage. With a scope (a caller's), it reads as the read role of that
 * scope, and another hotel answers 404 as an unknown one does.
 *
 * @example
 * const month = await monthCoverage(db, { hotel: "grand", month: "2026-11", scope });
 */
export async function monthCoverage(
  db: Db,
  input: { hotel: string; month: string; now?: Date | undefined; scope?: ReadScope | undefined },
): Promise<MonthCoverage> {
  const { from, to: monthEnd } = monthRange(input.month);
  const now = input.now ?? new Date();
  const to = new Date(Math.min(monthEnd.getTime(), Math.floor(now.getTime() / HOUR_MS) * HOUR_MS));
  const { agents, chunks } = tables;
  const read = await scopedRead(db, input.scope, async (tx) => {
    const hotel = await findHotelIn(tx, input.hotel, input.scope);
    if (!hotel) return undefined;
    const agentRows = await tx
      .select()
      .from(agents)
      .where(eq(agents.hotelId, hotel.id))
      .orderBy(asc(agents.id));
    const chunkRows = await tx
      .select()
      .from(chunks)
      .where(
        and(
          eq(chunks.hotelId, hotel.id),
          gte(chunks.hourStart, from),
          lt(chunks.hourStart, monthEnd),
        ),
      );
    return { hotel, agentRows, chunkRows };
  });
  if (!read) throw new ReportError(`no hotel with id or name "${input.hotel}"`, 404);
  const byAgentHour = new Map<string, ChunkRow[]>();
  for (const row of read.chunkRows) {
    const key = `${row.agentId}@${row.hourStart.getTime()}`;
    byAgentHour.set(key, [...(byAgentHour.get(key) ?? []), row]);
  }
  return {
    hotel: read.hotel,
    from,
    monthEnd,
    to,
    agents: read.agentRows.map((agent) => ({
      agent,
      hours: expectedHours(agent, from, to).map((hour) => {
        const rows = byAgentHour.get(`${agent.id}@${hour.getTime()}`) ?? [];
        return { coverage: hourCoverage(hour, rows), rows };
      }),
      sealed: read.chunkRows.filter((row) => row.agentId === agent.id && row.manifest),
    })),
  };
}

/**
 * The compliance numbers of a hotel's month, from the database.
 *
 * @example
 * const report = await buildComplianceReport(db, { hotel: "grand", month: "2026-11" });
 * report.totals.hours_verified;
 */
export async function buildComplianceReport(
  db: Db,
  input: {
    hotel: string;
    month: string;
    now?: Date;
    skewThresholdMs?: number;
    /** A caller's scope (the API); absent: hub-wide (the CLI on its data dir). */
    scope?: ReadScope | undefined;
  },
): Promise<ComplianceReport> {
  const now = input.now ?? new Date();
  const { hotel, from, monthEnd, to, agents } = await monthCoverage(db, { ...input, now });
  const threshold = input.skewThresholdMs ?? DEFAULT_SKEW_THRESHOLD_MS;
  const { auditLog } = tables;
  const reports: AgentCompliance[] = agents.map(({ agent, hours, sealed: own }) => {
    const coverage = hours.map((hour) => hour.coverage);
    const skew = agent.lastClockSkewMs;
    return {
      agent_id: agent.id,
      hours_expected: coverage.length,
      hours_sealed: coverage.filter((c) => c.sealed).length,
      hours_verified: coverage.filter((c) => c.verified).length,
      hours_timestamped: coverage.filter((c) => c.timestamped).length,
      hours_timestamped_dev_tsa: hours.filter(
        (hour) => hour.coverage.timestamped && hour.rows.some(stampedByDevelopmentTsa),
      ).length,
      missing_hours: coverage.filter((c) => c.missing.length > 0).map((c) => c.hour),
      failed_hours: coverage.filter((c) => c.failed.length > 0).map((c) => c.hour),
      gap_lost: own.reduce((sum, row) => sum + (row.gapLost ?? 0), 0),
      unsynchronized_chunks: own.filter(
        (row) =>
          row.manifest && parseManifest(row.manifest).manifest.clock.ntp_synchronized === false,
      ).length,
      last_clock_skew_ms: skew,
      clock_skew_flagged: skew !== null && Math.abs(skew) > threshold,
    };
  });
  const sum = (pick: (a: AgentCompliance) => number) => reports.reduce((n, a) => n + pick(a), 0);
  const purgeRows = await db
    .select({ chunks: auditLog.chunks, detail: auditLog.detail })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, "purge"),
        eq(auditLog.hotelId, hotel.id),
        gte(auditLog.at, from),
        lt(auditLog.at, monthEnd),
      ),
    );
  return {
    hotel_id: hotel.id,
    hotel_name: hotel.name,
    month: input.month,
    generated_at: now.toISOString(),
    counted_until: to.toISOString(),
    skew_threshold_ms: threshold,
    timestamp_warning: timestampWarning(
      sum((a) => a.hours_timestamped_dev_tsa),
      sum((a) => a.hours_timestamped),
    ),
    agents: reports,
    totals: {
      hours_expected: sum((a) => a.hours_expected),
      hours_sealed: sum((a) => a.hours_sealed),
      hours_verified: sum((a) => a.hours_verified),
      hours_timestamped: sum((a) => a.hours_timestamped),
      hours_timestamped_dev_tsa: sum((a) => a.hours_timestamped_dev_tsa),
      missing_hours: sum((a) => a.missing_hours.length),
      failed_hours: sum((a) => a.failed_hours.length),
      gap_lost: sum((a) => a.gap_lost),
      unsynchronized_chunks: sum((a) => a.unsynchronized_chunks),
    },
    chunks_purged: purgeRows
      .filter((row) => (row.detail as { dry_run?: boolean }).dry_run !== true)
      .reduce((n, row) => n + row.chunks.length, 0),
  };
}

export const COMPLIANCE_CSV_COLUMNS = [
  "hotel_id",
  "month",
  "agent_id",
  "hours_expected",
  "hours_sealed",
  "hours_verified",
  "hours_timestamped",
  "hours_timestamped_dev_tsa",
  "missing_hours",
  "failed_hours",
  "gap_lost",
  "unsynchronized_chunks",
  "last_clock_skew_ms",
  "clock_skew_flagged",
  "missing_hour_list",
  "failed_hour_list",
] as const;

/**
 * The report as CSV (UTF-8, CRLF line ends per RFC 4180): one row per agent,
 * then a `TOTAL` row (agent_id `TOTAL`, purged chunks in its last column).
 *
 * @example
 * await Bun.write("report.csv", complianceReportCsv(report));
 */
export function complianceReportCsv(report: ComplianceReport): string {
  const rows: (string | number | boolean | null)[][] = [[...COMPLIANCE_CSV_COLUMNS]];
  for (const agent of report.agents) {
    rows.push([
      report.hotel_id,
      report.month,
      agent.agent_id,
      agent.hours_expected,
      agent.hours_sealed,
      agent.hours_verified,
      agent.hours_timestamped,
      agent.hours_timestamped_dev_tsa,
      agent.missing_hours.length,
      agent.failed_hours.length,
      agent.gap_lost,
      agent.unsynchronized_chunks,
      agent.last_clock_skew_ms === null ? null : Math.round(agent.last_clock_skew_ms),
      agent.clock_skew_flagged,
      agent.missing_hours.join(" "),
      agent.failed_hours.join(" "),
    ]);
  }
  const t = report.totals;
  rows.push([
    report.hotel_id,
    report.month,
    "TOTAL",
    t.hours_expected,
    t.hours_sealed,
    t.hours_verified,
    t.hours_timestamped,
    t.hours_timestamped_dev_tsa,
    t.missing_hours,
    t.failed_hours,
    t.gap_lost,
    t.unsynchronized_chunks,
    null,
    report.agents.some((a) => a.clock_skew_flagged),
    "",
    `chunks_purged=${report.chunks_purged}`,
  ]);
  return `${rows.map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}
