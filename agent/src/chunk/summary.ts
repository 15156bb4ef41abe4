import { closeSync, openSync } from "node:fs";
import {
  digestRecordsFile,
  EMPTY_MERKLE_FIELDS,
  EMPTY_RECORDS_SUMMARY,
  isGapRecord,
  type MerkleFields,
  parseRecordLine,
  type RecordsSummary,
} from "../../../shared/src/custody/index.ts";
import { INDEX_ENTRY_BYTES, readIndexEntry } from "../wal/index-file.ts";
import { readRange } from "../wal/read-range.ts";

/** The manifest fields that follow from a chunk's records (format 1.1). */
export type ChunkSummary = RecordsSummary & MerkleFields;

/**
 * Summarise a closed chunk for its manifest: counts and seqs from records.idx
 * (streamed; gap records are flagged there, so only their lines are parsed),
 * SHA-256, length and the Merkle tree over the lines from one streamed read of
 * records.jsonl (never loaded whole, never read twice).
 *
 * @example
 * const fields = await summarizeChunk("chunks/2026-11-22T08.1/records.jsonl", "chunks/2026-11-22T08.1/records.idx");
 */
export async function summarizeChunk(
  recordsPath: string,
  indexPath: string,
): Promise<ChunkSummary> {
  const records = Bun.file(recordsPath);
  if (!(await records.exists()) || records.size === 0) {
    return { ...EMPTY_RECORDS_SUMMARY, ...EMPTY_MERKLE_FIELDS };
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
  const { sha256Hex, byteLength, merkle } = await digestRecordsFile(recordsPath, { merkle: true });
  if (!merkle) throw new Error("unreachable: digestRecordsFile was asked for the tree");
  if (merkle.merkle_size !== count) {
    // records.idx and records.jsonl disagree: a manifest from them would not verify.
    throw new Error(
      `${recordsPath} has ${merkle.merkle_size} lines but its index lists ${count} records`,
    );
  }
  return {
    first_seq: firstSeq,
    last_seq: lastSeq,
    record_count: count,
    gap_lost: gapLost,
    byte_length: byteLength,
    records_sha256: sha256Hex,
    ...merkle,
  };
}
