import { describe, expect, test } from "bun:test";
import { parseTextQuery } from "./text.ts";

describe("free-text queries", () => {
  test("words are ANDed, folded for Turkish", () => {
    expect(parseTextQuery("İZMİR timeout")).toEqual({
      tsquery: "'izmir' & 'timeout'",
      contains: [],
      excludes: [],
    });
  });
  test("OR, negation, phrases and prefixes", () => {
    expect(parseTextQuery('dhcp OR hotspot -wireless "logged out" redmi*').tsquery).toBe(
      "('dhcp' | 'hotspot') & !'wireless' & ('logged' & 'out') & 'redmi':*",
    );
  });
  test("numbers and addresses become substring tests", () => {
    expect(parseTextQuery("56687 -10.2.2.157 srcnat")).toEqual({
      tsquery: "'srcnat'",
      contains: ["56687"],
      excludes: ["10.2.2.157"],
    });
  });
});
