import { describe, expect, test } from "vitest";
import { isoToWall, wallToIso } from "./wall-time.ts";

describe("typed wall times", () => {
  test("DD.MM.YYYY HH:mm[:ss] and ISO, in Istanbul or UTC", () => {
    expect(wallToIso("03.12.2026 14:32:05", "istanbul")).toBe("2026-12-03T14:32:05+03:00");
    expect(wallToIso(" 3.12.2026 9:05 ", "istanbul")).toBe("2026-12-03T09:05:00+03:00");
    expect(wallToIso("2026-12-03T07:15", "utc")).toBe("2026-12-03T07:15:00Z");
  });

  test("what is not a real date and time is refused", () => {
    expect(wallToIso("31.02.2026 10:00", "istanbul")).toBeUndefined();
    expect(wallToIso("03.12.2026 25:00", "istanbul")).toBeUndefined();
    expect(wallToIso("yesterday", "utc")).toBeUndefined();
  });

  test("an instant reads back in the zone, seconds when they are not zero", () => {
    expect(isoToWall("2026-12-03T07:15:00Z", "istanbul")).toBe("03.12.2026 10:15");
    expect(isoToWall("2026-12-03T22:15:09Z", "istanbul")).toBe("04.12.2026 01:15:09");
    expect(isoToWall("2026-12-03T07:15:00Z", "utc", true)).toBe("03.12.2026 07:15:00");
  });
});
