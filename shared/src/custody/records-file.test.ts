import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustodyError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import { buildManifest } from "./manifest.ts";
import { leafHash, merkleRoot } from "./merkle.ts";
import { encodeDataRecord, encodeGapRecord, type RecordLine } from "./record.ts";
import {
  CanonicalDataLineCheck,
  compareWithManifest,
  digestRecordsFile,
  EMPTY_MERKLE_FIELDS,
  EMPTY_RECORDS_SUMMARY,
  MAX_LINE_BYTES,
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
    expect(scanRecords(new Uint8Array()).summary).toEqual(EMPTY_RECORDS_SUMMARY);
    // ...whose values the manifest schema pins for record_count 0 (it throws on any other).
    expect(buildManifest(firstManifestFields(EMPTY_RECORDS_SUMMARY)).manifest).toMatchObject(
      EMPTY_RECORDS_SUMMARY,
    );
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

describe("the canonical-line fast path", () => {
  // RecordsScanner checks ordinary data lines byte by byte (CanonicalDataLineCheck)
  // and leaves every other line to parseRecordLine; with onRecord set, every line
  // goes through parseRecordLine. Both ways must give the same verdict on any line.
  function outcome(bytes: Uint8Array, fast: boolean): unknown {
    const window = {
      window_start: "2026-11-22T08:00:00.000000Z",
      window_end: "2026-11-22T08:30:00.000000Z",
    };
    try {
      return scanRecords(bytes, fast ? { window } : { window, onRecord: () => {} });
    } catch (error) {
      return { code: (error as CustodyError).code, message: (error as Error).message };
    }
  }

  const payloads = [
    "<134>firewall,info forward: in:vlan20 out:ether1, proto TCP (SYN), 10.20.1.7:51234->1.2.3.4:443",
    'quote " backslash \\ slash / tab \t nl \n cr \r ff \f bs \b nul \u0000 esc \u001b us \u001f del \u007f',
    "Türkçe İ ğ Ş ş ü — U+2028 \u2028 U+2029 \u2029 emoji 😀 BOM \ufeff",
    "",
  ];
  const sources = [
    "192.168.88.1",
    "10.0.0.255",
    "2001:db8:5651::1",
    "fe80::4e5e:cff:fe01:2345%ether1",
  ];
  const baseLines = payloads.flatMap((text, index) =>
    sources.map((src, s) =>
      encodeDataRecord({
        seq: [1, 42, 9_007_199_254_740_991, 1000][index] as number,
        receivedAtUs: HOUR_8_US + ([0, 1, 1_799_999_999, 3_599_999_999][s] as number),
        src,
        port: [0, 514, 65_535, 51_234][s] as number,
        transport: (["udp", "tcp", "tls", "udp"] as const)[s] as "udp",
        bytes: encoder.encode(text),
      }),
    ),
  );
  const interesting = [
    0x30, 0x31, 0x39, 0x22, 0x5c, 0x75, 0x41, 0x61, 0x66, 0x20, 0x7f, 0x1f, 0x0a, 0x00,
  ];

  test("accepts ordinary lines itself", () => {
    const check = new CanonicalDataLineCheck(undefined);
    for (const line of baseLines) expect(check.check(line, 0)).toBe(line.byteLength - 1);
    // ...and leaves the others to parseRecordLine.
    expect(check.check(gapLine, 0)).toBe(-1);
    const latin5 = encodeDataRecord({
      seq: 1,
      receivedAtUs: HOUR_8_US,
      src: "10.0.0.1",
      port: 514,
      transport: "udp",
      bytes: new Uint8Array([0x3c, 0x31, 0x3e, 0xfe]),
    });
    expect(check.check(latin5, 0)).toBe(-1);
  });

  test("agrees with parseRecordLine on thousands of altered lines", () => {
    let state = 5651;
    const random = (below: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % below;
    };
    let acceptedByFastPath = 0;
    const check = new CanonicalDataLineCheck(undefined);
    for (let round = 0; round < 6000; round++) {
      const line = baseLines[random(baseLines.length)] as Uint8Array;
      const body = Array.from(line.subarray(0, -1));
      const at = random(body.length);
      const byte =
        random(2) === 0 ? (interesting[random(interesting.length)] as number) : random(256);
      const kind = random(3);
      if (kind === 0) body[at] = byte;
      else if (kind === 1) body.splice(at, 0, byte);
      else body.splice(at, 1);
      const altered = new Uint8Array([...body, 0x0a]);
      expect(outcome(altered, true)).toEqual(outcome(altered, false));
      if (check.check(altered, 0) !== -1) acceptedByFastPath++;
    }
    // Some alterations keep a line canonical (another digit, another letter): the fast path took those.
    expect(acceptedByFastPath).toBeGreaterThan(100);
  });

  test("agrees on whole files split anywhere", () => {
    const whole = concatLines([...baseLines.slice(0, 4).map((_, i) => dataLine(i + 1)), gapLine]);
    const mixed = concatLines([dataLine(1), dataLine(2), gapLine, dataLine(4), dataLine(5)]);
    for (const bytes of [mixed, whole]) {
      for (const pieceSize of [1, 5, 13, 100, 4096]) {
        const fast = new RecordsScanner();
        const slow = new RecordsScanner({ onRecord: () => {} });
        let fastError: unknown;
        let slowError: unknown;
        for (let at = 0; at < bytes.byteLength; at += pieceSize) {
          const piece = bytes.subarray(at, at + pieceSize);
          try {
            fast.push(piece);
          } catch (error) {
            fastError ??= (error as Error).message;
          }
          try {
            slow.push(piece);
          } catch (error) {
            slowError ??= (error as Error).message;
          }
        }
        expect(fastError).toEqual(slowError);
        if (!fastError) expect(fast.finish()).toEqual(slow.finish());
      }
    }
  });
});

describe("sha256: false", () => {
  test("leaves records_sha256 to the caller and still counts the bytes", () => {
    const { summary } = scanRecords(file, { sha256: false });
    expect(summary).toEqual({ ...scanRecords(file).summary, records_sha256: "" });
  });
});

describe("memory", () => {
  test("a line longer than any record is refused before it is held", () => {
    const scanner = new RecordsScanner();
    const piece = new Uint8Array(1024 * 1024).fill(0x41);
    expect(() => {
      for (let i = 0; i <= MAX_LINE_BYTES / piece.byteLength; i++) scanner.push(piece);
    }).toThrow(/records\.jsonl line 1 is longer than 16777216 bytes: not a record/);
  });
});

describe("the Merkle tree of format 1.1 in the same read", () => {
  const encoder = new TextEncoder();
  const lines = ["a", "bb", "ccc"].map(
    (msg, i) =>
      `{"seq":${i + 1},"ts":"2026-11-22T08:00:0${i}.000000Z","src":"10.0.0.1","port":514,"transport":"udp","msg":"${msg}"}`,
  );
  const bytes = encoder.encode(lines.map((line) => `${line}\n`).join(""));
  const want = Buffer.from(
    merkleRoot(lines.map((line) => leafHash(encoder.encode(line)))),
  ).toString("hex");

  test("scanRecords builds it only when asked", () => {
    expect(scanRecords(bytes).merkle).toBeUndefined();
    expect(scanRecords(bytes, { merkle: true }).merkle).toEqual({
      merkle_root: want,
      merkle_size: 3,
    });
    expect(scanRecords(new Uint8Array(), { merkle: true }).merkle).toEqual(EMPTY_MERKLE_FIELDS);
  });

  test("digestRecordsFile: SHA-256, length and the tree in one read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "records-digest-"));
    try {
      const path = join(dir, "records.jsonl");
      writeFileSync(path, bytes);
      expect(await digestRecordsFile(path, { merkle: true })).toEqual({
        sha256Hex: sha256Hex(bytes),
        byteLength: bytes.byteLength,
        merkle: { merkle_root: want, merkle_size: 3 },
      });
      expect((await digestRecordsFile(path)).merkle).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
