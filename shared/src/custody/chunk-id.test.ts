import { describe, expect, test } from "bun:test";
import { chunkId, chunkIdOf, compareChunkIds, parseChunkId } from "./chunk-id.ts";

describe("chunk ids", () => {
  test("part 0 is the hour, part N adds .N", () => {
    expect(chunkId("2026-11-22T08:00:00Z", 0)).toBe("2026-11-22T08");
    expect(chunkId("2026-11-22T08:00:00Z", 1)).toBe("2026-11-22T08.1");
    expect(chunkIdOf({ hour_start: "2026-11-22T23:00:00Z", part: 12 })).toBe("2026-11-22T23.12");
  });

  test("parse gives the manifest's hour_start and part back", () => {
    expect(parseChunkId("2026-11-22T08")).toEqual({
      id: "2026-11-22T08",
      hourStart: "2026-11-22T08:00:00Z",
      part: 0,
    });
    expect(parseChunkId("2026-11-22T08.1")).toEqual({
      id: "2026-11-22T08.1",
      hourStart: "2026-11-22T08:00:00Z",
      part: 1,
    });
  });

  test.each([
    "2026-11-22T08.0", // part 0 has one spelling
    "2026-11-22T08.01",
    "2026-11-22T08.",
    "2026-11-22T08.-1",
    "2026-11-22T8",
    "2026-02-30T08", // not a calendar hour
    "2026-11-22T24",
    "2026-11-22T08:00:00Z",
    "../2026-11-22T08",
    "2026-11-22T08.1/..",
  ])("refuses %s", (id) => {
    expect(parseChunkId(id)).toBeUndefined();
  });

  test("order: by hour, then numerically by part", () => {
    const ids = ["2026-11-22T09", "2026-11-22T08.10", "2026-11-22T08.2", "2026-11-22T08"];
    expect(ids.sort(compareChunkIds)).toEqual([
      "2026-11-22T08",
      "2026-11-22T08.2",
      "2026-11-22T08.10",
      "2026-11-22T09",
    ]);
  });
});
