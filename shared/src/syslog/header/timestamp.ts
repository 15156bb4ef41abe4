/**
 * Every timestamp shape the header parsers meet, in one place: RFC 3339 (RFC 5424,
 * ISO in the RFC 3164 position, syslog servers' receive times), the BSD `Mmm dd
 * hh:mm:ss` of RFC 3164 with its year variants, and RouterOS `/log print` times.
 *
 * Scanners work on char codes from a start index and never allocate per character;
 * they return where the timestamp text ends so the caller can keep the raw text.
 * Times without a zone are read in the device's zone (`offsetMinutes`); times without
 * a year or date take them from the receive time.
 */

import { SlotCache } from "./slot-cache.ts";

/** What the caller knows about when and where the line was made. */
export interface TimeContext {
  /** When the line was received (epoch ms): gives missing years and dates. */
  receivedAtMs: number;
  /** Device clock offset from UTC in minutes, for times that carry no zone. */
  offsetMinutes: number;
}

export interface ParsedTimestamp {
  /** Index just after the timestamp text. */
  end: number;
  /** ISO 8601 UTC; absent when the text names an impossible date or time. */
  iso?: string;
  /** Why the text is not a valid timestamp (only set when `iso` is absent). */
  error?: string;
  /** Why the text is readable but not strict RFC 5424 (lowercase `t`, no zone...). */
  nonStandard?: string;
}

const DAY_MS = 86_400_000;
/** "More than about a month in the future means last year" (RFC 3164 has no year). */
const MAX_FUTURE_MS = 31 * DAY_MS;
/** A time-only line later than this after receipt is from the day before. */
const TIME_ONLY_MAX_FUTURE_MS = 3_600_000;

const C_0 = 48;
const C_COLON = 58;
const C_SPACE = 32;

function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - C_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Value of exactly `count` digits at `i`, or -1. */
function digits(text: string, i: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = digitAt(text, i + k);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

// Calendar arithmetic on integers (Howard Hinnant's civil-day algorithms): `Date`
// objects and `toISOString` cost more than the rest of a header parse together.

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** [year, month, day] of a day number. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * Epoch ms of the whole second of a wall time read in a zone `offsetMinutes` east of
 * UTC. A leap second (60) folds into 59.
 */
function epochMs(
  year: number,
  month: number,
  day: number,
  clock: ClockRead,
  offsetMinutes: number,
): number {
  const second = Math.min(clock.second, 59);
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    ((clock.hour * 60 + clock.minute - offsetMinutes) * 60 + second) * 1000
  );
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"));

/** `hh:mm:` of every minute of a day. */
const HOUR_MINUTE = Array.from(
  { length: 1440 },
  (_, minute) => `${TWO_DIGITS[(minute / 60) | 0]}:${TWO_DIGITS[minute % 60]}:`,
);

/** `ss.000Z`: the seconds of a time without a fraction, as BSD and RouterOS times are. */
const WHOLE_SECOND = TWO_DIGITS.map((second) => `${second}.000Z`);

// Lines arrive in time order, so they share a few days: keep each day's `YYYY-MM-DDT`
// (1024 slots hold every day of almost three years).
const dayPrefixes = new SlotCache<string>(1024);

/** `YYYY-MM-DDT` of a day number, undefined outside years 0000..9999. */
function dayPrefix(day: number): string | undefined {
  const cached = dayPrefixes.get(day);
  if (cached !== undefined) return cached;
  const [year, month, dayOfMonth] = civilFromDays(day);
  if (!(year >= 0 && year <= 9999)) return undefined;
  const prefix = `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[dayOfMonth]}T`;
  dayPrefixes.set(day, prefix);
  return prefix;
}

/**
 * ISO 8601 UTC for the whole-second `secondMs` plus the fraction digits the source
 * gave, kept as written with at least milliseconds (`.000003` stays microseconds).
 * Undefined outside years 0000..9999.
 */
export function formatIsoUtc(secondMs: number, fraction: string): string | undefined {
  const day = Math.floor(secondMs / DAY_MS);
  const prefix = dayPrefix(day);
  if (prefix === undefined) return undefined;
  // Whole seconds of the day as an int32: table lookups by a double index are slower.
  const secondOfDay = ((secondMs - day * DAY_MS) / 1000) | 0;
  const second = secondOfDay % 60;
  // Three pieces from tables, not a template of nine: JavaScriptCore makes one rope cell
  // of three strings, a chain of them of nine, on every line (measured: about 4% of a parse).
  const secondAndFraction =
    fraction.length === 0
      ? WHOLE_SECOND[second]
      : `${TWO_DIGITS[second]}.${fraction.padEnd(3, "0")}Z`;
  return `${prefix}${HOUR_MINUTE[(secondOfDay / 60) | 0]}${secondAndFraction}`;
}

function validTime(hour: number, minute: number, second: number): boolean {
  // 60 is a leap second, which RFC 3339 allows.
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

/** A time of day as read by readClock. */
interface ClockRead {
  end: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  hasSeconds: boolean;
}

/** Reads `hh:mm[:ss][.frac]` at `i`; undefined when it is not there. */
function readClock(text: string, i: number): ClockRead | undefined {
  const hour = digits(text, i, 2);
  if (hour < 0 || text.charCodeAt(i + 2) !== C_COLON) return undefined;
  const minute = digits(text, i + 3, 2);
  if (minute < 0) return undefined;
  let end = i + 5;
  let second = 0;
  let hasSeconds = false;
  if (text.charCodeAt(end) === C_COLON) {
    second = digits(text, end + 1, 2);
    if (second < 0) return undefined;
    end += 3;
    hasSeconds = true;
  }
  let fraction = "";
  const sep = text.charCodeAt(end);
  if (hasSeconds && (sep === 46 || sep === 44) && digitAt(text, end + 1) >= 0) {
    let k = end + 1;
    while (digitAt(text, k) >= 0) k++;
    fraction = text.slice(end + 1, k);
    end = k;
  }
  return { end, hour, minute, second, fraction, hasSeconds };
}

/** Options of {@link parseRfc3339}. */
export interface Rfc3339Options {
  /** Accept a space between date and time (`2025-01-25 09:20:02`), as RouterOS and many devices print. */
  allowSpaceSeparator?: boolean;
}

/**
 * RFC 3339 / ISO 8601 date-time at `start` (`2003-08-24T05:14:15.000003-07:00`).
 * Lenient: lowercase `t`/`z`, `,` fractions, more than 6 fraction digits, `+hhmm` and
 * `+hh` offsets and zone-less times are read (zone-less in the device zone) and reported
 * in `nonStandard`, so RFC 5424 can flag them. Returns undefined when the text does
 * not start like a date-time at all.
 */
export function parseRfc3339(
  text: string,
  start: number,
  ctx: TimeContext,
  options: Rfc3339Options = {},
): ParsedTimestamp | undefined {
  const year = digits(text, start, 4);
  if (year < 0 || text.charCodeAt(start + 4) !== 45) return undefined;
  const month = digits(text, start + 5, 2);
  if (month < 0 || text.charCodeAt(start + 7) !== 45) return undefined;
  const day = digits(text, start + 8, 2);
  if (day < 0) return undefined;
  const sepIndex = start + 10;
  const sep = text.charCodeAt(sepIndex);
  let nonStandard: string | undefined;
  if (sep === 116) nonStandard = "lowercase 't' in timestamp";
  else if (sep === C_SPACE) {
    if (!options.allowSpaceSeparator) return undefined;
    nonStandard = "space between date and time";
  } else if (sep !== 84) return undefined;
  const clock = readClock(text, sepIndex + 1);
  if (clock === undefined) return undefined;
  let end = clock.end;
  if (!clock.hasSeconds) nonStandard ??= "timestamp without seconds";
  if (clock.fraction.length > 6) nonStandard ??= "more than 6 fraction digits in timestamp";

  let offsetMinutes: number;
  let offsetError: string | undefined;
  const zone = text.charCodeAt(end);
  if (zone === 90 || zone === 122) {
    if (zone === 122) nonStandard ??= "lowercase 'z' in timestamp";
    offsetMinutes = 0;
    end++;
  } else if (zone === 43 || zone === 45) {
    const hours = digits(text, end + 1, 2);
    if (hours < 0) return { end, error: "timestamp offset is not +hh:mm" };
    let minutes = 0;
    if (text.charCodeAt(end + 3) === C_COLON) {
      minutes = digits(text, end + 4, 2);
      if (minutes < 0) return { end: end + 4, error: "timestamp offset is not +hh:mm" };
      end += 6;
    } else {
      const packed = digits(text, end + 3, 2);
      if (packed >= 0) {
        minutes = packed;
        end += 5;
      } else end += 3;
      nonStandard ??= "timestamp offset without ':'";
    }
    if (hours > 23 || minutes > 59) offsetError = "timestamp offset out of range";
    offsetMinutes = (zone === 45 ? -1 : 1) * (hours * 60 + minutes);
  } else {
    nonStandard ??= "timestamp without time zone";
    offsetMinutes = ctx.offsetMinutes;
  }
  if (offsetError !== undefined) return { end, error: offsetError };
  return finishTimestamp(end, year, month, day, clock, offsetMinutes, ctx, nonStandard);
}

/** 1..12 for an English month abbreviation at `i` (any case), else 0. */
function monthAt(text: string, i: number): number {
  // Pack three lowercased letters into one number and switch on it: no substring.
  const a = text.charCodeAt(i) | 0x20;
  const b = text.charCodeAt(i + 1) | 0x20;
  const c = text.charCodeAt(i + 2) | 0x20;
  switch ((a << 16) | (b << 8) | c) {
    case 0x6a616e:
      return 1; // jan
    case 0x666562:
      return 2; // feb
    case 0x6d6172:
      return 3; // mar
    case 0x617072:
      return 4; // apr
    case 0x6d6179:
      return 5; // may
    case 0x6a756e:
      return 6; // jun
    case 0x6a756c:
      return 7; // jul
    case 0x617567:
      return 8; // aug
    case 0x736570:
      return 9; // sep
    case 0x6f6374:
      return 10; // oct
    case 0x6e6f76:
      return 11; // nov
    case 0x646563:
      return 12; // dec
    default:
      return 0;
  }
}

let cachedReceivedDay = Number.NaN;
let cachedReceivedYear = 0;

/** The year of the receive time in the device zone. */
function localYearOf(ctx: TimeContext): number {
  const day = Math.floor((ctx.receivedAtMs + ctx.offsetMinutes * 60_000) / DAY_MS);
  if (day !== cachedReceivedDay) {
    cachedReceivedYear = civilFromDays(day)[0];
    cachedReceivedDay = day;
  }
  return cachedReceivedYear;
}

/**
 * The local wall time in the device zone for a date without a year: the latest year
 * that puts it no more than about a month after the receive time (so a December line
 * read in January is last year's, and a line from a clock slightly ahead at New Year
 * is next year's). Feb 29 goes back to the last leap year that fits.
 */
function isoForYearlessDate(
  month: number,
  day: number,
  clock: ClockRead,
  ctx: TimeContext,
): string | undefined {
  const receivedYear = localYearOf(ctx);
  const limitMs = ctx.receivedAtMs + MAX_FUTURE_MS;
  for (let year = receivedYear + 1; year >= receivedYear - 8; year--) {
    if (day > daysInMonth(year, month)) continue;
    const ms = epochMs(year, month, day, clock, ctx.offsetMinutes);
    if (ms <= limitMs) return formatIsoUtc(ms, clock.fraction);
  }
  return undefined;
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === C_SPACE) i++;
  return i;
}

/** A plausible 4-digit year at `i` that ends at a space or the end of the text. */
function yearTokenAt(text: string, i: number): number {
  const year = digits(text, i, 4);
  if (year < 1970 || year > 2199) return -1;
  const after = text.charCodeAt(i + 4);
  return Number.isNaN(after) || after === C_SPACE || after === C_COLON ? year : -1;
}

/**
 * BSD (RFC 3164) timestamp at `start`: `Mmm dd hh:mm:ss`, with a space-padded or
 * one-digit day (`Jan  5`, `Jan 5`), any case (`AUG`), optional fraction, and the
 * year variants devices send: `Mmm dd yyyy hh:mm:ss` and `Mmm dd hh:mm:ss yyyy`.
 * A `:` right after the time (Cisco style `19:06:53:`) belongs to the timestamp.
 */
export function parseBsdTimestamp(
  text: string,
  start: number,
  ctx: TimeContext,
): ParsedTimestamp | undefined {
  const month = monthAt(text, start);
  if (month === 0 || text.charCodeAt(start + 3) !== C_SPACE) return undefined;
  let i = skipSpaces(text, start + 3);
  let day = digitAt(text, i);
  if (day < 0) return undefined;
  const second = digitAt(text, i + 1);
  if (second >= 0) {
    day = day * 10 + second;
    i += 2;
  } else i += 1;
  if (text.charCodeAt(i) !== C_SPACE) return undefined;
  i = skipSpaces(text, i);
  let year = yearTokenAt(text, i);
  if (year >= 0 && text.charCodeAt(i + 4) === C_SPACE) i = skipSpaces(text, i + 4);
  else year = -1;
  const clock = readClock(text, i);
  if (clock === undefined || !clock.hasSeconds) return undefined;
  let end = clock.end;
  if (year < 0 && text.charCodeAt(end) === C_SPACE) {
    const trailingYear = yearTokenAt(text, end + 1);
    if (trailingYear >= 0) {
      year = trailingYear;
      end += 5;
    }
  }
  if (text.charCodeAt(end) === C_COLON) end++;
  return finishTimestamp(end, year, month, day, clock, ctx.offsetMinutes, ctx);
}

/**
 * A date and time read from the text, checked and turned into ISO UTC. `year` is -1
 * when the text had none (it is inferred from the receive time); `offsetMinutes` is
 * the zone the wall time is in.
 */
function finishTimestamp(
  end: number,
  year: number,
  month: number,
  day: number,
  clock: ClockRead,
  offsetMinutes: number,
  ctx: TimeContext,
  nonStandard?: string,
): ParsedTimestamp {
  const lastDay = year >= 0 ? daysInMonth(year, month) : 31;
  if (month < 1 || month > 12 || day < 1 || day > lastDay) {
    return { end, error: "timestamp date out of range" };
  }
  if (!validTime(clock.hour, clock.minute, clock.second)) {
    return { end, error: "timestamp time out of range" };
  }
  const iso =
    year >= 0
      ? formatIsoUtc(epochMs(year, month, day, clock, offsetMinutes), clock.fraction)
      : isoForYearlessDate(month, day, clock, ctx);
  if (iso === undefined) {
    return { end, error: year >= 0 ? "timestamp year out of range" : "timestamp out of range" };
  }
  return nonStandard === undefined ? { end, iso } : { end, iso, nonStandard };
}

/**
 * RouterOS `/log print` times at `start`: `hh:mm:ss` (today), `mmm/dd hh:mm:ss`
 * (this year), `mmm/dd/yyyy hh:mm:ss` and `yyyy-mm-dd hh:mm:ss` (RouterOS 7).
 * The time must be followed by a space: the topics come next.
 */
export function parseRouterOsPrintTimestamp(
  text: string,
  start: number,
  ctx: TimeContext,
): ParsedTimestamp | undefined {
  const first = text.charCodeAt(start);
  if (first >= C_0 && first <= C_0 + 9) {
    if (text.charCodeAt(start + 2) === C_COLON) {
      const clock = readClock(text, start);
      if (clock === undefined || !clock.hasSeconds || text.charCodeAt(clock.end) !== C_SPACE) {
        return undefined;
      }
      return timeOnly(clock, ctx);
    }
    const iso = parseRfc3339(text, start, ctx, { allowSpaceSeparator: true });
    if (iso === undefined || text.charCodeAt(iso.end) !== C_SPACE) return undefined;
    return iso;
  }
  const month = monthAt(text, start);
  if (month === 0 || text.charCodeAt(start + 3) !== 47) return undefined;
  const day = digits(text, start + 4, 2);
  if (day < 0) return undefined;
  let i = start + 6;
  let year = -1;
  if (text.charCodeAt(i) === 47) {
    year = digits(text, i + 1, 4);
    if (year < 0) return undefined;
    i += 5;
  }
  if (text.charCodeAt(i) !== C_SPACE) return undefined;
  const clock = readClock(text, i + 1);
  if (clock === undefined || !clock.hasSeconds || text.charCodeAt(clock.end) !== C_SPACE) {
    return undefined;
  }
  return finishTimestamp(clock.end, year, month, day, clock, ctx.offsetMinutes, ctx);
}

/** A time of day on the receive date (device zone); from the day before if that is the future. */
function timeOnly(clock: ClockRead, ctx: TimeContext): ParsedTimestamp {
  if (!validTime(clock.hour, clock.minute, clock.second)) {
    return { end: clock.end, error: "timestamp time out of range" };
  }
  const [year, month, day] = civilFromDays(
    Math.floor((ctx.receivedAtMs + ctx.offsetMinutes * 60_000) / DAY_MS),
  );
  let ms = epochMs(year, month, day, clock, ctx.offsetMinutes);
  if (ms > ctx.receivedAtMs + TIME_ONLY_MAX_FUTURE_MS) ms -= DAY_MS;
  const iso = formatIsoUtc(ms, clock.fraction);
  return iso === undefined
    ? { end: clock.end, error: "timestamp out of range" }
    : { end: clock.end, iso };
}

/** The UTC offset written in an RFC 3339 timestamp (`+01:00` -> 60), if it has one. */
export function rfc3339OffsetMinutes(raw: string): number | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 90 || last === 122) return 0;
  const signAt = raw.length - 6;
  const sign = raw.charCodeAt(signAt);
  if ((sign !== 43 && sign !== 45) || raw.charCodeAt(signAt + 3) !== C_COLON || signAt < 19) {
    return undefined;
  }
  const hours = digits(raw, signAt + 1, 2);
  const minutes = digits(raw, signAt + 4, 2);
  if (hours < 0 || minutes < 0) return undefined;
  return (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
}
