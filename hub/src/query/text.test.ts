import { describe, expect, test } from "bun:test";
import { parseTextQuery, tsqueryOf } from "./text.ts";

describe("free-text queries", () => {
  test("words are ANDed, folded for Turkish", () => {
    const query = parseTextQuery("İZMİR timeout");
    expect(tsqueryOf(query.clauses)).toBe("'izmir' & 'timeout'");
    expect(query).toEqual({
      clauses: [
        { word: "izmir", prefix: false },
        { word: "timeout", prefix: false },
      ],
      contains: [],
      excludes: [],
    });
  });
  test("OR, negation, phrases and prefixes", () => {
    expect(tsqueryOf(parseTextQuery('dhcp OR hotspot -wireless "logged out" redmi*').clauses)).toBe(
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
    const query = parseTextQuery("56687 -10.2.2.157 srcnat");
    expect(tsqueryOf(query.clauses)).toBe("'srcnat'");
    expect(query).toEqual({
      clauses: [{ word: "srcnat", prefix: false }],
      contains: ["56687"],
      excludes: ["10.2.2.157"],
    });
  });
});
