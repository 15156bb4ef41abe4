import { closeSync, openSync } from "node:fs";
import {
  EMPTY_RECORDS_SUMMARY,
  isGapRecord,
  parseRecordLine,
  type RecordsSummary,
  sha256OfFile,
} from "../../../shared/src/custody/index.ts";
import { INDEX_ENTRY_BYTES, readIndexEntry } from "../wal/index-file.ts";
import { readRange } from "../wal/read-range.ts";

/**
 * Summarise a closed chunk for its manifest: counts and seqs from records.idx
 * (streamed; gap records are flagged there, so only their lines are parsed),
 * SHA-256 and length from records.jsonl (streamed, never loaded whole).
 *
 * @example
 * const fields = await summarizeChunk("chunks/2026-11-22T08.1/records.jsonl", "chunks/2026-11-22T08.1/records.idx");
 */
export async function summarizeChunk(
  recordsPath: string,
  indexPath: string,
): Promise<RecordsSummary> {
  const records = Bun.file(recordsPath);
  if (!(await records.exists()) || records.size === 0) {
    return { ...EMPTY_RECORDS_SUMMARY };
  }
  const indexFd = openSync(indexPath, "r");
  const dataFd = openSync(recordsPath, "r");
  let count = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  let gapLost = 0;
  try {
    const blockEntries = 65_536;
    for (let at = 0; ; at += blockEntries * INDEX_ENTRY_BYTES) {
      const block = readRange(indexFd, at, blockEntries * INDEX_ENTRY_BYTES);
      const entries = Math.floor(block.byteLength / INDEX_ENTRY_BYTES);
      for (let i = 0; i < entries; i++) {
        const entry = readIndexEntry(block, i * INDEX_ENTRY_BYTES);
        firstSeq ??= entry.seq;
        lastSeq = entry.seq;
        if (entry.gap) {
          const record = parseRecordLine(readRange(dataFd, entry.offset, entry.length));
          if (isGapRecord(record)) gapLost += record.gap.lost;
        }
      }
      count += entries;
      if (entries < blockEntries) break;
    }
  } finally {
    closeSync(indexFd);
    closeSync(dataFd);
  }
  const { sha256Hex, byteLength } = await sha256OfFile(recordsPath);
  return {
    first_seq: firstSeq,
    last_seq: lastSeq,
    record_count: count,
    gap_lost: gapLost,
    byte_length: byteLength,
    records_sha256: sha256Hex,
  };
}
