import { hourAsMicrosUtc, parseChunkId } from "../../../shared/src/custody/index.ts";
import { INDEX_ENTRY_BYTES, summarizeIndex } from "../wal/index-file.ts";
import { indexPath, listChunkIds, manifestPath, readWindowStart } from "../wal/layout.ts";

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
  /** Every chunk on disk, in chain order (by hour, then part). */
  by_chunk: Array<{
    /** `YYYY-MM-DDTHH` (part 0) or `YYYY-MM-DDTHH.N`. */
    chunk: string;
    hour_start: string;
    part: number;
    /** Where its receive-time window starts (part 0: the hour's start). */
    window_start: string;
    records: number;
    bytes: number;
    sealed: boolean;
  }>;
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
    by_chunk: [],
  };
  for (const id of listChunkIds(dataDir)) {
    const address = parseChunkId(id);
    if (!address) continue;
    const summary = await summarizeIndex(indexPath(dataDir, id));
    const sealed = await Bun.file(manifestPath(dataDir, id)).exists();
    inventory.chunks++;
    if (sealed) inventory.sealed_chunks++;
    inventory.records += summary.recordCount;
    inventory.bytes += summary.byteLength;
    inventory.torn_index_bytes += Bun.file(indexPath(dataDir, id)).size % INDEX_ENTRY_BYTES;
    if (summary.firstSeq !== null) inventory.first_seq ??= summary.firstSeq;
    if (summary.lastSeq !== null) inventory.last_seq = summary.lastSeq;
    inventory.by_chunk.push({
      chunk: id,
      hour_start: address.hourStart,
      part: address.part,
      window_start:
        address.part === 0
          ? hourAsMicrosUtc(address.hourStart)
          : ((await readWindowStart(dataDir, id)) ?? "unknown"),
      records: summary.recordCount,
      bytes: summary.byteLength,
      sealed,
    });
  }
  return inventory;
}
