import { describe, expect, test } from "bun:test";
import { foldForSearch, lexeme, searchWords } from "./words.ts";

describe("free-text words", () => {
  test("Turkish dotted and dotless i fold together, and the other letters to ASCII", () => {
    expect(foldForSearch("İZMİR")).toBe("izmir");
    expect(foldForSearch("IZMIR")).toBe("izmir");
    expect(foldForSearch("ızmır")).toBe("izmir");
    expect(foldForSearch("Şişli Çağrı Gümüş Öğün")).toBe("sisli cagri gumus ogun");
  });

  test("words keep hyphenated names and MACs, and leave out numbers and bare addresses", () => {
    expect(
      searchWords("dhcp-guest assigned 10.2.2.157 for A4:C3:F0:36:4A:02 Redmi-Note-12, len 60"),
    ).toEqual(["dhcp-guest", "assigned", "for", "a4:c3:f0:36:4a:02", "redmi-note-12", "len"]);
  });

  test("a word is listed once and trailing punctuation is not part of it", () => {
    expect(searchWords("logged out: keepalive timeout. logged")).toEqual([
      "logged",
      "out",
      "keepalive",
      "timeout",
    ]);
  });

  test("a quote splits words, numbers alone are none, and a lexeme literal escapes", () => {
    expect(searchWords("it's ok")).toEqual(["it", "s", "ok"]);
    expect(lexeme("o'k\\")).toBe("'o''k\\\\'");
    expect(searchWords("12 34")).toEqual([]);
  });
});
