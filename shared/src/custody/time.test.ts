import { describe, expect, test } from "bun:test";
import { CustodyError } from "./errors.ts";
import {
  chunkHourOf,
  chunkHourOfUs,
  formatMicrosUtc,
  hourAfter,
  hourAsMicrosUtc,
  hoursBetween,
  hourUtcSchema,
  isInWindow,
  microsUtcSchema,
  parseMicrosUtc,
} from "./time.ts";

const HOUR_8_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z

describe("formatMicrosUtc", () => {
  test.each([
    [0, "1970-01-01T00:00:00.000000Z"],
    [1, "1970-01-01T00:00:00.000001Z"],
    [999_999, "1970-01-01T00:00:00.999999Z"],
    [1_000_000, "1970-01-01T00:00:01.000000Z"],
    [HOUR_8_US + 123_456, "2026-11-22T08:00:00.123456Z"],
    [HOUR_8_US - 1, "2026-11-22T07:59:59.999999Z"],
    [Number.MAX_SAFE_INTEGER, "2255-06-05T23:47:34.740991Z"],
  ])("%p µs -> %s", (us, text) => {
    expect(formatMicrosUtc(us)).toBe(text);
    expect(formatMicrosUtc(BigInt(us))).toBe(text);
  });

  test("bigint reaches the end of year 9999", () => {
    expect(formatMicrosUtc(253_402_300_799_999_999n)).toBe("9999-12-31T23:59:59.999999Z");
  });

  test("the per-second cache never leaks a stale second", () => {
    expect(formatMicrosUtc(HOUR_8_US + 999_999)).toBe("2026-11-22T08:00:00.999999Z");
    expect(formatMicrosUtc(HOUR_8_US + 1_000_000)).toBe("2026-11-22T08:00:01.000000Z");
    expect(formatMicrosUtc(HOUR_8_US + 999_999)).toBe("2026-11-22T08:00:00.999999Z");
  });

  test.each([
    [-1],
    [1.5],
    [Number.NaN],
    [Number.MAX_SAFE_INTEGER + 1],
    [-1n],
    [253_402_300_800_000_000n],
  ])("refuses %p", (us) => {
    expect(() => formatMicrosUtc(us)).toThrow(CustodyError);
  });
});

describe("parseMicrosUtc and the time schemas", () => {
  test("round trip", () => {
    for (const us of [0, 1, HOUR_8_US + 123_456, 1_709_164_800_000_000 /* 2024-02-29 */]) {
      expect(parseMicrosUtc(formatMicrosUtc(us))).toBe(us);
    }
  });

  test.each([
    "2026-11-22T08:00:00.12345Z", // 5 digits
    "2026-11-22T08:00:00.1234567Z",
    "2026-11-22T08:00:00Z",
    "2026-11-22 08:00:00.123456Z",
    "2026-11-22T08:00:00.123456+00:00",
    "2026-02-30T08:00:00.000000Z",
    "2026-11-22T23:59:60.000000Z", // no leap seconds in POSIX time
    "2026-11-22T24:00:00.000000Z",
  ])("rejects %s", (text) => {
    expect(microsUtcSchema.safeParse(text).success).toBe(false);
    expect(() => parseMicrosUtc(text)).toThrow(CustodyError);
  });

  test("hours", () => {
    expect(hourUtcSchema.safeParse("2026-11-22T08:00:00Z").success).toBe(true);
    expect(hourUtcSchema.safeParse("2026-11-22T08:30:00Z").success).toBe(false);
    expect(hourUtcSchema.safeParse("2026-11-22T08:00:00.000000Z").success).toBe(false);
    expect(hourUtcSchema.safeParse("2026-13-01T00:00:00Z").success).toBe(false);
  });
});

describe("chunk hours", () => {
  test("chunkHourOf and chunkHourOfUs agree", () => {
    expect(chunkHourOf(new Date("2026-11-22T08:59:59.999Z"))).toBe("2026-11-22T08:00:00Z");
    expect(chunkHourOfUs(HOUR_8_US + 3_599_999_999)).toBe("2026-11-22T08:00:00Z");
    expect(chunkHourOfUs(HOUR_8_US + 3_600_000_000)).toBe("2026-11-22T09:00:00Z");
  });

  test("hourAfter crosses days and years", () => {
    expect(hourAfter("2026-11-22T08:00:00Z")).toBe("2026-11-22T09:00:00Z");
    expect(hourAfter("2026-12-31T23:00:00Z")).toBe("2027-01-01T00:00:00Z");
    expect(hourAfter("2028-02-28T23:00:00Z")).toBe("2028-02-29T00:00:00Z");
  });

  test("hoursBetween, hourAsMicrosUtc and isInWindow", () => {
    expect(hoursBetween("2026-11-22T08:00:00Z", "2026-11-22T11:00:00Z")).toBe(3);
    expect(hoursBetween("2026-11-22T08:00:00Z", "2026-11-22T07:00:00Z")).toBe(-1);
    const start = hourAsMicrosUtc("2026-11-22T08:00:00Z");
    const end = hourAsMicrosUtc("2026-11-22T09:00:00Z");
    expect(start).toBe("2026-11-22T08:00:00.000000Z");
    expect(isInWindow("2026-11-22T08:00:00.000000Z", start, end)).toBe(true);
    expect(isInWindow("2026-11-22T08:59:59.999999Z", start, end)).toBe(true);
    expect(isInWindow("2026-11-22T09:00:00.000000Z", start, end)).toBe(false);
    expect(isInWindow("2026-11-22T07:59:59.999999Z", start, end)).toBe(false);
  });
});
