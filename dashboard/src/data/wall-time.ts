/**
 * Wall times typed by people: `03.12.2026 14:32:05` (the dashboard's own
 * `DD.MM.YYYY HH:mm` with optional seconds, as a prosecutor's letter writes
 * it) or ISO `2026-12-03T14:32`, read in the zone the header shows, to the
 * ISO time with its offset the API takes; and back. A text field, not
 * `datetime-local`: the browser would show that in its own UI language
 * (`12/03/2026, 02:32 PM` is the 12th of March to a Turkish reader).
 * Türkiye has kept UTC+3 all year since 2016, so Istanbul is `+03:00`
 * (as `istanbulMidnightMs` in ../i18n/index.ts assumes).
 */
import type { Zone } from "../i18n/index.ts";

const OFFSET_MS: Record<Zone, number> = { istanbul: 3 * 3_600_000, utc: 0 };
const SUFFIX: Record<Zone, string> = { istanbul: "+03:00", utc: "Z" };

const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})[\sT]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const two = (value: string | undefined) => (value ?? "0").padStart(2, "0");

/**
 * A typed wall time read in `zone`, as ISO 8601 with the zone's offset;
 * undefined when it is not a real date and time.
 *
 * @example
 * wallToIso("03.12.2026 10:15", "istanbul"); // "2026-12-03T10:15:00+03:00"
 * wallToIso("2026-12-03T07:15:30", "utc"); // "2026-12-03T07:15:30Z"
 */
export function wallToIso(wall: string, zone: Zone): string | undefined {
  const text = wall.trim();
  const dotted = DOTTED.exec(text);
  const iso = ISO.exec(text);
  const [year, month, day, hour, minute, second] = dotted
    ? [dotted[3], dotted[2], dotted[1], dotted[4], dotted[5], dotted[6]]
    : iso
      ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]]
      : [];
  if (!year) return undefined;
  const result = `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${SUFFIX[zone]}`;
  const ms = Date.parse(result);
  // Date.parse rolls 31.02 over to March: a real date reads back the same.
  if (
    !Number.isFinite(ms) ||
    isoToWall(ms, zone, true) !==
      `${two(day)}.${two(month)}.${year} ${two(hour)}:${two(minute)}:${two(second)}`
  )
    return undefined;
  return result;
}

/**
 * An instant as a person types it in `zone`: `DD.MM.YYYY HH:mm`, with
 * `:ss` when the seconds are not zero (or always, with `seconds`).
 *
 * @example
 * isoToWall("2026-12-03T07:15:00Z", "istanbul"); // "03.12.2026 10:15"
 */
export function isoToWall(instant: string | number | Date, zone: Zone, seconds = false): string {
  const ms = new Date(instant).getTime();
  if (!Number.isFinite(ms)) return "";
  const text = new Date(ms + OFFSET_MS[zone]).toISOString();
  const wall = `${text.slice(8, 10)}.${text.slice(5, 7)}.${text.slice(0, 4)} ${text.slice(11, 16)}`;
  const ss = text.slice(17, 19);
  return seconds || ss !== "00" ? `${wall}:${ss}` : wall;
}
