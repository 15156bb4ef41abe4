/**
 * `logmaster verify` on a busy hour: one chunk of 3,600,000 records (1,000
 * datagrams/s for an hour, the hotel mix of ~200-byte RouterOS lines from a
 * few devices, 0.1% not UTF-8, a few gap records), signed, time-stamped by
 * the development TSA, with a CRL: a bundle as an export makes it, built in a
 * temp dir and removed after. Times verify in-process (best of a few runs,
 * page cache warm) and once through the CLI (with its peak RSS); the target
 * is under 5 s.
 *
 *   bun bench/verify.ts [--records N] [--runs N] [--keep]
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildManifest,
  encodeDataRecord,
  encodeGapRecord,
  formatMicrosUtc,
  IncrementalSha256,
  signManifest,
} from "../shared/src/custody/index.ts";
import { BUNDLE_FILES, verifyBundles } from "../shared/src/verify/index.ts";
import { makeTestChainPki, stampManifest, writeBundleFiles } from "../tests/support/bundles.ts";
import { hotelSyslogMix, seededRandom } from "./lib/mix.ts";
import { mib, trackPeakRss } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "3600000" },
    runs: { type: "string", default: "3" },
    keep: { type: "boolean", default: false },
  },
});
const recordCount = Number(values.records);
const TARGET_S = 5;
const HOUR_MS = 3_600_000;

const base = mkdtempSync(join(tmpdir(), "logmaster-verify-bench-"));
const dir = join(base, "bundle");
mkdirSync(dir);
try {
  const hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
  const pki = await makeTestChainPki(join(base, "pki"), {
    chainId: "bench-chain",
    notBefore: new Date(hourMs - 24 * HOUR_MS),
  });
  const agent = await pki.issueAgent({
    hotelId: "bench-otel",
    agentId: "bench-otel-abcdefgh",
    notBefore: new Date(hourMs - 24 * HOUR_MS),
    notAfter: new Date(Date.now() + 365 * 24 * HOUR_MS),
  });

  // records.jsonl, written as the agent does: line by line, hashed as it goes.
  const encoder = new TextEncoder();
  const datagrams = hotelSyslogMix(20_000).map((line) => encoder.encode(line));
  const senders = [
    "192.168.88.1",
    "192.168.88.1",
    "192.168.88.1",
    "10.0.0.2",
    "fe80::4e5e:cff:fe01:2345%ether3",
  ];
  const random = seededRandom(5651);
  const running = new IncrementalSha256();
  const writer = Bun.file(join(dir, BUNDLE_FILES.records)).writer({ highWaterMark: 4 << 20 });
  const spacingUs = Math.floor((HOUR_MS * 1000) / recordCount);
  let gapLost = 0;
  const generated = performance.now();
  for (let seq = 1; seq <= recordCount; seq++) {
    const receivedAtUs = hourMs * 1000 + (seq - 1) * spacingUs;
    let line: Uint8Array;
    if (seq % 1_000_000 === 0) {
      line = encodeGapRecord({
        seq,
        writtenAtUs: receivedAtUs,
        reason: "receive_buffer_overflow",
        lost: 12,
        firstLostAtUs: receivedAtUs - 5000,
        lastLostAtUs: receivedAtUs - 1,
      });
      gapLost += 12;
    } else {
      let bytes = datagrams[seq % datagrams.length] as Uint8Array;
      if (random() < 0.001) {
        bytes = new Uint8Array(bytes);
        bytes[bytes.length - 1] = 0xfe; // Latin-5 ş: not UTF-8, so msg_b64
      }
      line = encodeDataRecord({
        seq,
        receivedAtUs,
        src: senders[seq % senders.length] as string,
        port: 1024 + (seq % 60_000),
        transport: "udp",
        bytes,
      });
    }
    running.update(line);
    writer.write(line);
  }
  await writer.end();
  const generatedS = (performance.now() - generated) / 1000;

  const hourStart = `${new Date(hourMs).toISOString().slice(0, 13)}:00:00Z`;
  const manifest = buildManifest({
    chain_id: "bench-chain",
    hotel_id: "bench-otel",
    agent_id: agent.agentId,
    agent_cert_sha256: agent.sha256,
    hour_start: hourStart,
    part: 0,
    window_start: formatMicrosUtc(hourMs * 1000),
    window_end: formatMicrosUtc((hourMs + HOUR_MS) * 1000),
    first_seq: 1,
    last_seq: recordCount,
    record_count: recordCount,
    gap_lost: gapLost,
    byte_length: running.byteLength,
    records_sha256: running.digestHex(),
    prev_manifest_sha256: null,
    clock: { ntp_synchronized: true, source: "chrony" },
    created_at: formatMicrosUtc((hourMs + HOUR_MS) * 1000 + 250_000),
  });
  const stamp = await stampManifest(manifest.bytes);
  writeBundleFiles(dir, {
    manifest: manifest.bytes,
    signature: signManifest(manifest.bytes, agent.privateKeyPem),
    stamp,
    agentPem: agent.certificatePem,
    chainCaPem: pki.caPem,
    crlPem: await pki.makeCrl([]),
  });
  console.log(
    `bundle: ${recordCount.toLocaleString("en")} records, ${mib(running.byteLength)} records.jsonl (made in ${generatedS.toFixed(1)} s)`,
  );

  const timings: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const started = performance.now();
    const report = await verifyBundles([dir]);
    timings.push((performance.now() - started) / 1000);
    // WARN is expected: the bench bundle is stamped by the development TSA (no legal value).
    if (report.verdict === "FAIL") {
      console.error(JSON.stringify(report.bundles[0]?.checks, null, 2));
      throw new Error(`the bench bundle did not verify: ${report.verdict}`);
    }
  }
  const bestS = Math.min(...timings);
  console.log(
    `verify in-process: best ${bestS.toFixed(2)} s of ${timings.map((s) => s.toFixed(2)).join(", ")} = ${(running.byteLength / 1e6 / bestS).toFixed(0)} MB/s, ${Math.round(recordCount / bestS).toLocaleString("en")} records/s (${bestS < TARGET_S ? "ok" : "OVER"}: target < ${TARGET_S} s)`,
  );

  const cliStarted = performance.now();
  const child = Bun.spawn(["bun", "shared/src/cli/logmaster.ts", "verify", dir], {
    cwd: join(import.meta.dir, ".."),
    stdout: "pipe",
    stderr: "pipe",
  });
  const peak = trackPeakRss(child.pid);
  const [output, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  const cliS = (performance.now() - cliStarted) / 1000;
  const peakRss = peak.stop();
  const verdict = /^VERDICT: .*$/m.exec(output)?.[0] ?? "(no verdict)";
  console.log(
    `verify via CLI: ${cliS.toFixed(2)} s, exit ${exitCode}, peak RSS ${mib(peakRss)}: ${verdict} (${cliS < TARGET_S ? "ok" : "OVER"}: target < ${TARGET_S} s)`,
  );
  if (values.keep) console.log(`kept: ${dir}`);
} finally {
  if (!values.keep) rmSync(base, { recursive: true, force: true });
}
