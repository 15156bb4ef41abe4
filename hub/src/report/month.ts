/**
 * A hotel's month hour by hour, for the dashboard's calendar: each UTC hour
 * with one custody state, from the same coverage the compliance report
 * counts (monthCoverage), so the calendar and the report never disagree.
 */
import { z } from "zod";
import type { ReadScope } from "../query/scope.ts";
import type { HourCoverage } from "../rollup/coverage.ts";
import type { Db } from "../store/index.ts";
import { monthCoverage } from "./index.ts";

const HOUR_MS = 3_600_000;

/**
 * Worst first: an hour takes the worst state of its agents' hours.
 * - `failed`: a part failed verification (the hub's copy does not match the signed manifest);
 * - `missing`: no sealed chunk of the hour;
 * - `gap`: sealed, but a part is missing or the agent recorded lost datagrams;
 * - `awaiting_timestamp`: verified, a part not time-stamped yet;
 * - `verified`: verified and time-stamped;
 * - `no_agent`: no agent of the hotel was enrolled (and not revoked) then.
 */
export const HOUR_STATES = [
  "failed",
  "missing",
  "gap",
  "awaiting_timestamp",
  "verified",
  "no_agent",
] as const;
export type HourState = (typeof HOUR_STATES)[number];

const hourStateSchema = z.enum(HOUR_STATES);

export const custodyMonthSchema = z.object({
  hotel_id: z.string(),
  /** `YYYY-MM`. */
  month: z.string(),
  /** Hours counted up to here (the month's end, or the last ended hour). */
  counted_until: z.string(),
  hours: z.array(
    z.object({
      /** `YYYY-MM-DDTHH`, UTC. */
      hour: z.string(),
      state: hourStateSchema,
      agents: z.array(
        z.object({
          agent_id: z.string(),
          state: hourStateSchema,
          /** Chunk ids (or the hour) with no sealed chunk. */
          missing: z.array(z.string()),
          /** Chunk ids that failed verification. */
          failed: z.array(z.string()),
        }),
      ),
    }),
  ),
  /** Hours per state. */
  totals: z.record(hourStateSchema, z.number().int()),
});
export type CustodyMonth = z.infer<typeof custodyMonthSchema>;

function agentHourState(coverage: HourCoverage, gapLost: number): HourState {
  if (coverage.failed.length > 0) return "failed";
  if (!coverage.sealed) return "missing";
  if (coverage.missing.length > 0 || gapLost > 0) return "gap";
  return coverage.timestamped ? "verified" : "awaiting_timestamp";
}

const worst = (states: readonly HourState[]): HourState =>
  states.reduce<HourState>(
    (a, b) => (HOUR_STATES.indexOf(b) < HOUR_STATES.indexOf(a) ? b : a),
    "no_agent",
  );

/**
 * Every counted hour of a hotel's month with its custody state.
 *
 * @example
 * const month = await custodyMonth(db, { hotel: "grand", month: "2026-11", scope });
 * month.hours[0]; // { hour: "2026-11-01T00", state: "verified", agents: [...] }
 */
export async function custodyMonth(
  db: Db,
  input: { hotel: string; month: string; now?: Date; scope?: ReadScope | undefined },
): Promise<CustodyMonth> {
  const coverage = await monthCoverage(db, input);
  const byHour = new Map<string, CustodyMonth["hours"][number]["agents"]>();
  for (let t = coverage.from.getTime(); t < coverage.to.getTime(); t += HOUR_MS) {
    byHour.set(new Date(t).toISOString().slice(0, 13), []);
  }
  for (const { agent, hours } of coverage.agents) {
    for (const { coverage: hour, rows } of hours) {
      const gapLost = rows.reduce((sum, row) => sum + (row.gapLost ?? 0), 0);
      byHour.get(hour.hour)?.push({
        agent_id: agent.id,
        state: agentHourState(hour, gapLost),
        missing: hour.missing,
        failed: hour.failed,
      });
    }
  }
  const hours = [...byHour].map(([hour, agents]) => ({
    hour,
    state: worst(agents.map((agent) => agent.state)),
    agents,
  }));
  const totals = Object.fromEntries(HOUR_STATES.map((state) => [state, 0])) as Record<
    HourState,
    number
  >;
  for (const hour of hours) totals[hour.state]++;
  return {
    hotel_id: coverage.hotel.id,
    month: input.month,
    counted_until: coverage.to.toISOString(),
    hours,
    totals,
  };
}
