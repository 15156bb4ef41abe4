/**
 * Which hours of an agent were expected, and what the hub holds of each: the
 * one place the day roll-up and the compliance report learn "missing" and
 * "failed" from (custody format §7: every hour has parts 0..k with contiguous
 * windows, the last ending at the hour's end).
 */
import { chunkId } from "../../../shared/src/custody/index.ts";
import type { ChunkRow } from "../store/index.ts";

const HOUR_MS = 3_600_000;

/** The UTC hours (their starts) of `[from, to)` an agent was expected to cover: from its enrollment hour until its revocation. */
export function expectedHours(
  agent: { enrolledAt: Date; revokedAt: Date | null },
  from: Date,
  to: Date,
): Date[] {
  const enrolledHour = Math.floor(agent.enrolledAt.getTime() / HOUR_MS) * HOUR_MS;
  const start = Math.max(from.getTime(), enrolledHour);
  const end = Math.min(to.getTime(), agent.revokedAt?.getTime() ?? Number.POSITIVE_INFINITY);
  const hours: Date[] = [];
  for (let t = start; t < end; t += HOUR_MS) hours.push(new Date(t));
  return hours;
}

/** What the hub holds of one agent's hour. */
export interface HourCoverage {
  /** `YYYY-MM-DDTHH`. */
  hour: string;
  /** At least one sealed chunk (verified or failed). */
  sealed: boolean;
  /** Every part present, contiguous up to the hour's end, and verified. */
  verified: boolean;
  /** Verified and every part time-stamped. */
  timestamped: boolean;
  /** The hour, or the ids of the parts, with no sealed chunk. */
  missing: string[];
  /** Ids of the parts that failed verification. */
  failed: string[];
}

/** Coverage of one hour from the agent's sealed chunk rows of that hour (any order). */
export function hourCoverage(hourStart: Date, rows: readonly ChunkRow[]): HourCoverage {
  const hourIso = hourStart.toISOString();
  const hour = chunkId(hourIso, 0);
  const sealed = rows
    .filter((row) => row.manifest !== null && row.status !== "open")
    .sort((a, b) => a.part - b.part);
  if (sealed.length === 0) {
    return {
      hour,
      sealed: false,
      verified: false,
      timestamped: false,
      missing: [hour],
      failed: [],
    };
  }
  const missing: string[] = [];
  const parts = new Set(sealed.map((row) => row.part));
  const lastPart = Math.max(...parts);
  for (let part = 0; part < lastPart; part++) {
    if (!parts.has(part)) missing.push(chunkId(hourIso, part));
  }
  const hourEnd = `${new Date(hourStart.getTime() + HOUR_MS).toISOString().slice(0, 19)}.000000Z`;
  const last = sealed.at(-1);
  if (last && last.windowEnd !== hourEnd) missing.push(chunkId(hourIso, lastPart + 1));
  const failed = sealed
    .filter((row) => row.status === "failed")
    .map((row) => chunkId(hourIso, row.part));
  const verified = missing.length === 0 && failed.length === 0;
  return {
    hour,
    sealed: true,
    verified,
    timestamped: verified && sealed.every((row) => row.timestampStatus === "timestamped"),
    missing,
    failed,
  };
}
