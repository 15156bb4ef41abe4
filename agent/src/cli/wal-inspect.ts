import { INDEX_ENTRY_BYTES, summarizeIndex } from "../wal/index-file.ts";
import { indexPath, manifestPath } from "../wal/layout.ts";
import { listChunkHours } from "../wal/wal.ts";

/** What `logmaster-agent wal` reports, read from the files (works with the agent stopped). */
export interface WalInventory {
  records: number;
  chunks: number;
  sealed_chunks: number;
  first_seq: number | null;
  last_seq: number | null;
  bytes: number;
  /** Bytes of a torn index entry at the end of some chunk (recovery will cut them). */
  torn_index_bytes: number;
  hours: Array<{ hour: string; records: number; bytes: number; sealed: boolean }>;
}

/**
 * Count what is on disk: records, chunks, seq range.
 *
 * @example
 * const { records, last_seq } = await inspectWal("/var/lib/logmaster-agent");
 */
export async function inspectWal(dataDir: string): Promise<WalInventory> {
  const inventory: WalInventory = {
    records: 0,
    chunks: 0,
    sealed_chunks: 0,
    first_seq: null,
    last_seq: null,
    bytes: 0,
    torn_index_bytes: 0,
    hours: [],
  };
  for (const hour of listChunkHours(dataDir)) {
    const summary = await summarizeIndex(indexPath(dataDir, hour));
    const sealed = await Bun.file(manifestPath(dataDir, hour)).exists();
    inventory.chunks++;
    if (sealed) inventory.sealed_chunks++;
    inventory.records += summary.recordCount;
    inventory.bytes += summary.byteLength;
    inventory.torn_index_bytes += Bun.file(indexPath(dataDir, hour)).size % INDEX_ENTRY_BYTES;
    if (summary.firstSeq !== null) inventory.first_seq ??= summary.firstSeq;
    if (summary.lastSeq !== null) inventory.last_seq = summary.lastSeq;
    inventory.hours.push({ hour, records: summary.recordCount, bytes: summary.byteLength, sealed });
  }
  return inventory;
}
