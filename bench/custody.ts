/**
 * Custody format throughput on one core:
 * - encodeDataRecord: records/s on the hotel mix (~200-byte RouterOS lines),
 *   the agent's per-datagram cost (it must keep up with 100k datagrams/s);
 *   also for non-UTF-8 datagrams (the msg_b64 path);
 * - parseRecordLine: lines/s, what a verifier and the hub pay per record;
 * - sha256OfFile: MB/s streaming a large records.jsonl from disk (page cache);
 * - digestRecordsFile + Merkle: the agent's seal read of format 1.1 (SHA-256
 *   and the RFC 6962 tree over the lines, one pass), MB/s and records/s;
 * - the seal read while datagrams arrive: the same digest on the receive
 *   thread and on a worker thread (what summarizeChunk does from
 *   DIGEST_ON_WORKER_MIN_BYTES on), while the agent's UDP receiver takes
 *   --seal-rate datagrams/s from the C flooder: the longest event-loop
 *   stall (max gap between setInterval(1 ms) ticks) and datagrams lost.
 *
 *   bun bench/custody.ts [--records N] [--file-mb N] [--seal-rate N]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseListenAddress } from "../agent/src/config/index.ts";
import { ReceiveClock } from "../agent/src/source/clock.ts";
import { startUdpReceiver } from "../agent/src/source/udp.ts";
import { digestRecordsFileOnWorker } from "../shared/src/custody/digest-worker/index.ts";
import {
  type DataRecordInput,
  digestRecordsFile,
  encodeDataRecord,
  parseRecordLine,
  sha256OfFile,
} from "../shared/src/custody/index.ts";
import { hotelSyslogMix } from "./lib/mix.ts";
import { buildUdpFlooder, offerUdpFlood } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    "file-mb": { type: "string", default: "256" },
    "seal-rate": { type: "string", default: "10000" },
  },
});
const recordCount = Number(values.records);
const fileMb = Number(values["file-mb"]);
const sealRatePerS = Number(values["seal-rate"]);
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

const flooder = buildUdpFlooder();
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
  for (const [where, digest] of [
    ["receive thread", () => digestRecordsFile(path, { merkle: true })],
    ["worker thread", () => digestRecordsFileOnWorker(path, { merkle: true })],
  ] as const) {
    const seal = await sealWhileReceiving(digest, sealSeconds + 2);
    console.log(
      `seal read while receiving ${sealRatePerS.toLocaleString("en")} datagrams/s, on the ${where}: ${leaves.toLocaleString("en")} lines in ${seal.sealSeconds.toFixed(2)} s; event loop stalled at most ${seal.maxStallMs.toFixed(0)} ms (${seal.stallsOver10Ms} stalls > 10 ms); datagrams ${seal.received.toLocaleString("en")} of ${seal.sent.toLocaleString("en")} received (${(seal.sent - seal.received).toLocaleString("en")} lost)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Run `digest` while the agent's UDP receiver (as configured by default:
 * 32 MiB asked, what the kernel grants) takes datagrams from the flooder on
 * this thread, for `floodSeconds`; the digest starts 0.5 s in.
 */
async function sealWhileReceiving(digest: () => Promise<unknown>, floodSeconds: number) {
  let received = 0;
  const receiver = await startUdpReceiver(
    parseListenAddress("127.0.0.1:0"),
    32 * 1024 * 1024,
    new ReceiveClock(),
    () => {
      received++;
    },
    () => {},
  );
  let lastTickMs = performance.now();
  let maxStallMs = 0;
  let stallsOver10Ms = 0;
  let measuring = false;
  const ticker = setInterval(() => {
    const nowMs = performance.now();
    const gapMs = nowMs - lastTickMs;
    lastTickMs = nowMs;
    if (!measuring) return;
    maxStallMs = Math.max(maxStallMs, gapMs);
    if (gapMs > 10) stallsOver10Ms++;
  }, 1);
  const flooding = offerUdpFlood(flooder, "127.0.0.1", receiver.port, sealRatePerS, floodSeconds);
  await Bun.sleep(500);
  measuring = true;
  lastTickMs = performance.now();
  const started = Bun.nanoseconds();
  await digest();
  const sealSeconds = (Bun.nanoseconds() - started) / 1e9;
  const lastGapMs = performance.now() - lastTickMs;
  maxStallMs = Math.max(maxStallMs, lastGapMs);
  if (lastGapMs > 10) stallsOver10Ms++;
  measuring = false;
  const { sent } = await flooding;
  await Bun.sleep(200); // the last datagrams in the socket buffer
  clearInterval(ticker);
  await receiver.close();
  return { sealSeconds, maxStallMs, stallsOver10Ms, sent, received };
}
