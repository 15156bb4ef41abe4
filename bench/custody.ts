/**
 * Custody format throughput on one core:
 * - encodeDataRecord: records/s on the hotel mix (~200-byte RouterOS lines),
 *   the agent's per-datagram cost (it must keep up with 100k datagrams/s);
 *   also for non-UTF-8 datagrams (the msg_b64 path);
 * - parseRecordLine: lines/s, what a verifier and the hub pay per record;
 * - sha256OfFile: MB/s streaming a large records.jsonl from disk (page cache);
 * - digestRecordsFile + Merkle: the agent's seal read of format 1.1 (SHA-256
 *   and the RFC 6962 tree over the lines, one pass), MB/s and records/s.
 *
 *   bun bench/custody.ts [--records N] [--file-mb N]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type DataRecordInput,
  digestRecordsFile,
  encodeDataRecord,
  parseRecordLine,
  sha256OfFile,
} from "../shared/src/custody/index.ts";
import { hotelSyslogMix } from "./lib/mix.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    "file-mb": { type: "string", default: "256" },
  },
});
const recordCount = Number(values.records);
const fileMb = Number(values["file-mb"]);
const START_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z

const encoder = new TextEncoder();
const datagrams = hotelSyslogMix(20_000).map((line) => encoder.encode(line));
const meanBytes = datagrams.reduce((sum, bytes) => sum + bytes.byteLength, 0) / datagrams.length;
// Same lines with one Latin-5 byte: invalid UTF-8, so the msg_b64 path.
const latin5 = datagrams.map((bytes) => {
  const copy = new Uint8Array(bytes);
  copy[copy.length - 1] = 0xfe;
  return copy;
});

function inputAt(pool: Uint8Array[], i: number): DataRecordInput {
  return {
    seq: i + 1,
    receivedAtUs: START_US + i * 10, // 100k/s: each second's prefix is reused 100k times
    src: "192.168.88.1",
    port: 51234,
    transport: "udp",
    bytes: pool[i % pool.length] as Uint8Array,
  };
}

function measure(name: string, count: number, run: (i: number) => number): number {
  for (let i = 0; i < 50_000; i++) run(i); // JIT warm-up
  let sink = 0;
  const started = Bun.nanoseconds();
  for (let i = 0; i < count; i++) sink += run(i);
  const seconds = (Bun.nanoseconds() - started) / 1e9;
  const rate = count / seconds;
  console.log(
    `${name}: ${Math.round(rate).toLocaleString("en")}/s (${((seconds / count) * 1e9).toFixed(0)} ns each, ${sink > 0 ? "ok" : "?"})`,
  );
  return rate;
}

console.log(`datagrams: hotel mix, mean ${meanBytes.toFixed(0)} bytes`);
const encodeRate = measure(
  "encodeDataRecord (UTF-8 -> msg)",
  recordCount,
  (i) => encodeDataRecord(inputAt(datagrams, i)).byteLength,
);
measure(
  "encodeDataRecord (invalid UTF-8 -> msg_b64)",
  recordCount / 4,
  (i) => encodeDataRecord(inputAt(latin5, i)).byteLength,
);
console.log(
  `encodeDataRecord: 100,000 datagrams/s would use ${((100_000 / encodeRate) * 100).toFixed(1)}% of one core`,
);

const lines = datagrams.map((_, i) => encodeDataRecord(inputAt(datagrams, i)));
measure(
  "parseRecordLine (verifier)",
  recordCount / 4,
  (i) => parseRecordLine(lines[i % lines.length] as Uint8Array).seq,
);

const dir = mkdtempSync(join(tmpdir(), "custody-bench-"));
try {
  const path = join(dir, "records.jsonl");
  const block = Buffer.concat(lines);
  const blocks = Math.max(1, Math.round((fileMb * 1024 * 1024) / block.byteLength));
  writeFileSync(path, Buffer.concat(Array.from({ length: blocks }, () => block)));
  const bytes = blocks * block.byteLength;
  await sha256OfFile(path); // warm the page cache: measure hashing + streaming, not the disk
  const started = Bun.nanoseconds();
  await sha256OfFile(path);
  const seconds = (Bun.nanoseconds() - started) / 1e9;
  console.log(
    `sha256OfFile: ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(bytes / 1e6 / seconds).toFixed(0)} MB/s (page cache)`,
  );
  const sealStarted = Bun.nanoseconds();
  const sealed = await digestRecordsFile(path, { merkle: true });
  const sealSeconds = (Bun.nanoseconds() - sealStarted) / 1e9;
  const leaves = sealed.merkle?.merkle_size ?? 0;
  console.log(
    `digestRecordsFile + Merkle (agent seal, format 1.1): ${(bytes / 1e6).toFixed(0)} MB, ${leaves.toLocaleString("en")} lines in ${sealSeconds.toFixed(2)} s = ${(bytes / 1e6 / sealSeconds).toFixed(0)} MB/s, ${Math.round(leaves / sealSeconds).toLocaleString("en")} records/s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
