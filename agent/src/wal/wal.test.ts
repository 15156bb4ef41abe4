import { afterEach, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildManifest, parseRecordLine, scanRecords } from "../../../shared/src/custody/index.ts";
import { AgentTelemetry } from "../events/index.ts";
import type { ReceivedDatagram } from "../source/datagram.ts";
import { INDEX_ENTRY_BYTES, readIndexEntry } from "./index-file.ts";
import { hourName } from "./layout.ts";
import { Wal } from "./wal.ts";

const HOUR_US = 3_600_000_000;
const BASE_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lm-wal-"));
  dirs.push(dir);
  return dir;
}

function datagram(text: string, atUs = BASE_US + 1): ReceivedDatagram {
  return {
    receivedAtUs: atUs,
    src: "192.0.2.7",
    port: 5140,
    transport: "udp",
    bytes: new TextEncoder().encode(text),
  };
}

async function openWal(
  dataDir: string,
  overrides: { maxDiskBytes?: number; nowUs?: () => number; sealedUntilUs?: number } = {},
) {
  const logs: string[] = [];
  const telemetry = new AgentTelemetry((line) => logs.push(line));
  const wal = await Wal.open({
    dataDir,
    fsyncIntervalMs: 10,
    maxDiskBytes: overrides.maxDiskBytes ?? 1 << 30,
    warnRatio: 0.8,
    telemetry,
    nowUs: overrides.nowUs ?? (() => BASE_US + 5),
    ...(overrides.sealedUntilUs !== undefined ? { sealedUntilUs: overrides.sealedUntilUs } : {}),
  });
  return { wal, telemetry, logs };
}

const hour = hourName(Math.floor(BASE_US / HOUR_US));
function files(dataDir: string, h = hour) {
  return {
    data: join(dataDir, "chunks", h, "records.jsonl"),
    index: join(dataDir, "chunks", h, "records.idx"),
  };
}
function lines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter(Boolean);
}

describe("Wal", () => {
  test("appends canonical lines with consecutive seqs and a matching index", async () => {
    const dataDir = tempDir();
    const { wal } = await openWal(dataDir);
    wal.append(datagram("<134>one"));
    wal.append(datagram("<134>two\u0000bin"));
    wal.append({ ...datagram(""), bytes: new Uint8Array([0xff, 0xfe]) });
    await wal.close();
    const { data, index } = files(dataDir);
    const got = lines(data).map((line) => parseRecordLine(new TextEncoder().encode(line)));
    expect(got.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(got[0]).toMatchObject({
      msg: "<134>one",
      src: "192.0.2.7",
      port: 5140,
      ts: "2026-11-22T08:00:00.000001Z",
    });
    expect(got[2]).toMatchObject({ msg_b64: "//4=" });
    const idx = new Uint8Array(readFileSync(index));
    expect(idx.byteLength).toBe(3 * INDEX_ENTRY_BYTES);
    expect(readIndexEntry(idx, 2 * INDEX_ENTRY_BYTES)).toMatchObject({ seq: 3, gap: false });
  });

  test("seq continues across restarts and hours", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    wal.append(datagram("a"));
    wal.append(datagram("b"));
    await wal.close();
    ({ wal } = await openWal(dataDir));
    expect(wal.lastSeq).toBe(2);
    wal.append(datagram("c", BASE_US + HOUR_US + 1));
    await wal.close();
    const next = files(dataDir, hourName(Math.floor(BASE_US / HOUR_US) + 1));
    expect(lines(next.data).map((line) => JSON.parse(line).seq)).toEqual([3]);
  });

  test("recovery cuts a torn last line and counts it", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    for (const text of ["a", "b", "c"]) wal.append(datagram(text));
    await wal.close();
    const { data, index } = files(dataDir);
    appendFileSync(data, '{"seq":4,"ts":"2026-11-22T08:00:00.000001Z","src":"192.0.2.7","po');
    const reopened = await openWal(dataDir);
    wal = reopened.wal;
    const { logs } = reopened;
    expect(wal.recordsCutAtStart).toBe(1);
    expect(logs.join("\n")).toContain("WalTailTruncated");
    expect(lines(data)).toHaveLength(3);
    expect(readFileSync(index).byteLength).toBe(3 * INDEX_ENTRY_BYTES);
    wal.append(datagram("d"));
    await wal.close();
    expect(lines(data).map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4]);
  });

  test("recovery cuts from a record whose CRC does not match (flipped byte)", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    for (const text of ["aaaa", "bbbb", "cccc"]) wal.append(datagram(text));
    await wal.close();
    const { data } = files(dataDir);
    const bytes = readFileSync(data);
    const at = bytes.indexOf("bbbb");
    bytes[at] = "x".charCodeAt(0);
    writeFileSync(data, bytes);
    const reopened = await openWal(dataDir);
    wal = reopened.wal;
    const telemetry = reopened.telemetry;
    expect(telemetry.count("WalTailTruncated")).toBe(2);
    expect(wal.lastSeq).toBe(1);
    expect(lines(data)).toHaveLength(1);
    await wal.close();
  });

  test("an index entry lost to a crash is rebuilt from its complete line", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    for (const text of ["a", "b"]) wal.append(datagram(text));
    await wal.close();
    const { index } = files(dataDir);
    truncateSync(index, INDEX_ENTRY_BYTES + 5); // one whole entry and a torn one
    ({ wal } = await openWal(dataDir));
    expect(wal.recordsCutAtStart).toBe(0);
    expect(wal.lastSeq).toBe(2);
    expect(readFileSync(index).byteLength).toBe(2 * INDEX_ENTRY_BYTES);
    await wal.close();
  });

  test("an unreadable chunk is quarantined and the agent carries on", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    wal.append(datagram("a"));
    await wal.close();
    const { data } = files(dataDir);
    rmSync(data);
    // a directory where the file should be: opening it fails
    mkdirSync(data);
    const reopened = await openWal(dataDir);
    wal = reopened.wal;
    const telemetry = reopened.telemetry;
    expect(telemetry.count("WalFileQuarantined")).toBe(1);
    wal.append(datagram("b"));
    await wal.close();
    expect(lines(data).map((line) => JSON.parse(line).seq)).toEqual([2]);
  });

  test("a full disk budget refuses datagrams, counts them, and writes a gap record when room returns", async () => {
    const dataDir = tempDir();
    let nowUs = BASE_US + 100;
    const { wal, telemetry } = await openWal(dataDir, {
      maxDiskBytes: 16 * 1024 * 1024,
      nowUs: () => nowUs,
    });
    const big = "x".repeat(60_000);
    for (let i = 0; i < 300; i++) {
      wal.append(datagram(big, BASE_US + 10 + i));
      wal.flush();
    }
    const rejected = telemetry.count("DatagramRejected", { reason: "disk_full" });
    expect(rejected).toBeGreaterThan(0);
    expect(telemetry.count("DiskBudgetWarning")).toBe(1);
    const keptBeforeGap = wal.lastSeq;
    wal.releaseDiskBytes(8 * 1024 * 1024); // as pruning would
    nowUs = BASE_US + 1000;
    wal.append(datagram("after", BASE_US + 1001));
    await wal.close();
    const all = lines(files(dataDir).data).map((line) => JSON.parse(line));
    const gap = all.find((record) => "gap" in record);
    expect(gap).toMatchObject({
      seq: keptBeforeGap + 1,
      gap: { reason: "disk_full", lost: rejected },
    });
    expect(all.at(-1)).toMatchObject({ seq: keptBeforeGap + 2, msg: "after" });
    const idx = new Uint8Array(readFileSync(files(dataDir).index));
    expect(readIndexEntry(idx, keptBeforeGap * INDEX_ENTRY_BYTES).gap).toBe(true);
  });
});

describe("Wal windows (early seal)", () => {
  const MIN_US = 60_000_000;
  const tsOf = (path: string) => lines(path).map((line) => JSON.parse(line).ts as string);

  test("closeCurrentChunkAt ends the window after the last record and routes later records to the next part", async () => {
    const dataDir = tempDir();
    const { wal } = await openWal(dataDir);
    wal.append(datagram("a", BASE_US + 10 * MIN_US));
    const split = await wal.closeCurrentChunkAt(BASE_US + 5 * MIN_US); // asked for a time before "a"
    expect(split).toEqual({
      closed: "2026-11-22T08",
      next: "2026-11-22T08.1",
      windowEndUs: BASE_US + 10 * MIN_US + 1, // after every record of the closed window
    });
    expect(readFileSync(join(dataDir, "chunks", "2026-11-22T08.1", "window.json"), "utf8")).toBe(
      '{"window_start":"2026-11-22T08:10:00.000001Z"}\n',
    );
    expect(await wal.closeCurrentChunkAt(BASE_US + 10 * MIN_US + 1)).toBeUndefined(); // empty window
    wal.append(datagram("b", BASE_US + 10 * MIN_US)); // would fall in the closed window: clamped
    wal.append(datagram("c", BASE_US + HOUR_US + 1)); // the next hour: its part 0
    await wal.close();
    expect(tsOf(files(dataDir).data)).toEqual(["2026-11-22T08:10:00.000000Z"]);
    expect(tsOf(files(dataDir, "2026-11-22T08.1").data)).toEqual(["2026-11-22T08:10:00.000001Z"]);
    expect(tsOf(files(dataDir, "2026-11-22T09").data)).toEqual(["2026-11-22T09:00:00.000001Z"]);
  });

  test("a part left without window.json by a crash: removed when empty, quarantined with records", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    wal.append(datagram("a"));
    await wal.close();
    mkdirSync(join(dataDir, "chunks", "2026-11-22T08.1"));
    mkdirSync(join(dataDir, "chunks", "2026-11-22T08.2"));
    writeFileSync(join(dataDir, "chunks", "2026-11-22T08.2", "records.jsonl"), "x\n");
    const reopened = await openWal(dataDir);
    wal = reopened.wal;
    expect(existsSync(join(dataDir, "chunks", "2026-11-22T08.1"))).toBe(false);
    expect(existsSync(join(dataDir, "chunks", "2026-11-22T08.2"))).toBe(false);
    expect(reopened.telemetry.count("WalFileQuarantined")).toBe(1);
    expect(wal.openChunk).toBe("2026-11-22T08");
    await wal.close();
  });

  test("a sealed newest chunk closed early: the WAL reopens the next part at its window_end", async () => {
    const dataDir = tempDir();
    let { wal } = await openWal(dataDir);
    wal.append(datagram("a"));
    await wal.close();
    // As if part 0 was sealed at 08:20 and the dir of part 1 was lost.
    const manifest = buildManifest({
      chain_id: "c",
      hotel_id: "h",
      agent_id: "a",
      agent_cert_sha256: "0".repeat(64),
      hour_start: "2026-11-22T08:00:00Z",
      part: 0,
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T08:20:00.000000Z",
      ...scanRecords(new Uint8Array(readFileSync(files(dataDir).data))).summary,
      prev_manifest_sha256: null,
      clock: { ntp_synchronized: null, source: "unknown" },
      created_at: "2026-11-22T08:20:00.000000Z",
    });
    writeFileSync(join(dataDir, "chunks", "2026-11-22T08", "manifest.json"), manifest.bytes);
    ({ wal } = await openWal(dataDir));
    expect(wal.openChunk).toBe("2026-11-22T08.1");
    wal.append(datagram("b", BASE_US + 10 * MIN_US)); // before 08:20: clamped into part 1
    await wal.close();
    expect(tsOf(files(dataDir, "2026-11-22T08.1").data)).toEqual(["2026-11-22T08:20:00.000000Z"]);
  });

  test("sealedUntilUs: nothing is written before the end of the last sealed window, even with no chunk on disk", async () => {
    const dataDir = tempDir();
    const { wal } = await openWal(dataDir, { sealedUntilUs: BASE_US + HOUR_US });
    wal.append(datagram("late", BASE_US + 59 * MIN_US));
    await wal.close();
    expect(existsSync(files(dataDir).data)).toBe(false);
    expect(tsOf(files(dataDir, "2026-11-22T09").data)).toEqual(["2026-11-22T09:00:00.000000Z"]);
  });
});
