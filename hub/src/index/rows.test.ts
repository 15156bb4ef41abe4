import { expect, test } from "bun:test";
import { isIP } from "node:net";
import type { SyslogEvent } from "../../../shared/src/syslog/index.ts";
import { eventRow } from "./rows.ts";

const place = {
  hotelId: "h1",
  hotelKey: 1,
  agentId: "h1-agent",
  chunkId: 1,
  chunk: "2026-03-12T09",
  seq: 1,
  receivedAt: "2026-03-12T09:30:00.000001Z",
  deviceIp: "10.5.0.1",
};
const rowWith = (fields: Partial<SyslogEvent>) =>
  eventRow({ message: "m", "event.original": "m", ...fields } as SyslogEvent, place);

test("an IPv4 address is taken exactly when node's isIP takes it", () => {
  const candidates = [
    "10.5.1.23",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.02.3.4",
    "1.2.3.0",
    "1.2.3.00",
    "1..3.4",
    ".1.2.3",
    "1.2.3.4.",
    "1.2.3.4 ",
    "1.2.3.-4",
    "1234.1.1.1",
    "",
    "a.b.c.d",
  ];
  for (let i = 0; i < 2000; i++) {
    // Random short strings of digits and dots: the corners a hand-written reader misses.
    let text = "";
    const length = 1 + Math.floor(Math.random() * 15);
    for (let j = 0; j < length; j++) text += "0123456789...."[Math.floor(Math.random() * 14)];
    candidates.push(text);
  }
  for (const candidate of candidates) {
    const taken = rowWith({ "source.ip": candidate }).srcIp === candidate;
    expect([candidate, taken]).toEqual([candidate, isIP(candidate) === 4]);
  }
});

test("an IPv6 address is taken without a zone; the receive and device times are read once", () => {
  expect(rowWith({ "destination.ip": "2001:db8::1" }).dstIp).toBe("2001:db8::1");
  expect(rowWith({ "destination.ip": "fe80::1%eth0" }).dstIp).toBeNull();
  expect(rowWith({ "destination.ip": "2001:db8::g" }).dstIp).toBeNull();
  const row = rowWith({ "@timestamp": "2026-03-12T12:30:00.5+03:00" });
  expect(row.receivedUs).toBe(Date.UTC(2026, 2, 12, 9, 30) * 1000 + 1);
  expect(row.loggedUs).toBe(Date.UTC(2026, 2, 12, 9, 30) * 1000 + 500_000);
  // A router without NTP says 1970; a year of five digits is no time the encoder takes.
  expect(rowWith({ "@timestamp": "1970-01-01T00:00:00.000Z" }).loggedAt).toBeNull();
  expect(rowWith({ "@timestamp": "+02026-03-12T09:30:00Z" }).loggedAt).toBeNull();
});
