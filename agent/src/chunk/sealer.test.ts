import { afterEach, expect, test } from "bun:test";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ManifestWithBytes,
  parseManifest,
  scanRecords,
  sha256Hex,
  verifyHashChain,
  verifyManifestSignature,
} from "../../../shared/src/custody/index.ts";
import { type AgentIdentity, loadIdentity } from "../enroll/identity.ts";
import { AgentTelemetry } from "../events/index.ts";
import { createTestPki, writeTestIdentity } from "../testing/pki.ts";
import { Wal } from "../wal/wal.ts";
import type { ClockInfo } from "./clock-info.ts";
import { readChainState, Sealer } from "./sealer.ts";
import type { SummaryOptions } from "./summary.ts";

const HOUR_US = 3_600_000_000;
const BASE_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MIN_US = 60_000_000;
const bytes = new TextEncoder().encode("<134>dhcp,info assigned");
const datagram = (receivedAtUs: number) =>
  ({ receivedAtUs, src: "192.0.2.1", port: 514, transport: "udp", bytes }) as const;

/** A temp data dir (removed after the test) holding an enrolled agent's identity. */
async function enrolledDataDir(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dataDir);
  await writeTestIdentity(dataDir, createTestPki());
  return { dataDir, identity: await loadIdentity(dataDir) };
}

async function openPipeline(
  dataDir: string,
  identity: AgentIdentity | undefined,
  now: () => number,
  clock: ClockInfo = { ntp_synchronized: true, source: "chrony" },
  summary?: SummaryOptions,
) {
  const telemetry = new AgentTelemetry(() => {});
  const wal = await Wal.open({
    dataDir,
    fsyncIntervalMs: 10,
    maxDiskBytes: 1 << 30,
    warnRatio: 0.8,
    telemetry,
    nowUs: now,
  });
  const sealer = await Sealer.open({
    dataDir,
    wal,
    telemetry,
    nowUs: now,
    identity: () => identity,
    clockInfo: () => clock,
    ...(summary ? { summary } : {}),
  });
  return { wal, sealer, telemetry };
}

test("hour rollover seals each ended hour, empty hours included, in one signed hash chain", async () => {
  const { dataDir, identity } = await enrolledDataDir("lm-seal-");
  let nowUs = BASE_US + 10;
  const { wal, sealer } = await openPipeline(dataDir, identity, () => nowUs, {
    ntp_synchronized: null,
    source: "unknown",
  });
  wal.append(datagram(BASE_US + 20));
  wal.append(datagram(BASE_US + 30));
  wal.flush();
  expect(await sealer.sealDue()).toEqual([]); // the hour has not ended
  nowUs = BASE_US + 3 * HOUR_US + 5; // 11:00 — 08 has records, 09 and 10 are empty
  wal.append(datagram(nowUs));
  expect(await sealer.sealDue()).toEqual(["2026-11-22T08", "2026-11-22T09", "2026-11-22T10"]);
  await wal.close();

  const chunk = (hour: string, name: string) =>
    new Uint8Array(readFileSync(join(dataDir, "chunks", hour, name)));
  const manifests = ["2026-11-22T08", "2026-11-22T09", "2026-11-22T10"].map((hour) => ({
    hour,
    parsed: parseManifest(chunk(hour, "manifest.json")),
  }));
  const first = manifests[0]?.parsed.manifest;
  expect(first).toMatchObject({
    record_count: 2,
    first_seq: 1,
    last_seq: 2,
    prev_manifest_sha256: null,
  });
  expect(first?.records_sha256).toBe(sha256Hex(chunk("2026-11-22T08", "records.jsonl")));
  expect(manifests[1]?.parsed.manifest).toMatchObject({
    record_count: 0,
    first_seq: null,
    byte_length: 0,
    // An empty hour in format 1.1: the empty tree.
    format: "logmaster-chunk/1.1",
    merkle_root: sha256Hex(new Uint8Array()),
    merkle_size: 0,
  });
  for (const { hour, parsed } of manifests) {
    expect(
      verifyManifestSignature(parsed.bytes, chunk(hour, "manifest.sig"), identity?.certPem ?? ""),
    ).toBe(true);
  }
  expect(verifyHashChain(manifests.map((m) => m.parsed)).ok).toBe(true);
  // the 11:00 record continued the seq
  const open = readFileSync(join(dataDir, "chunks", "2026-11-22T11", "records.jsonl"), "utf8");
  expect(JSON.parse(open).seq).toBe(3);
});

function readChunk(dataDir: string, id: string) {
  const file = (name: string) => new Uint8Array(readFileSync(join(dataDir, "chunks", id, name)));
  return {
    manifest: parseManifest(file("manifest.json")),
    records: file("records.jsonl"),
    signature: file("manifest.sig"),
  };
}

test("early seal: part 0 closes now, the rest of the hour goes to part 1, the hour's end seals part 1", async () => {
  const { dataDir, identity } = await enrolledDataDir("lm-seal-early-");
  let nowUs = BASE_US + 10;
  let { wal, sealer } = await openPipeline(dataDir, identity, () => nowUs);

  wal.append(datagram(BASE_US + 1 * MIN_US));
  wal.append(datagram(BASE_US + 2 * MIN_US));
  wal.flush();
  nowUs = BASE_US + 20 * MIN_US; // 08:20, `logmaster-agent seal`
  expect(await sealer.sealNow()).toEqual({
    sealed: ["2026-11-22T08"],
    open: "2026-11-22T08.1",
    enrolled: true,
  });
  // Sealing again at the same instant has nothing to close.
  expect((await sealer.sealNow()).sealed).toEqual([]);
  // A datagram stamped before the seal (a clock step back) takes the window's start.
  wal.append(datagram(BASE_US + 19 * MIN_US));
  wal.append(datagram(BASE_US + 30 * MIN_US));
  await wal.close();

  // Restart in the middle of part 1: it keeps taking the hour's records.
  ({ wal, sealer } = await openPipeline(dataDir, identity, () => nowUs));
  expect(wal.openChunk).toBe("2026-11-22T08.1");
  wal.append(datagram(BASE_US + 5 * MIN_US)); // clock stepped back below part 1 again
  wal.append(datagram(BASE_US + 50 * MIN_US));
  wal.flush();
  expect(await sealer.sealDue()).toEqual([]); // part 1 is open until 09:00
  nowUs = BASE_US + HOUR_US + 5; // 09:00
  expect(await sealer.sealDue()).toEqual(["2026-11-22T08.1"]);
  expect(sealer.state.lastSealed).toEqual({
    id: "2026-11-22T08.1",
    windowEnd: "2026-11-22T09:00:00.000000Z",
  });
  await wal.close();

  const part0 = readChunk(dataDir, "2026-11-22T08");
  const part1 = readChunk(dataDir, "2026-11-22T08.1");
  expect(part0.manifest.manifest).toMatchObject({
    hour_start: "2026-11-22T08:00:00Z",
    part: 0,
    window_start: "2026-11-22T08:00:00.000000Z",
    window_end: "2026-11-22T08:20:00.000000Z",
    first_seq: 1,
    last_seq: 2,
  });
  expect(part1.manifest.manifest).toMatchObject({
    part: 1,
    window_start: "2026-11-22T08:20:00.000000Z",
    window_end: "2026-11-22T09:00:00.000000Z",
    first_seq: 3,
    last_seq: 6,
  });
  // Every record lies inside its chunk's window: the clamp kept the boundary.
  for (const { manifest, records, signature } of [part0, part1]) {
    const scan = scanRecords(records, { window: manifest.manifest, merkle: true });
    expect(scan.recordsOutsideWindow).toBe(0);
    // Format 1.1: the Merkle root over the lines, computed in the seal's one read of the file.
    expect(manifest.manifest).toMatchObject({ format: "logmaster-chunk/1.1", ...scan.merkle });
    expect(verifyManifestSignature(manifest.bytes, signature, identity?.certPem ?? "")).toBe(true);
  }
  const ts = new TextDecoder()
    .decode(part1.records)
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line).ts);
  expect(ts).toEqual([
    "2026-11-22T08:20:00.000000Z",
    "2026-11-22T08:30:00.000000Z",
    "2026-11-22T08:30:00.000000Z", // after the restart: not before the last record kept
    "2026-11-22T08:50:00.000000Z",
  ]);
  expect(verifyHashChain([part0.manifest, part1.manifest]).ok).toBe(true);
});

test("an early seal with nothing received yet seals an empty part 0; an empty remainder is sealed at the hour's end", async () => {
  const { dataDir, identity } = await enrolledDataDir("lm-seal-empty-");
  let nowUs = BASE_US + 10 * MIN_US;
  const { wal, sealer } = await openPipeline(dataDir, identity, () => nowUs);
  expect((await sealer.sealNow()).sealed).toEqual(["2026-11-22T08"]);
  nowUs = BASE_US + 40 * MIN_US;
  wal.append(datagram(nowUs - 1));
  wal.flush();
  expect((await sealer.sealNow()).sealed).toEqual(["2026-11-22T08.1"]);
  nowUs = BASE_US + 2 * HOUR_US + 1; // 10:00: 08.2 (empty remainder) and 09 are due
  wal.append(datagram(nowUs));
  expect(await sealer.sealDue()).toEqual(["2026-11-22T08.2", "2026-11-22T09"]);
  await wal.close();

  const chain: ManifestWithBytes[] = [
    "2026-11-22T08",
    "2026-11-22T08.1",
    "2026-11-22T08.2",
    "2026-11-22T09",
  ].map((id) => readChunk(dataDir, id).manifest);
  expect(
    chain.map(({ manifest }) => [
      manifest.part,
      manifest.window_start,
      manifest.window_end,
      manifest.record_count,
    ]),
  ).toEqual([
    [0, "2026-11-22T08:00:00.000000Z", "2026-11-22T08:10:00.000000Z", 0],
    [1, "2026-11-22T08:10:00.000000Z", "2026-11-22T08:40:00.000000Z", 1],
    [2, "2026-11-22T08:40:00.000000Z", "2026-11-22T09:00:00.000000Z", 0],
    [0, "2026-11-22T09:00:00.000000Z", "2026-11-22T10:00:00.000000Z", 0],
  ]);
  expect(verifyHashChain(chain).ok).toBe(true);
  expect(readFileSync(join(dataDir, "chunks", "2026-11-22T08.2", "window.json"), "utf8")).toBe(
    '{"window_start":"2026-11-22T08:40:00.000000Z"}\n',
  );
});

test("not enrolled: seal closes nothing", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "lm-seal-unenrolled-"));
  dirs.push(dataDir);
  const { wal, sealer } = await openPipeline(dataDir, undefined, () => BASE_US + 20 * MIN_US);
  wal.append(datagram(BASE_US + MIN_US));
  wal.flush();
  expect(await sealer.sealNow()).toEqual({ sealed: [], open: "2026-11-22T08", enrolled: false });
  await wal.close();
  expect(existsSync(join(dataDir, "chunks", "2026-11-22T08.1"))).toBe(false);
});

test("a chain.json from before parts (lastSealedHour) is read as whole hours", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "lm-seal-legacy-"));
  dirs.push(dataDir);
  mkdirSync(join(dataDir, "state"), { recursive: true });
  writeFileSync(
    join(dataDir, "state", "chain.json"),
    `${JSON.stringify({ firstHour: "2026-11-22T05", lastSealedHour: "2026-11-22T07", lastManifestSha256: "ab" })}\n`,
  );
  expect(await readChainState(dataDir)).toEqual({
    firstHour: "2026-11-22T05",
    lastSealed: { id: "2026-11-22T07", windowEnd: "2026-11-22T08:00:00.000000Z" },
    lastManifestSha256: "ab",
  });
  const { wal, sealer } = await openPipeline(dataDir, undefined, () => BASE_US + 5);
  // The state is kept, now written in the new form.
  expect(sealer.state.lastSealed?.id).toBe("2026-11-22T07");
  await wal.close();
  expect(JSON.parse(readFileSync(join(dataDir, "state", "chain.json"), "utf8"))).toHaveProperty(
    "lastSealed",
  );
});

const ON_WORKER: SummaryOptions = { digestOnWorkerMinBytes: 0 };
const ON_MAIN_THREAD: SummaryOptions = { digestOnWorkerMinBytes: Number.POSITIVE_INFINITY };
const CRASHING_WORKER = new URL(
  "../../../shared/src/custody/digest-worker/crashing-worker.testing.ts",
  import.meta.url,
).href;

/** An enrolled data dir whose hour 08 holds `count` records and has ended at `nowUs`. */
async function dataDirWithEndedHour(prefix: string, count: number) {
  const { dataDir, identity } = await enrolledDataDir(prefix);
  const { wal } = await openPipeline(dataDir, identity, () => BASE_US + 10);
  for (let i = 0; i < count; i++) wal.append(datagram(BASE_US + 1000 + i));
  await wal.close();
  return { dataDir, identity, nowUs: BASE_US + HOUR_US + 5 };
}

test("a chunk digested on the worker thread gets the same manifest bytes as on the main thread", async () => {
  const { dataDir, identity, nowUs } = await dataDirWithEndedHour("lm-seal-worker-", 5000);
  const copy = mkdtempSync(join(tmpdir(), "lm-seal-main-"));
  dirs.push(copy);
  cpSync(dataDir, copy, { recursive: true });
  const manifestBytes: Uint8Array[] = [];
  for (const [dir, summary] of [
    [dataDir, ON_WORKER],
    [copy, ON_MAIN_THREAD],
  ] as const) {
    const { wal, sealer } = await openPipeline(dir, identity, () => nowUs, undefined, summary);
    expect(await sealer.sealDue()).toEqual(["2026-11-22T08"]);
    await wal.close();
    manifestBytes.push(readChunk(dir, "2026-11-22T08").manifest.bytes);
  }
  const [onWorker, onMain] = manifestBytes;
  expect(parseManifest(onWorker ?? new Uint8Array()).manifest).toMatchObject({
    record_count: 5000,
    merkle_size: 5000,
  });
  expect(Buffer.from(onWorker ?? []).equals(Buffer.from(onMain ?? []))).toBe(true);
});

test("a digest worker that crashes fails the seal (SealFailed), nothing is written, and the next seal succeeds", async () => {
  const { dataDir, identity, nowUs } = await dataDirWithEndedHour("lm-seal-crash-", 100);
  const crashing = await openPipeline(dataDir, identity, () => nowUs, undefined, {
    ...ON_WORKER,
    digestWorkerUrl: CRASHING_WORKER,
  });
  await expect(crashing.sealer.sealDue()).rejects.toThrow("the records digest worker failed");
  // The timer's path: the failure is an event, not an unhandled rejection.
  crashing.sealer.start();
  while (crashing.telemetry.count("SealFailed") === 0) await Bun.sleep(5);
  crashing.sealer.stop();
  expect(crashing.telemetry.count("ChunkSealed")).toBe(0);
  expect(existsSync(join(dataDir, "chunks", "2026-11-22T08", "manifest.json"))).toBe(false);
  expect(existsSync(join(dataDir, "chunks", "2026-11-22T08", "manifest.sig"))).toBe(false);
  expect((await readChainState(dataDir))?.lastSealed).toBeNull();
  await crashing.wal.close();

  const { wal, sealer } = await openPipeline(dataDir, identity, () => nowUs, undefined, ON_WORKER);
  expect(await sealer.sealDue()).toEqual(["2026-11-22T08"]);
  await wal.close();
  expect(readChunk(dataDir, "2026-11-22T08").manifest.manifest.record_count).toBe(100);
});
