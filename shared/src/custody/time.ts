import { z } from "zod";
import { CustodyError } from "./errors.ts";

/**
 * Time in the custody format: always UTC, always fixed width, so that the text
 * sorts like the instant and an auditor can compare values as strings.
 *
 * - record time: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (exactly 6 fractional digits)
 * - hour:        `YYYY-MM-DDTHH:00:00Z`
 *
 * Microseconds travel as integers (number or bigint), never as floating
 * seconds: a float cannot hold today's epoch in µs past 2^53 without rounding.
 */

const MICROS_PER_SECOND = 1_000_000;
const MS_PER_HOUR = 3_600_000;
/** 10000-01-01T00:00:00Z: the 4-digit year of the format ends here. */
const END_OF_YEAR_9999_S = 253_402_300_800;

const MICROS_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const HOUR_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/;

// The agent formats ~100k timestamps per second, nearly all within the same
// second: keep the `YYYY-MM-DDTHH:MM:SS.` prefix of the last second seen
// instead of asking Date for it every time.
let cachedSecond = -1;
let cachedSecondPrefix = "";

function secondPrefix(epochSeconds: number): string {
  if (epochSeconds !== cachedSecond) {
    cachedSecondPrefix = new Date(epochSeconds * 1000).toISOString().slice(0, 20);
    cachedSecond = epochSeconds;
  }
  return cachedSecondPrefix;
}

function splitMicros(us: number | bigint): [epochSeconds: number, micros: number] {
  if (typeof us === "bigint") {
    if (us < 0n || us >= BigInt(END_OF_YEAR_9999_S) * 1_000_000n) {
      throw new CustodyError("invalid_argument", `time ${us} µs is outside 1970..9999`);
    }
    return [Number(us / 1_000_000n), Number(us % 1_000_000n)];
  }
  if (!Number.isSafeInteger(us) || us < 0) {
    throw new CustodyError(
      "invalid_argument",
      `time must be a non-negative integer count of µs since 1970 (safe integer or bigint), got ${us}`,
    );
  }
  // `%` is exact on integers; dividing first could round x.999999 up to x+1.
  const micros = us % MICROS_PER_SECOND;
  return [(us - micros) / MICROS_PER_SECOND, micros];
}

/**
 * Format µs since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
 *
 * @example
 * formatMicrosUtc(1795334400123456n) // "2026-11-22T08:00:00.123456Z"
 */
export function formatMicrosUtc(us: number | bigint): string {
  const [epochSeconds, micros] = splitMicros(us);
  return `${secondPrefix(epochSeconds)}${String(micros).padStart(6, "0")}Z`;
}

/** The calendar check both patterns need: Date must print the same second back. */
function isRealSecond(text19: string): boolean {
  const ms = Date.parse(`${text19}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === text19;
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, a real calendar second (no Feb 30, no leap second `:60`). */
export const microsUtcSchema = z
  .string()
  .regex(MICROS_UTC_PATTERN, "must be UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ (6 fractional digits)")
  .refine((text) => isRealSecond(text.slice(0, 19)), "is not a real calendar time");

/** `YYYY-MM-DDTHH:00:00Z`, a real calendar hour. */
export const hourUtcSchema = z
  .string()
  .regex(HOUR_UTC_PATTERN, "must be a UTC hour as YYYY-MM-DDTHH:00:00Z")
  .refine((text) => isRealSecond(text.slice(0, 19)), "is not a real calendar hour");

/**
 * µs since the epoch of a `YYYY-MM-DDTHH:MM:SS.ffffffZ` string (until 2255,
 * where µs leave the safe-integer range).
 *
 * @example
 * parseMicrosUtc("2026-11-22T08:00:00.123456Z") // 1795334400123456
 */
export function parseMicrosUtc(ts: string): number {
  const checked = microsUtcSchema.safeParse(ts);
  if (!checked.success)
    throw new CustodyError("invalid_argument", `time "${ts}" ${checked.error.issues[0]?.message}`);
  const us = Date.parse(`${ts.slice(0, 19)}Z`) * 1000 + Number(ts.slice(20, 26));
  if (!Number.isSafeInteger(us))
    throw new CustodyError("invalid_argument", `time "${ts}" is beyond 2255`);
  return us;
}

function hourOfIso(iso: string): string {
  return `${iso.slice(0, 13)}:00:00Z`;
}

/**
 * The chunk hour (`hour_start`) that contains an instant.
 *
 * @example
 * chunkHourOf(new Date("2026-11-22T08:59:59.999Z")) // "2026-11-22T08:00:00Z"
 */
export function chunkHourOf(at: Date): string {
  return hourOfIso(at.toISOString());
}

/**
 * {@link chunkHourOf} for a µs receive time, as the agent holds it.
 *
 * @example
 * chunkHourOfUs(1795334400123456) // "2026-11-22T08:00:00Z"
 */
export function chunkHourOfUs(us: number | bigint): string {
  return hourOfIso(formatMicrosUtc(us));
}

/**
 * The hour after `hourStart`: a chunk's `hour_end`, and the next chunk's `hour_start`.
 *
 * @example
 * hourAfter("2026-12-31T23:00:00Z") // "2027-01-01T00:00:00Z"
 */
export function hourAfter(hourStart: string): string {
  return hourOfIso(new Date(Date.parse(hourStart) + MS_PER_HOUR).toISOString());
}

/** Whole hours from `fromHour` to `toHour` (negative when `toHour` is earlier). */
export function hoursBetween(fromHour: string, toHour: string): number {
  return Math.round((Date.parse(toHour) - Date.parse(fromHour)) / MS_PER_HOUR);
}

/**
 * An hour (`YYYY-MM-DDTHH:00:00Z`) written as a record time
 * (`YYYY-MM-DDTHH:00:00.000000Z`), so that it compares as text with `ts`,
 * `window_start` and `window_end`.
 *
 * @example
 * hourAsMicrosUtc("2026-11-22T09:00:00Z") // "2026-11-22T09:00:00.000000Z"
 */
export function hourAsMicrosUtc(hour: string): string {
  return `${hour.slice(0, 19)}.000000Z`;
}

/**
 * Whether a record time lies in the receive-time window `[windowStart, windowEnd)`
 * of a chunk (all three are fixed-width record times, so text order is time order).
 */
export function isInWindow(ts: string, windowStart: string, windowEnd: string): boolean {
  return windowStart <= ts && ts < windowEnd;
}
