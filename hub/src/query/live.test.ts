import { describe, expect, test } from "bun:test";
import type { EventRow } from "../index/rows.ts";
import { searchWords } from "../index/words.ts";
import { tailMatcher } from "./live.ts";
import { tailFilterSchema } from "./request.ts";

/** A row of the index as the live tail gets it: every word of its message. */
function rowOf(message: string): EventRow {
  return {
    receivedAt: "2026-03-12T11:30:00.000000Z",
    receivedUs: 0,
    hotelId: "h1",
    hotelKey: 1,
    agentId: "a1",
    chunkId: 1,
    chunk: "2026-03-12T11",
    seq: 1,
    loggedAt: null,
    loggedUs: null,
    deviceIp: "10.1.0.1",
    host: "gw",
    severity: 6,
    dataset: null,
    topics: null,
    action: null,
    srcIp: null,
    srcPort: null,
    srcMac: null,
    dstIp: null,
    dstPort: null,
    natIp: null,
    natPort: null,
    protocol: null,
    userName: null,
    raw: message,
    words: searchWords(message),
  };
}

const FIREWALL = rowOf(
  "nat-guest srcnat: in:(unknown 0) out:ether1-wan, connection-state:new src-mac 00:0c:29:44:b5:3f, proto TCP (SYN), 10.3.1.189:62841->104.16.132.229:443, len 60",
);
const HOTSPOT = rowOf("oda-301 (10.3.1.189): logged in");
const WIRELESS = rowOf("DA:74:6A:93:0F:68@wlan2: connected, signal strength -47");

describe("live tail free text", () => {
  test("matches a line's words as search does: words, stop words, prefixes, NOT, OR, phrases", () => {
    const cases: [string, EventRow[]][] = [
      ["tcp", [FIREWALL]],
      ["nat-guest tcp", [FIREWALL]],
      ["nat-guest -tcp", []],
      ["-tcp", [HOTSPOT, WIRELESS]],
      ["tcp OR connected", [FIREWALL, WIRELESS]],
      ["conn*", [FIREWALL, WIRELESS]],
      ['"logged in"', [HOTSPOT]],
      ['-"logged in"', [FIREWALL, WIRELESS]],
      ["in logged OR connected", [HOTSPOT]],
      ["62841", [FIREWALL]],
      ["tcp -62841", []],
    ];
    for (const [text, expected] of cases) {
      const matches = tailMatcher(tailFilterSchema.parse({ text }));
      const got = [FIREWALL, HOTSPOT, WIRELESS].filter((row) => matches(row));
      expect([text, got.map((row) => row.raw)]).toEqual([text, expected.map((row) => row.raw)]);
    }
  });
});
