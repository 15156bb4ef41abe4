/**
 * A custody month laid out for the calendar: the hub counts UTC hours of a
 * UTC month (hub/src/report/month.ts); people read their own wall clock, so
 * each hour goes to the row of its day and the column of its hour in the
 * zone shown. Pure functions: the page's tests prove them.
 */
import type { CustodyMonth, HourState } from "../../api/types.ts";
import type { MessageKey } from "../../i18n/index.ts";
import { formatDate, formatTime, type Zone } from "../../i18n/index.ts";

const HOUR_MS = 3_600_000;

/**
 * What a calendar cell shows: the hub's state of an ended hour, or
 * - `running`: the hour now (the hub counts ended hours only);
 * - `future`: not begun yet;
 * - `outside`: a cell of the grid whose hour belongs to the month before or after.
 */
export type CellState = HourState | "running" | "future" | "outside";

/** The legend's order: good to bad, then the hours with no verdict. */
export const LEGEND_STATES: readonly CellState[] = [
  "verified",
  "awaiting_timestamp",
  "gap",
  "missing",
  "failed",
  "no_agent",
  "running",
  "future",
];

export const STATE_LABEL: Record<CellState, MessageKey> = {
  verified: "custody.state.verified",
  awaiting_timestamp: "custody.state.awaiting_timestamp",
  gap: "custody.state.gap",
  missing: "custody.state.missing",
  failed: "custody.state.failed",
  no_agent: "custody.state.no_agent",
  running: "custody.state.running",
  future: "custody.state.future",
  outside: "custody.state.outside",
};

/** A glyph per state, so the calendar does not rely on colour alone (WCAG 1.4.1). */
export const STATE_GLYPH: Record<CellState, string> = {
  verified: "✓",
  awaiting_timestamp: "◷",
  gap: "≈",
  missing: "!",
  failed: "✕",
  no_agent: "–",
  running: "▸",
  future: "",
  outside: "",
};

export interface HourCell {
  /** `YYYY-MM-DDTHH`, UTC: the hub's hour (the export's `hour`). */
  hour: string;
  startMs: number;
  state: CellState;
  /** Agent ids of the hour, with their own states (several agents: the worst wins). */
  agents: CustodyMonth["hours"][number]["agents"];
}

export interface DayRow {
  /** The wall date in the zone shown, `YYYY-MM-DD` (the URL's `day`). */
  day: string;
  /** 24 cells, hour 0 to 23 of the wall clock; null where the hour is another month's. */
  cells: (HourCell | null)[];
}

/** `YYYY-MM` of an instant, UTC (the hub's months are UTC months). */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** The month `delta` months from `month` (`YYYY-MM`). */
export function shiftMonth(month: string, delta: number): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  return monthOf(Date.UTC(year, mon - 1 + delta, 1));
}

/** The wall date (`YYYY-MM-DD`) and hour (0–23) of an instant in a zone. */
export function wallOf(ms: number, zone: Zone): { day: string; hour: number } {
  const [dd, mm, yyyy] = formatDate(ms, { zone }).split(".");
  return { day: `${yyyy}-${mm}-${dd}`, hour: Number(formatTime(ms, { zone }).slice(0, 2)) };
}

function cellState(
  known: Map<string, CustodyMonth["hours"][number]>,
  hour: string,
  startMs: number,
  nowMs: number,
): CellState {
  const counted = known.get(hour);
  if (counted) return counted.state;
  if (startMs <= nowMs && nowMs < startMs + HOUR_MS) return "running";
  if (startMs > nowMs) return "future";
  // Ended but not counted yet (the hub's answer is a moment old): the hour now.
  return "running";
}

/**
 * The month as calendar rows: every UTC hour of the month in the row of its
 * wall date and the column of its wall hour in `zone`.
 *
 * @example
 * monthGrid(month, "istanbul", Date.now())[0].cells[3]?.hour; // "2026-12-01T00" (03:00 in Istanbul)
 */
export function monthGrid(month: CustodyMonth, zone: Zone, nowMs: number): DayRow[] {
  const known = new Map(month.hours.map((hour) => [hour.hour, hour]));
  const [year, mon] = month.month.split("-").map(Number) as [number, number];
  const fromMs = Date.UTC(year, mon - 1, 1);
  const toMs = Date.UTC(year, mon, 1);
  const rows = new Map<string, DayRow>();
  for (let startMs = fromMs; startMs < toMs; startMs += HOUR_MS) {
    const hour = new Date(startMs).toISOString().slice(0, 13);
    const wall = wallOf(startMs, zone);
    let row = rows.get(wall.day);
    if (!row) {
      row = { day: wall.day, cells: Array.from({ length: 24 }, () => null) };
      rows.set(wall.day, row);
    }
    row.cells[wall.hour] = {
      hour,
      startMs,
      state: cellState(known, hour, startMs, nowMs),
      agents: known.get(hour)?.agents ?? [],
    };
  }
  return [...rows.values()];
}

/** Türkiye has kept UTC+3 all year since 2016 (as `istanbulMidnightMs` in ../../i18n). */
const ZONE_OFFSET_MS: Record<Zone, number> = { istanbul: 3 * HOUR_MS, utc: 0 };

/**
 * A wall day of the zone as instants, and the UTC days it touches: the hub
 * lists chunks by UTC day, an Istanbul day spans two.
 *
 * @example
 * dayRange("2026-12-03", "istanbul").utcDays; // ["2026-12-02", "2026-12-03"]
 */
export function dayRange(
  day: string,
  zone: Zone,
): { fromMs: number; toMs: number; utcDays: string[] } {
  const fromMs = Date.parse(`${day}T00:00:00Z`) - ZONE_OFFSET_MS[zone];
  const toMs = fromMs + 24 * HOUR_MS;
  const utcDays = [
    ...new Set([fromMs, toMs - 1].map((ms) => new Date(ms).toISOString().slice(0, 10))),
  ];
  return { fromMs, toMs, utcDays };
}

/** Hours the month's summary names after the verified ones, worst first. */
const SUMMARY_PARTS: readonly [HourState, MessageKey][] = [
  ["failed", "custody.summary.failed"],
  ["missing", "custody.summary.missing"],
  ["gap", "custody.summary.gap"],
  ["awaiting_timestamp", "custody.summary.awaiting_timestamp"],
  ["no_agent", "custody.summary.no_agent"],
];

/**
 * The month in one line: "712 of 720 hours verified; 3 awaiting time-stamp; 5 missing".
 *
 * @example
 * monthSummary(month, t); // "712 of 720 hours verified; 5 missing; 3 awaiting time-stamp"
 */
export function monthSummary(
  month: CustodyMonth,
  translate: (key: MessageKey, params?: Record<string, number>) => string,
): string {
  const counted = month.hours.length;
  if (counted === 0) return translate("custody.summary.none");
  const totals = month.totals as Partial<Record<HourState, number>>;
  const parts = [
    translate("custody.summary.verified", { verified: totals.verified ?? 0, counted }),
  ];
  for (const [state, key] of SUMMARY_PARTS) {
    const count = totals[state] ?? 0;
    if (count > 0) parts.push(translate(key, { count }));
  }
  return parts.join("; ");
}
