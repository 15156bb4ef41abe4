import { describe, expect, test } from "bun:test";
import { parseTextQuery } from "./text.ts";

describe("free-text queries", () => {
  test("words are ANDed, folded for Turkish", () => {
    expect(parseTextQuery("İZMİR timeout")).toEqual({
      tsquery: "'izmir' & 'timeout'",
      clauses: [
        { word: "izmir", prefix: false },
        { word: "timeout", prefix: false },
      ],
      contains: [],
      excludes: [],
    });
  });
  test("OR, negation, phrases and prefixes", () => {
    expect(parseTextQuery('dhcp OR hotspot -wireless "logged out" redmi*').tsquery).toBe(
      "('dhcp' | 'hotspot') & !'wireless' & ('logged' & 'out') & 'redmi':*",
    );
  });
  test("the clauses keep the query's shape", () => {
    expect(parseTextQuery('dhcp OR hotspot -wireless "logged out" redmi*').clauses).toEqual([
      {
        any: [
          { word: "dhcp", prefix: false },
          { word: "hotspot", prefix: false },
        ],
      },
      { not: { word: "wireless", prefix: false } },
      {
        all: [
          { word: "logged", prefix: false },
          { word: "out", prefix: false },
        ],
      },
      { word: "redmi", prefix: true },
    ]);
  });
  test("numbers and addresses become substring tests", () => {
    expect(parseTextQuery("56687 -10.2.2.157 srcnat")).toEqual({
      tsquery: "'srcnat'",
      clauses: [{ word: "srcnat", prefix: false }],
      contains: ["56687"],
      excludes: ["10.2.2.157"],
    });
  });
});
