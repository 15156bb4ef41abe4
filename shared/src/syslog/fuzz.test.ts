/**
 * Random bytes and mutated real-shaped lines through parseSyslog: it must never
 * throw, and every result must satisfy the contract's schema.
 */
import { expect, test } from "bun:test";
import { seededRandom } from "../testing/seeded-random.ts";
import { syslogEventSchema } from "./event.ts";
import { parseSyslog } from "./index.ts";

const encoder = new TextEncoder();

/** Lines of every shape the parser knows, to mutate. */
const seeds = [
  "<134>Mar 10 11:58:02 Otel-GW firewall,info forward: in:vlan20 out:ether1, proto TCP (SYN), 10.20.1.7:50000->93.184.216.34:443, NAT (10.20.1.7:50000->85.105.1.2:50000)->93.184.216.34:443, len 60",
  "<30>Mar  2 17:36:35 Otel-GW resepsiyon: user ops logged in from 10.0.0.2 via winbox",
  "<13>dhcp,info Otel-GW: guest assigned 10.20.5.9 for 3C:22:FB:11:22:33 laptop",
  '<165>1 2026-03-10T14:59:58.250+03:00 sw-lobby-2 ifmgr 412 LINK [origin ip="10.0.0.12"][x@1 a="b\\]c" q="\\"" s="\\\\"] \uFEFFport 17 up',
  "2025-08-14T22:10:03.118204+03:00 10.0.0.1 <30>Aug 14 22:10:02 Otel-GW hotspot,account,info,debug oda-412 (10.20.1.7): logged in",
  "feb/27 09:41:07 system,info,account user ops logged in from 10.0.0.9 via ssh",
  "09:41:07 wireless,info 3C:22:FB:11:22:33@wlan2: connected, signal strength -61",
  "<131>Mar 10 11:58:02 Otel-GW CEF:0|MikroTik|RB5009|7.19|10|system,error,critical|High|msg=login failure src=203.0.113.77 duser=ops spt=22",
  "Mar 10 2024 11:58:02 nas01 smbd[812]: share opened",
];
const specials = [
  0x3c, 0x3e, 0x5b, 0x5d, 0x22, 0x5c, 0x00, 0xff, 0x20, 0x0a, 0x3d, 0x7c, 0x3a, 0x2c,
];

function randomBytes(random: () => number): Uint8Array {
  const bytes = new Uint8Array(Math.floor(random() * 2001));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

function mutatedLine(random: () => number): Uint8Array {
  const seed = encoder.encode(seeds[Math.floor(random() * seeds.length)] ?? "");
  const bytes = Array.from(seed);
  const mutations = 1 + Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const roll = random();
    if (roll < 0.3)
      bytes.length = at; // truncation
    else if (roll < 0.7) bytes.splice(at, 0, specials[Math.floor(random() * specials.length)] ?? 0);
    else if (roll < 0.85) bytes.splice(at, 1);
    else bytes[at] = Math.floor(random() * 256);
  }
  return new Uint8Array(bytes);
}

test("10,000 random and mutated inputs: no exception, every event valid", () => {
  const random = seededRandom(5651);
  const receivedAt = new Date("2026-03-10T12:00:00Z");
  for (let i = 0; i < 10_000; i++) {
    const input = i % 2 === 0 ? randomBytes(random) : mutatedLine(random);
    const asText = i % 5 === 1;
    const event = parseSyslog(asText ? new TextDecoder().decode(input) : input, {
      receivedAt,
      deviceUtcOffsetMinutes: i % 7 === 0 ? 180 : 0,
    });
    const result = syslogEventSchema.safeParse(event);
    if (!result.success) {
      throw new Error(
        `input #${i} ${JSON.stringify(event["event.original"])}: ${result.error.message}`,
      );
    }
    expect(event["error.message"]?.startsWith("parser failure")).not.toBe(true);
  }
});
