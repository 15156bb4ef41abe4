import { closeSync, openSync } from "node:fs";
import { digestRecordsFileOnWorker } from "../../../shared/src/custody/digest-worker/index.ts";
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
 * From this size on, records.jsonl is digested on a worker thread. Below it
 * the digest on this thread blocks the event loop about as long as starting
 * a worker does (~1.2 µs a record, ~5 ms at 1 MiB, vs ~3 ms), and the worker
 * would add ~60 ms of wall clock for nothing (bench/custody.ts measures both).
 */
export const DIGEST_ON_WORKER_MIN_BYTES = 1024 * 1024;

export interface SummaryOptions {
  /** records.jsonl this size or larger is digested on a worker thread. Default {@link DIGEST_ON_WORKER_MIN_BYTES}. */
  digestOnWorkerMinBytes?: number;
  /** The digest worker module (tests: one that crashes). Default the custody library's. */
  digestWorkerUrl?: string;
}

/**
 * Summarise a closed chunk for its manifest: counts and seqs from records.idx
 * (streamed; gap records are flagged there, so only their lines are parsed),
 * SHA-256, length and the Merkle tree over the lines from one streamed read of
 * records.jsonl (never loaded whole, never read twice). That read runs on a
 * worker thread for a large file: the tree costs ~1.5 µs a record, and this
 * thread is the one that receives datagrams. A worker that fails or crashes
 * rejects, as a failed read here would: the seal fails and is retried.
 *
 * @example
 * const fields = await summarizeChunk("chunks/2026-11-22T08.1/records.jsonl", "chunks/2026-11-22T08.1/records.idx");
 */
export async function summarizeChunk(
  recordsPath: string,
  indexPath: string,
  options: SummaryOptions = {},
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
  const onWorker = records.size >= (options.digestOnWorkerMinBytes ?? DIGEST_ON_WORKER_MIN_BYTES);
  const { sha256Hex, byteLength, merkle } = onWorker
    ? await digestRecordsFileOnWorker(recordsPath, {
        merkle: true,
        ...(options.digestWorkerUrl ? { workerUrl: options.digestWorkerUrl } : {}),
      })
    : await digestRecordsFile(recordsPath, { merkle: true });
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
