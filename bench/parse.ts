/**
 * Parser throughput on one core: lines per second of `parseSyslog` over the
 * hotel mix. Target (issue 2): >= 300,000 lines/s.
 *
 *   bun bench/parse.ts [--lines N]
 */
import { parseArgs } from "node:util";
import { parseSyslog } from "../shared/src/syslog/index.ts";
import { hotelSyslogMix } from "./lib/mix.ts";

const { values } = parseArgs({ options: { lines: { type: "string", default: "500000" } } });
const lineCount = Number(values.lines);
const encoder = new TextEncoder();
const lines = hotelSyslogMix(lineCount).map((line) => encoder.encode(line));
const receivedAt = new Date("2026-11-22T12:00:00Z");

// Warm up the JIT on a slice so the figure is steady-state throughput.
for (let i = 0; i < 50_000; i++) parseSyslog(lines[i % lines.length] as Uint8Array, { receivedAt });

let fieldsSeen = 0;
const started = Bun.nanoseconds();
for (const line of lines) {
  const event = parseSyslog(line, { receivedAt });
  if (event["source.ip"] !== undefined || event["client.ip"] !== undefined) fieldsSeen++;
}
const seconds = (Bun.nanoseconds() - started) / 1e9;
const rate = lineCount / seconds;

console.log(`parse: ${lineCount.toLocaleString("en")} lines in ${seconds.toFixed(2)} s`);
console.log(`parse: ${Math.round(rate).toLocaleString("en")} lines/s on one core (target 300,000)`);
console.log(`parse: ${((fieldsSeen / lineCount) * 100).toFixed(1)}% of lines gave an IP field`);
