import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { isGapRecord, parseMicrosUtc, parseRecordLine } from "../../../shared/src/custody/index.ts";
import {
  INDEX_ENTRY_BYTES,
  type IndexEntry,
  lineCrc32,
  readIndexEntry,
  writeIndexEntry,
} from "./index-file.ts";
import { readRange } from "./read-range.ts";

/** What recovery found and did to one unsealed chunk. */
export interface ChunkRecovery {
  /** Records kept (index entries after recovery). */
  records: number;
  /** Records cut from the tail (torn line, CRC mismatch, index beyond the data). */
  recordsCut: number;
  /** records.jsonl bytes cut. */
  bytesCut: number;
  /** Index entries rebuilt from complete lines that the index had missed. */
  entriesRebuilt: number;
  byteLength: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Receive time of the last record kept (µs), for the clock floor. */
  lastTsUs: number | null;
  /** Why the first cut record was cut, if any. */
  cutReason?: string;
}

const READ_WINDOW_BYTES = 8 * 1024 * 1024;
const LF = 0x0a;

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) lines++;
  return lines + (bytes.byteLength > 0 && bytes[bytes.byteLength - 1] !== LF ? 1 : 0);
}

/**
 * Make an unsealed chunk consistent after a crash: keep the longest prefix of
 * records that the index and the data agree on (contiguous offsets, CRC32,
 * seq +1 each), re-index complete valid lines the index missed (a kill between
 * the two writes), cut everything after, fsync both files. Never throws for
 * bad content; throws only for I/O errors (the caller quarantines).
 *
 * @example
 * const found = recoverChunkFiles("chunks/2026-11-22T08/records.jsonl", "chunks/2026-11-22T08/records.idx");
 * if (found.recordsCut > 0) telemetry.emit("WalTailTruncated", {}, found, found.recordsCut);
 */
export function recoverChunkFiles(recordsPath: string, indexPath: string): ChunkRecovery {
  const dataFd = openSync(recordsPath, "a+");
  const indexFd = openSync(indexPath, "a+");
  try {
    const dataSize = fstatSync(dataFd).size;
    const indexSize = fstatSync(indexFd).size;
    const entryCount = Math.floor(indexSize / INDEX_ENTRY_BYTES);
    let cutReason: string | undefined;
    let validEntries = 0;
    let end = 0;
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    let lastLine: Uint8Array | undefined;

    // 1. Walk the index in windows of the data file.
    let entryAt = 0;
    walk: while (entryAt < entryCount) {
      const batchCount = Math.min(entryCount - entryAt, 65_536);
      const entries = readRange(
        indexFd,
        entryAt * INDEX_ENTRY_BYTES,
        batchCount * INDEX_ENTRY_BYTES,
      );
      let windowStart = end;
      let window = readRange(
        dataFd,
        windowStart,
        Math.min(READ_WINDOW_BYTES, dataSize - windowStart),
      );
      for (let i = 0; i < batchCount; i++) {
        const entry = readIndexEntry(entries, i * INDEX_ENTRY_BYTES);
        const problem = checkEntry(entry, end, dataSize, lastSeq);
        if (problem) {
          cutReason = problem;
          break walk;
        }
        if (entry.offset + entry.length > windowStart + window.byteLength) {
          windowStart = entry.offset;
          window = readRange(
            dataFd,
            windowStart,
            Math.max(entry.length, Math.min(READ_WINDOW_BYTES, dataSize - windowStart)),
          );
        }
        const line = window.subarray(
          entry.offset - windowStart,
          entry.offset - windowStart + entry.length,
        );
        if (line[line.byteLength - 1] !== LF) {
          cutReason = `record seq ${entry.seq} does not end with a newline`;
          break walk;
        }
        if (lineCrc32(line) !== entry.crc32) {
          cutReason = `record seq ${entry.seq} at byte ${entry.offset}: CRC32 mismatch`;
          break walk;
        }
        firstSeq ??= entry.seq;
        lastSeq = entry.seq;
        lastLine = line;
        end = entry.offset + entry.length;
        validEntries++;
      }
      entryAt += batchCount;
    }

    // 2. Complete, valid lines after the indexed ones (index write lost): re-index them.
    const rebuilt: IndexEntry[] = [];
    if (cutReason === undefined && end < dataSize) {
      let at = end;
      while (at < dataSize) {
        const window = readRange(dataFd, at, Math.min(READ_WINDOW_BYTES, dataSize - at));
        const lf = window.indexOf(LF);
        if (lf === -1) {
          cutReason = `torn last line at byte ${at} (no newline)`;
          break;
        }
        const line = window.subarray(0, lf + 1);
        let seq: number;
        let gap = false;
        try {
          const record = parseRecordLine(line);
          seq = record.seq;
          gap = isGapRecord(record);
        } catch (error) {
          cutReason = `line at byte ${at} is not a record: ${(error as Error).message}`;
          break;
        }
        if (lastSeq !== null && seq !== lastSeq + 1) {
          cutReason = `line at byte ${at} has seq ${seq}, expected ${lastSeq + 1}`;
          break;
        }
        rebuilt.push({ offset: at, length: line.byteLength, crc32: lineCrc32(line), seq, gap });
        firstSeq ??= seq;
        lastSeq = seq;
        lastLine = line.slice();
        at += line.byteLength;
      }
      end = at > dataSize ? dataSize : rebuilt.length > 0 ? at : end;
      if (rebuilt.length > 0) {
        const last = rebuilt[rebuilt.length - 1] as IndexEntry;
        end = last.offset + last.length;
      }
    }

    // 3. Cut and fsync.
    const keptEntries = validEntries + rebuilt.length;
    const cutBytes =
      dataSize > end
        ? readRange(dataFd, end, Math.min(dataSize - end, READ_WINDOW_BYTES))
        : new Uint8Array();
    const linesCut =
      dataSize > end ? (dataSize - end > READ_WINDOW_BYTES ? Number.NaN : countLines(cutBytes)) : 0;
    const entriesCut =
      entryCount + (indexSize % INDEX_ENTRY_BYTES > 0 ? 1 : 0) - validEntries - rebuilt.length;
    const recordsCut = Math.max(Number.isNaN(linesCut) ? 1 : linesCut, entriesCut, 0);
    if (dataSize > end) ftruncateSync(dataFd, end);
    if (indexSize !== keptEntries * INDEX_ENTRY_BYTES) {
      ftruncateSync(indexFd, validEntries * INDEX_ENTRY_BYTES);
      if (rebuilt.length > 0) {
        const bytes = new Uint8Array(rebuilt.length * INDEX_ENTRY_BYTES);
        for (const [i, entry] of rebuilt.entries())
          writeIndexEntry(bytes, i * INDEX_ENTRY_BYTES, entry);
        writeSync(indexFd, bytes, 0, bytes.byteLength, validEntries * INDEX_ENTRY_BYTES);
      }
    }
    fsyncSync(dataFd);
    fsyncSync(indexFd);
    let lastTsUs: number | null = null;
    if (lastLine) {
      try {
        lastTsUs = parseMicrosUtc(parseRecordLine(lastLine).ts);
      } catch {
        lastTsUs = null;
      }
    }
    return {
      records: keptEntries,
      recordsCut: recordsCut,
      bytesCut: dataSize - end,
      entriesRebuilt: rebuilt.length,
      byteLength: end,
      firstSeq,
      lastSeq,
      lastTsUs,
      ...(recordsCut > 0 && cutReason ? { cutReason } : {}),
    };
  } finally {
    closeSync(dataFd);
    closeSync(indexFd);
  }
}

function checkEntry(
  entry: IndexEntry,
  expectedOffset: number,
  dataSize: number,
  lastSeq: number | null,
): string | undefined {
  if (entry.offset !== expectedOffset)
    return `index entry for seq ${entry.seq} points at byte ${entry.offset}, expected ${expectedOffset}`;
  if (entry.length === 0) return `index entry for seq ${entry.seq} has length 0`;
  if (entry.offset + entry.length > dataSize)
    return `record seq ${entry.seq} is beyond the end of records.jsonl (torn write)`;
  if (lastSeq !== null && entry.seq !== lastSeq + 1)
    return `index entry has seq ${entry.seq}, expected ${lastSeq + 1}`;
  if (entry.seq < 1) return `index entry has seq ${entry.seq}`;
  return undefined;
}
