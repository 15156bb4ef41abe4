import { INDEX_ENTRY_BYTES, lineCrc32At, setIndexEntry } from "./index-file.ts";

/**
 * The lines waiting to be appended to one chunk: their bytes back to back (for
 * records.jsonl) and their index entries (for records.idx), each in one buffer
 * kept from turn to turn. Datagrams are encoded straight into it as they
 * arrive, so a datagram costs no allocation of its own (no queued object, no
 * line array, no per-line Uint8Array or DataView) and a turn costs one write
 * per file.
 *
 * The WAL writes the batch at the end of the event-loop turn, or earlier when
 * it is full (`hasRoom`), so the buffers never grow past `maxBytes` (plus one
 * line when a single record is larger): memory is bounded whatever the rate.
 *
 * @example
 * const batch = new PendingLines(1 << 20);
 * batch.start(chunk.writtenBytes, lastSeq + 1);
 * const length = encodeDataRecordInto(batch.reserve(room), batch.dataBytes, { seq: batch.nextSeq, ... });
 * batch.commit(length, false);
 * writeAll(dataFd, batch.data()); writeAll(indexFd, batch.index());
 */
export class PendingLines {
  #data: Buffer;
  #index: Buffer;
  #indexView: DataView;
  /** Bytes of data in use. */
  dataBytes = 0;
  /** Lines in the batch. */
  count = 0;
  /** records.jsonl length before this batch: the first line's offset. */
  #baseOffset = 0;
  #firstSeq = 0;

  constructor(private readonly maxBytes: number) {
    this.#data = Buffer.allocUnsafe(maxBytes);
    this.#index = Buffer.allocUnsafe(INDEX_ENTRY_BYTES * 1024);
    this.#indexView = viewOf(this.#index);
  }

  /** Begin an empty batch whose first line lands at `baseOffset` with seq `firstSeq`. */
  start(baseOffset: number, firstSeq: number): void {
    this.dataBytes = 0;
    this.count = 0;
    this.#baseOffset = baseOffset;
    this.#firstSeq = firstSeq;
  }

  /** The seq the next committed line takes. */
  get nextSeq(): number {
    return this.#firstSeq + this.count;
  }

  /** Whether a line of up to `bytes` fits without passing `maxBytes` (an empty batch takes any line). */
  hasRoom(bytes: number): boolean {
    return this.count === 0 || this.dataBytes + bytes <= this.maxBytes;
  }

  /** The data buffer, with at least `bytes` free from `dataBytes` on: encode the next line there. */
  reserve(bytes: number): Buffer {
    if (this.#data.byteLength - this.dataBytes < bytes) {
      // Only a single line larger than maxBytes gets here (the WAL writes a
      // full batch first): grow for it, and keep the larger buffer.
      const grown = Buffer.allocUnsafe(this.dataBytes + bytes);
      grown.set(this.#data.subarray(0, this.dataBytes));
      this.#data = grown;
    }
    return this.#data;
  }

  /** Take the `length` bytes just written at `dataBytes` as the next line, and index it. */
  commit(length: number, gap: boolean): void {
    const at = this.dataBytes;
    const entryAt = this.count * INDEX_ENTRY_BYTES;
    if (entryAt + INDEX_ENTRY_BYTES > this.#index.byteLength) {
      const grown = Buffer.allocUnsafe(this.#index.byteLength * 2);
      grown.set(this.#index.subarray(0, entryAt));
      this.#index = grown;
      this.#indexView = viewOf(grown);
    }
    // CRC of the encoded bytes in place, once; the line is never copied again before the write.
    const crc32 = lineCrc32At(this.#data, at, at + length);
    setIndexEntry(
      this.#indexView,
      entryAt,
      this.#baseOffset + at,
      length,
      crc32,
      this.nextSeq,
      gap,
    );
    this.dataBytes += length;
    this.count++;
  }

  /** The batch's records.jsonl bytes (a view: valid until the next `start`). */
  data(): Uint8Array {
    return this.#data.subarray(0, this.dataBytes);
  }

  /** The batch's records.idx entries (a view: valid until the next `start`). */
  index(): Uint8Array {
    return this.#index.subarray(0, this.count * INDEX_ENTRY_BYTES);
  }
}

function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
