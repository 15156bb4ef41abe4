/**
 * The count of what a simulation made: lines by kind and by hotel, for the
 * summary `logmaster simulate` prints at the end (`--json`: the object itself).
 */
import { hotelHostname, type SimulatedLine, TRAFFIC_KINDS, type TrafficKind } from "./model.ts";

/** What was sent (or printed): the `--json` summary. */
export interface TrafficSummary {
  lines: number;
  seconds: number;
  /** Lines per second achieved over `seconds`. */
  eps: number;
  by_kind: Record<TrafficKind, number>;
  /** By router identity (`otel-1-gw`), every hotel listed. */
  by_hotel: Record<string, number>;
}

/**
 * Counts lines as they go out.
 *
 * @example
 * const tally = new TrafficTally(3);
 * for (const line of simulateTraffic(options)) tally.add(line);
 * tally.summary(10); // { lines: 1000, seconds: 10, eps: 100, by_kind: {...}, by_hotel: {...} }
 */
export class TrafficTally {
  private lines = 0;
  private readonly byKind = Object.fromEntries(TRAFFIC_KINDS.map((kind) => [kind, 0])) as Record<
    TrafficKind,
    number
  >;
  private readonly byHotel: number[];

  constructor(hotels: number) {
    this.byHotel = new Array<number>(hotels).fill(0);
  }

  add(line: Pick<SimulatedLine, "kind" | "hotel">): void {
    this.lines++;
    this.byKind[line.kind]++;
    this.byHotel[line.hotel - 1] = (this.byHotel[line.hotel - 1] ?? 0) + 1;
  }

  summary(seconds: number): TrafficSummary {
    return {
      lines: this.lines,
      seconds: Math.round(seconds * 1000) / 1000,
      eps: seconds > 0 ? Math.round(this.lines / seconds) : 0,
      by_kind: { ...this.byKind },
      by_hotel: Object.fromEntries(
        this.byHotel.map((count, index) => [hotelHostname(index + 1), count]),
      ),
    };
  }
}

/**
 * The summary for a person: totals, then one line per kind and per hotel.
 *
 * @example
 * formatTrafficSummary(summary);
 * // "sent 1000 lines in 10.0 s (100 lines/s)\n  firewall  923\n ..."
 */
export function formatTrafficSummary(summary: TrafficSummary, verb = "sent"): string {
  const rows = [
    `${verb} ${summary.lines} lines in ${summary.seconds.toFixed(1)} s (${summary.eps} lines/s)`,
    "by kind:",
    ...Object.entries(summary.by_kind).map(([kind, count]) => `  ${kind.padEnd(10)} ${count}`),
    "by hotel:",
    ...Object.entries(summary.by_hotel).map(([host, count]) => `  ${host.padEnd(14)} ${count}`),
  ];
  return rows.join("\n");
}
