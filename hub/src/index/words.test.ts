import { describe, expect, test } from "bun:test";
import {
  foldForSearch,
  lexeme,
  STOP_WORDS,
  searchWords,
  splitStopWords,
  stopWordBit,
  stopWordPrefixBits,
} from "./words.ts";

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

describe("stop words", () => {
  test("a firewall line's fixed words become bits; the hotel's names and the MAC stay words", () => {
    const words = searchWords(
      "nat-guest srcnat: in:(unknown 0) out:ether1-wan, connection-state:new src-mac 00:0c:29:44:b5:3f, proto TCP (SYN), 10.3.1.189:62841->104.16.132.229:443, len 60",
    );
    const { indexed, stopBits } = splitStopWords(words);
    expect(indexed).toEqual(["nat-guest", "out:ether1-wan", "00:0c:29:44:b5:3f"]);
    const named = STOP_WORDS.filter((word) => (stopBits & stopWordBit(word)) !== 0);
    expect(new Set(named)).toEqual(
      new Set([
        "srcnat",
        "in",
        "unknown",
        "connection-state:new",
        "src-mac",
        "proto",
        "tcp",
        "syn",
        "len",
      ]),
    );
    expect(splitStopWords(["tcp", "len"]).indexed).toEqual([]);
  });

  test("a prefix takes the bit of every stop word it starts", () => {
    const connection = stopWordPrefixBits("connection-state:");
    expect(connection).toBe(
      stopWordBit("connection-state:new") |
        stopWordBit("connection-state:established") |
        stopWordBit("connection-state:related"),
    );
    expect(stopWordPrefixBits("zzz")).toBe(0);
    expect(stopWordBit("nat-guest")).toBe(0);
  });

  test("the list only grows: rows keep the bits they were indexed with", () => {
    // Bit i of a stored row is the i-th word of this list as it stood then. Appending is
    // safe; removing or reordering a word would lose it in the rows that hold its bit.
    const shipped = [
      "in",
      "out",
      "unknown",
      "src-mac",
      "proto",
      "len",
      "nat",
      "tcp",
      "udp",
      "icmp",
      "syn",
      "ack",
      "fin",
      "rst",
      "psh",
      "srcnat",
      "forward",
      "input",
      "connection-state:new",
      "connection-state:established",
      "connection-state:related",
    ];
    expect<readonly string[]>(STOP_WORDS.slice(0, shipped.length)).toEqual(shipped);
    expect(STOP_WORDS.length).toBeLessThanOrEqual(31);
    expect(new Set(STOP_WORDS).size).toBe(STOP_WORDS.length);
  });
});
