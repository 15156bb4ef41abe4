import { describe, expect, test } from "bun:test";
import {
  formatIsoUtc,
  parseBsdTimestamp,
  parseRfc3339,
  parseRouterOsPrintTimestamp,
  rfc3339OffsetMinutes,
  type TimeContext,
} from "./timestamp.ts";

/** Received 2026-03-10 12:00 UTC by a device on UTC. */
const utc: TimeContext = { receivedAtMs: Date.parse("2026-03-10T12:00:00Z"), offsetMinutes: 0 };
/** Same instant, device clock on Türkiye time (UTC+3). */
const istanbul: TimeContext = { ...utc, offsetMinutes: 180 };

describe("parseRfc3339", () => {
  test("offsets and fractions become ISO UTC, fraction digits kept", () => {
    expect(parseRfc3339("2025-06-01T09:15:30.123456+03:00 x", 0, utc)).toEqual({
      end: 32,
      iso: "2025-06-01T06:15:30.123456Z",
    });
    expect(parseRfc3339("2025-06-01T09:15:30Z", 0, utc)?.iso).toBe("2025-06-01T09:15:30.000Z");
    expect(parseRfc3339("2025-06-01T23:30:00-05:30", 0, utc)?.iso).toBe("2025-06-02T05:00:00.000Z");
    expect(parseRfc3339("2025-06-01T09:15:30.5Z", 0, utc)?.iso).toBe("2025-06-01T09:15:30.500Z");
  });

  test("reads lenient spellings and says why they are not RFC 5424", () => {
    expect(parseRfc3339("2025-06-01t09:15:30Z", 0, utc)?.nonStandard).toBe(
      "lowercase 't' in timestamp",
    );
    expect(parseRfc3339("2025-06-01T09:15:30.1234567Z", 0, utc)).toMatchObject({
      iso: "2025-06-01T09:15:30.1234567Z",
      nonStandard: "more than 6 fraction digits in timestamp",
    });
    expect(parseRfc3339("2025-06-01T09:15:30+0300", 0, utc)).toMatchObject({
      iso: "2025-06-01T06:15:30.000Z",
      nonStandard: "timestamp offset without ':'",
    });
    // No zone: the device's zone.
    expect(parseRfc3339("2025-06-01T09:15:30", 0, istanbul)).toMatchObject({
      iso: "2025-06-01T06:15:30.000Z",
      nonStandard: "timestamp without time zone",
    });
  });

  test("a space between date and time only when asked for", () => {
    expect(parseRfc3339("2025-06-01 09:15:30 x", 0, utc)).toBeUndefined();
    expect(parseRfc3339("2025-06-01 09:15:30 x", 0, utc, { allowSpaceSeparator: true })?.iso).toBe(
      "2025-06-01T09:15:30.000Z",
    );
  });

  test("impossible dates and times are errors, not exceptions", () => {
    expect(parseRfc3339("2025-02-29T10:00:00Z", 0, utc)?.error).toBe("timestamp date out of range");
    expect(parseRfc3339("2024-02-29T10:00:00Z", 0, utc)?.iso).toBe("2024-02-29T10:00:00.000Z");
    expect(parseRfc3339("2025-04-31T10:00:00Z", 0, utc)?.error).toBe("timestamp date out of range");
    expect(parseRfc3339("2025-04-30T24:00:00Z", 0, utc)?.error).toBe("timestamp time out of range");
    expect(parseRfc3339("2025-04-30T10:00:00+24:00", 0, utc)?.error).toBe(
      "timestamp offset out of range",
    );
    expect(parseRfc3339("2025-13-01T10:00:00Z", 0, utc)?.error).toBe("timestamp date out of range");
  });

  test("undefined for text that is no date-time", () => {
    for (const text of [
      "",
      "2025",
      "2025-06-01",
      "20250601T101010Z",
      "Jun  1 10:00:00",
      "2025-06-01T9:15",
    ]) {
      expect(parseRfc3339(text, 0, utc)).toBeUndefined();
    }
  });

  test("years before 100 are not read as 19xx", () => {
    expect(parseRfc3339("0042-01-01T00:00:00Z", 0, utc)?.iso).toBe("0042-01-01T00:00:00.000Z");
  });
});

describe("parseBsdTimestamp", () => {
  test("year inferred from the receive time, device zone applied", () => {
    expect(parseBsdTimestamp("Mar  9 23:59:59 gw", 0, utc)).toEqual({
      end: 15,
      iso: "2026-03-09T23:59:59.000Z",
    });
    expect(parseBsdTimestamp("Mar 10 14:00:00 gw", 0, istanbul)?.iso).toBe(
      "2026-03-10T11:00:00.000Z",
    );
  });

  test("more than about a month ahead of the receive time is last year", () => {
    expect(parseBsdTimestamp("Apr  5 10:00:00", 0, utc)?.iso).toBe("2026-04-05T10:00:00.000Z");
    expect(parseBsdTimestamp("Dec 31 23:00:00", 0, utc)?.iso).toBe("2025-12-31T23:00:00.000Z");
    const newYear: TimeContext = {
      receivedAtMs: Date.parse("2026-01-01T00:00:05Z"),
      offsetMinutes: 0,
    };
    expect(parseBsdTimestamp("Dec 31 23:59:58", 0, newYear)?.iso).toBe("2025-12-31T23:59:58.000Z");
    // A device clock a little ahead at New Year: next year, not eleven months back.
    const newYearsEve: TimeContext = {
      receivedAtMs: Date.parse("2025-12-31T23:59:50Z"),
      offsetMinutes: 0,
    };
    expect(parseBsdTimestamp("Jan  1 00:00:03", 0, newYearsEve)?.iso).toBe(
      "2026-01-01T00:00:03.000Z",
    );
  });

  test("Feb 29 without a year goes to the last leap year that fits", () => {
    expect(parseBsdTimestamp("Feb 29 08:00:00", 0, utc)?.iso).toBe("2024-02-29T08:00:00.000Z");
  });

  test("day padding, case, fractions and a trailing colon", () => {
    expect(parseBsdTimestamp("Jan  5 01:02:03 x", 0, utc)?.iso).toBe("2026-01-05T01:02:03.000Z");
    expect(parseBsdTimestamp("Jan 5 01:02:03 x", 0, utc)?.iso).toBe("2026-01-05T01:02:03.000Z");
    expect(parseBsdTimestamp("Jan 05 01:02:03 x", 0, utc)?.iso).toBe("2026-01-05T01:02:03.000Z");
    expect(parseBsdTimestamp("JAN 05 01:02:03 x", 0, utc)?.iso).toBe("2026-01-05T01:02:03.000Z");
    expect(parseBsdTimestamp("Jan 05 01:02:03.250 x", 0, utc)?.iso).toBe(
      "2026-01-05T01:02:03.250Z",
    );
    expect(parseBsdTimestamp("Jan 05 01:02:03: x", 0, utc)).toEqual({
      end: 16,
      iso: "2026-01-05T01:02:03.000Z",
    });
  });

  test("the year variants devices send", () => {
    expect(parseBsdTimestamp("Jan  5 2019 01:02:03 host", 0, utc)).toEqual({
      end: 20,
      iso: "2019-01-05T01:02:03.000Z",
    });
    expect(parseBsdTimestamp("Jan  5 01:02:03 2019 host", 0, utc)).toEqual({
      end: 20,
      iso: "2019-01-05T01:02:03.000Z",
    });
  });

  test("not a BSD timestamp: undefined; impossible values: an error", () => {
    for (const text of ["Foo  5 01:02:03", "Jan", "Jan  5", "Jan  5 01:02", "January 5 01:02:03"]) {
      expect(parseBsdTimestamp(text, 0, utc)).toBeUndefined();
    }
    expect(parseBsdTimestamp("Jan 32 01:02:03", 0, utc)?.error).toBe("timestamp date out of range");
    expect(parseBsdTimestamp("Jan 12 25:02:03", 0, utc)?.error).toBe("timestamp time out of range");
  });
});

describe("parseRouterOsPrintTimestamp", () => {
  test("the four /log print forms", () => {
    expect(parseRouterOsPrintTimestamp("09:41:07 system,info x", 0, utc)?.iso).toBe(
      "2026-03-10T09:41:07.000Z",
    );
    expect(parseRouterOsPrintTimestamp("feb/27 09:41:07 system,info x", 0, utc)?.iso).toBe(
      "2026-02-27T09:41:07.000Z",
    );
    expect(parseRouterOsPrintTimestamp("feb/27/2024 09:41:07 system,info x", 0, utc)?.iso).toBe(
      "2024-02-27T09:41:07.000Z",
    );
    expect(parseRouterOsPrintTimestamp("2024-02-27 09:41:07 system,info x", 0, istanbul)?.iso).toBe(
      "2024-02-27T06:41:07.000Z",
    );
  });

  test("a time-only line later than the receive time is from the day before", () => {
    expect(parseRouterOsPrintTimestamp("23:10:00 dhcp,info x", 0, utc)?.iso).toBe(
      "2026-03-09T23:10:00.000Z",
    );
  });

  test("needs a space after the time", () => {
    expect(parseRouterOsPrintTimestamp("09:41:07", 0, utc)).toBeUndefined();
    expect(parseRouterOsPrintTimestamp("09:41 x", 0, utc)).toBeUndefined();
    expect(parseRouterOsPrintTimestamp("foo/27 09:41:07 x", 0, utc)).toBeUndefined();
  });
});

test("formatIsoUtc keeps the source's fraction digits, at least milliseconds", () => {
  const second = Date.parse("2026-03-10T12:00:01Z");
  expect(formatIsoUtc(second, "")).toBe("2026-03-10T12:00:01.000Z");
  expect(formatIsoUtc(second, "12")).toBe("2026-03-10T12:00:01.120Z");
  expect(formatIsoUtc(second, "000003")).toBe("2026-03-10T12:00:01.000003Z");
  expect(formatIsoUtc(Date.parse("10000-01-01T00:00:00Z"), "")).toBeUndefined();
});

test("rfc3339OffsetMinutes", () => {
  expect(rfc3339OffsetMinutes("2023-03-18T20:35:05.734637+01:00")).toBe(60);
  expect(rfc3339OffsetMinutes("2023-03-18T20:35:05-05:30")).toBe(-330);
  expect(rfc3339OffsetMinutes("2023-03-18T20:35:05Z")).toBe(0);
  expect(rfc3339OffsetMinutes("2023-03-18T20:35:05")).toBeUndefined();
});
