/** Times out of the query engine: UTC (µs, as custody records have them) and Istanbul wall time. */

const istanbul = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Europe/Istanbul",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
  timeZoneName: "longOffset",
});

/**
 * The Europe/Istanbul wall time of a UTC time, ISO 8601 with its offset.
 *
 * @example
 * istanbulTime("2026-03-12T11:32:00.123456Z"); // "2026-03-12T14:32:00.123456+03:00"
 */
export function istanbulTime(utc: string): string {
  const date = new Date(utc);
  const parts = Object.fromEntries(istanbul.formatToParts(date).map((p) => [p.type, p.value]));
  const fraction = /\.(\d+)Z$/.exec(utc)?.[1];
  const offset = String(parts.timeZoneName ?? "GMT+03:00").replace("GMT", "") || "+00:00";
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${fraction ? `.${fraction}` : ""}${offset}`;
}

/** Both forms of a time, as every answer carries them. */
export function bothTimes(utc: string): { utc: string; istanbul: string } {
  return { utc, istanbul: istanbulTime(utc) };
}

/** SQL that renders a timestamptz column as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export const utcText = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
