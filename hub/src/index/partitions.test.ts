import { describe, expect, test } from "bun:test";
import { utcDay } from "./partitions.ts";

describe("utcDay", () => {
  test("a custody time's day is its UTC day, whichever form the time comes in", () => {
    expect(utcDay("2026-03-01T23:59:59.999999Z")).toBe("2026-03-01");
    expect(utcDay("2026-03-02T00:30:00+03:00")).toBe("2026-03-01");
    expect(utcDay(Date.UTC(2026, 2, 1, 23, 0))).toBe("2026-03-01");
    expect(utcDay(new Date("2026-03-01T21:30:00-03:00"))).toBe("2026-03-02");
  });
});
