import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustodyError } from "./errors.ts";
import { EMPTY_SHA256, sha256Hex } from "./hash.ts";
import { buildManifest } from "./manifest.ts";
import { encodeDataRecord, encodeGapRecord, type RecordLine } from "./record.ts";
import {
  compareWithManifest,
  RecordsScanner,
  scanRecords,
  scanRecordsFile,
} from "./records-file.ts";
import { firstManifestFields } from "./testing.ts";

const HOUR_8_US = 1_795_334_400_000_000;
const encoder = new TextEncoder();

function dataLine(seq: number, receivedAtUs = HOUR_8_US + seq * 1000): Uint8Array {
  return encodeDataRecord({
    seq,
    receivedAtUs,
    src: "10.0.0.1",
    port: 514,
    transport: "udp",
    bytes: encoder.encode(`<134>line ${seq}`),
  });
}

function concatLines(lines: Uint8Array[]): Uint8Array {
  return Buffer.concat(lines);
}

const gapLine = encodeGapRecord({
  seq: 3,
  writtenAtUs: HOUR_8_US + 5000,
  reason: "receive_buffer_overflow",
  lost: 17,
  firstLostAtUs: HOUR_8_US + 2500,
  lastLostAtUs: HOUR_8_US + 4000,
});
const file = concatLines([dataLine(1), dataLine(2), gapLine, dataLine(4)]);

function expectError(run: () => unknown, code: string, message: RegExp): void {
  expect(run).toThrow(message);
  try {
    run();
  } catch (error) {
    expect((error as CustodyError).code).toBe(code as CustodyError["code"]);
  }
}

describe("scanRecords", () => {
  test("summarises what the manifest must say", () => {
    const { summary, recordsOutsideWindow } = scanRecords(file, {
      window: buildManifest(firstManifestFields()).manifest,
    });
    expect(summary).toEqual({
      first_seq: 1,
      last_seq: 4,
      record_count: 4,
      gap_lost: 17,
      byte_length: file.byteLength,
      records_sha256: sha256Hex(file),
    });
    expect(recordsOutsideWindow).toBe(0);
  });

  test("an empty file is an empty hour", () => {
    expect(scanRecords(new Uint8Array()).summary).toEqual({
      first_seq: null,
      last_seq: null,
      record_count: 0,
      gap_lost: 0,
      byte_length: 0,
      records_sha256: EMPTY_SHA256,
    });
  });

  test("the result does not depend on how the bytes are split", () => {
    const whole = scanRecords(file);
    for (const pieceSize of [1, 7, 64, 1000]) {
      const seen: RecordLine[] = [];
      const scanner = new RecordsScanner({ onRecord: (record) => seen.push(record) });
      for (let at = 0; at < file.byteLength; at += pieceSize)
        scanner.push(file.subarray(at, at + pieceSize));
      expect(scanner.finish()).toEqual(whole);
      expect(seen.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
    }
  });

  test("counts records whose clock reading is outside the chunk's hour", () => {
    const late = concatLines([dataLine(1), dataLine(2, HOUR_8_US + 3_600_000_000)]);
    const window = {
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T09:00:00.000000Z",
    };
    expect(scanRecords(late, { window }).recordsOutsideWindow).toBe(1);
  });

  test("counts records outside the chunk's window: start inclusive, end exclusive", () => {
    const at20 = HOUR_8_US + 1_200_000_000; // 08:20:00
    const lines = concatLines([
      dataLine(1, at20 - 1), // in part 0, not part 1
      dataLine(2, at20), // the first microsecond of part 1
      dataLine(3, HOUR_8_US + 3_599_999_999), // the hour's last microsecond
    ]);
    const part0 = {
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T08:20:00.000000Z",
    };
    const part1 = {
      window_start: "2026-11-22T08:20:00.000000Z",
      window_end: "2026-11-22T09:00:00.000000Z",
    };
    expect(scanRecords(lines, { window: part0 }).recordsOutsideWindow).toBe(2);
    expect(scanRecords(lines, { window: part1 }).recordsOutsideWindow).toBe(1);
  });

  test("refuses a seq hole, naming the line", () => {
    expectError(
      () => scanRecords(concatLines([dataLine(1), dataLine(3)])),
      "invalid_records_file",
      /line 2: seq 3 follows seq 1/,
    );
  });

  test("refuses a repeated seq", () => {
    expectError(
      () => scanRecords(concatLines([dataLine(1), dataLine(1)])),
      "invalid_records_file",
      /line 2/,
    );
  });

  test("refuses a last line without \\n", () => {
    expectError(
      () => scanRecords(file.subarray(0, -1)),
      "invalid_records_file",
      /line 4 does not end with \\n/,
    );
  });

  test("refuses an empty line", () => {
    expectError(
      () => scanRecords(concatLines([dataLine(1), encoder.encode("\n")])),
      "invalid_records_file",
      /line 2 is empty/,
    );
  });

  test("passes on the record error with its line number", () => {
    const tampered = new Uint8Array(file);
    tampered[file.indexOf(0x0a) + 3] = 0x20; // inside line 2
    expectError(() => scanRecords(tampered), "invalid_record", /line 2:/);
  });
});

describe("scanRecordsFile", () => {
  test("streams a file with progress", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custody-records-"));
    try {
      const path = join(dir, "records.jsonl");
      writeFileSync(path, file);
      const progress: number[] = [];
      const result = await scanRecordsFile(path, {}, (done, total) => {
        expect(total).toBe(file.byteLength);
        progress.push(done);
      });
      expect(result).toEqual(scanRecords(file));
      expect(progress.at(-1)).toBe(file.byteLength);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("compareWithManifest", () => {
  test("no mismatch when the manifest was built from the summary", () => {
    const { summary } = scanRecords(file);
    const { manifest } = buildManifest(firstManifestFields(summary));
    expect(compareWithManifest(summary, manifest)).toEqual([]);
  });

  test("names each contradicted field", () => {
    const { summary } = scanRecords(file);
    const { manifest } = buildManifest(firstManifestFields(summary));
    const shorter = scanRecords(file.subarray(0, file.byteLength - dataLine(4).byteLength)).summary;
    expect(compareWithManifest(shorter, manifest).map((m) => m.field)).toEqual([
      "last_seq",
      "record_count",
      "byte_length",
      "records_sha256",
    ]);
  });
});
