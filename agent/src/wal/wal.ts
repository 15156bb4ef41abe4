import {
  closeSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { z } from "zod";
import {
  encodeGapRecord,
  formatMicrosUtc,
  type GapReason,
  parseManifest,
  parseMicrosUtc,
} from "../../../shared/src/custody/index.ts";
import {
  type DataRecordInput,
  encodeDataRecordInto,
  maxDataRecordBytes,
} from "../../../shared/src/custody/record.ts";
import type { AgentTelemetry } from "../events/index.ts";
import type { DatagramBytesSink, ReceivedDatagram } from "../source/datagram.ts";
import { fsyncDir, readJsonFile, writeFileAtomic } from "./atomic.ts";
import {
  type ChunkRef,
  chunkDir,
  chunkRef,
  chunkRefOf,
  chunksDir,
  hourIndexOfUs,
  indexPath,
  listChunkIds,
  manifestPath,
  quarantineDir,
  readWindowStart,
  recordsPath,
  stateDir,
  US_PER_HOUR,
  windowFileContent,
  windowPath,
} from "./layout.ts";
import { PendingLines } from "./pending-lines.ts";
import { recoverChunkFiles } from "./recovery.ts";

/** The options of the WAL, from `wal.*` in the agent config. */
export interface WalOptions {
  dataDir: string;
  fsyncIntervalMs: number;
  maxDiskBytes: number;
  warnRatio: number;
  telemetry: AgentTelemetry;
  /** Receive clock, for gap records' write time. */
  nowUs: () => number;
  /**
   * End of the last sealed chunk's window (µs), from the sealer's state: no
   * record is ever written before it, even when every chunk dir was pruned.
   */
  sealedUntilUs?: number;
}

/** The chunk whose window takes new records; `windowStartUs` is where that window starts. */
interface CurrentChunk extends ChunkRef {
  windowStartUs: number;
}

/** The chunk whose files are open for appends: its records.jsonl + records.idx. */
interface OpenChunk extends ChunkRef {
  dataFd: number;
  indexFd: number;
  /** Bytes written to records.jsonl (in the page cache: survives kill -9). */
  writtenBytes: number;
  /** Bytes fsynced (survive a power loss; the forwarder never sends past this). */
  durableBytes: number;
  indexBytes: number;
  fsyncInFlight?: Promise<void>;
}

/** Datagrams lost (refused while the disk budget was full, dropped by the kernel): one gap record. */
export interface LostDatagrams {
  reason: GapReason;
  lost: number;
  firstUs: number;
  lastUs: number;
}

const NO_BYTES = new Uint8Array(0);
/** One labels object for every batch counted (the telemetry reuses its key). */
const RECEIVED_LABELS = Object.freeze({ transport: "any" });

const seqStateSchema = z.object({ lastSeq: z.number().int().min(0) });

/** Room to keep free before accepting again after a disk-full stop (avoids flapping). */
const RESUME_HEADROOM_BYTES = 1024 * 1024;

/**
 * Most bytes of encoded lines held before they are written (~3,000 records of
 * ~300 bytes): a turn that receives more is written in several pieces, so the
 * WAL's memory stays bounded at any receive rate.
 */
const MAX_PENDING_BYTES = 1024 * 1024;

/** What the status page and `/metrics` show about the WAL. */
export interface WalStats {
  lastSeq: number;
  /** The chunk taking new records (`YYYY-MM-DDTHH` or `YYYY-MM-DDTHH.N`). */
  openChunk: string | null;
  writtenBytes: number;
  durableBytes: number;
  diskUsedBytes: number;
  maxDiskBytes: number;
  refusing: boolean;
  recordsCutAtStart: number;
}

/**
 * The write-ahead log. The open chunk's `records.jsonl` is the WAL segment
 * itself (no second copy); `records.idx` beside it indexes every line.
 *
 * Routing: a datagram goes to the chunk whose receive-time window contains
 * its receive time: part 0 of its UTC hour, or the later part an early seal
 * opened ({@link Wal.closeCurrentChunkAt}). Receive times never go below a
 * floor (the start of the newest window, the newest hour written, the last
 * record kept at start, the end of the last sealed window): after a clock step
 * back a record takes the floor's time, so nothing lands in a closed chunk.
 *
 * Promises, by failure:
 * - **process crash / kill -9**: every datagram `append`ed before the last
 *   flush (end of the event-loop turn it arrived in) is in the page cache and
 *   survives; `received` counts only flushed datagrams.
 * - **power loss**: records written after the last fsync (at most
 *   `fsyncIntervalMs` worth) may be lost; recovery cuts the torn tail and
 *   reuses their seqs. Those bytes were never forwarded (the forwarder sends
 *   only `durableLength`), so no seq the hub has seen is ever reused.
 * - **disk budget exhausted**: datagrams are refused and counted; a gap record
 *   says how many and when, as soon as there is room again. Unsent data is
 *   never deleted to make room.
 * - **slow disk**: nothing queues in memory. A datagram is encoded into one
 *   bounded buffer ({@link PendingLines}) as it arrives; the buffer is written
 *   (synchronously, into the page cache) at the end of the turn or as soon as
 *   it holds `MAX_PENDING_BYTES`. A disk that cannot keep up slows the event
 *   loop, and the kernel's socket receive buffer absorbs the difference.
 *
 * @example
 * const wal = await Wal.open({ dataDir, fsyncIntervalMs: 100, maxDiskBytes: 1 << 30, warnRatio: 0.8, telemetry, nowUs });
 * wal.append({ receivedAtUs, src: "192.0.2.1", port: 514, transport: "udp", bytes });
 */
export class Wal implements DatagramBytesSink {
  #open: OpenChunk | undefined;
  #current: CurrentChunk | undefined;
  /** Lines encoded this turn and not yet written, all for `#pendingChunk`. */
  readonly #pending = new PendingLines(MAX_PENDING_BYTES);
  #pendingChunk: OpenChunk | undefined;
  #flushScheduled = false;
  /** The encoder's input, reused for every datagram (no object per datagram). */
  readonly #input: DataRecordInput = {
    seq: 1,
    receivedAtUs: 0,
    src: "",
    port: 0,
    transport: "udp",
    bytes: new Uint8Array(0),
    offset: 0,
    length: 0,
  };
  /** One function for every turn's setImmediate (no closure per turn). */
  readonly #flushAtTurnEnd = () => this.flush();
  #lastSeq: number;
  #diskUsedBytes: number;
  #warned = false;
  #refusing = false;
  #pendingGap: LostDatagrams | undefined;
  #fsyncTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void>[] = [];
  #durableListeners = new Set<() => void>();
  #closed = false;
  /** No record is written with a receive time below this (µs). */
  #floorUs: number;
  /** Latest receive time written (µs): an early seal closes a window after it. */
  #lastTsUs: number;
  readonly recordsCutAtStart: number;

  private constructor(
    private readonly options: WalOptions,
    start: {
      lastSeq: number;
      diskUsedBytes: number;
      floorUs: number;
      lastTsUs: number;
      current: CurrentChunk | undefined;
      recordsCut: number;
    },
  ) {
    this.#lastSeq = start.lastSeq;
    this.#diskUsedBytes = start.diskUsedBytes;
    this.#floorUs = start.floorUs;
    this.#lastTsUs = start.lastTsUs;
    this.#current = start.current;
    this.recordsCutAtStart = start.recordsCut;
  }

  /**
   * Open the WAL: recover every unsealed chunk (cut torn tails, count and log
   * what was cut, quarantine what cannot be read), restore the seq counter,
   * the current chunk and the receive-time floor, start the fsync timer.
   */
  static async open(options: WalOptions): Promise<Wal> {
    const { dataDir, telemetry } = options;
    mkdirSync(chunksDir(dataDir), { recursive: true });
    mkdirSync(stateDir(dataDir), { recursive: true });
    let lastSeq = 0;
    try {
      lastSeq = seqStateSchema.parse(await readJsonFile(seqStatePath(dataDir))).lastSeq;
    } catch {
      lastSeq = 0; // missing or unreadable: the chunks below still give the last seq
    }
    let recordsCut = 0;
    let chunksLastSeq = 0;
    let floorUs = options.sealedUntilUs ?? 0;
    let lastTsUs = 0;
    let latest: (CurrentChunk & { sealed: boolean }) | undefined;
    const quarantine = (id: string, error: unknown) => {
      const target = `${quarantineDir(dataDir)}/${id}-${Date.now()}`;
      mkdirSync(quarantineDir(dataDir), { recursive: true });
      renameSync(chunkDir(dataDir, id), target);
      telemetry.emit(
        "WalFileQuarantined",
        {},
        { chunk: id, movedTo: target, error: String(error) },
      );
    };
    for (const id of listChunkIds(dataDir)) {
      const ref = chunkRefOf(id) as ChunkRef;
      let windowStartUs = ref.hourIndex * US_PER_HOUR;
      if (ref.part > 0) {
        const windowStart = await readWindowStart(dataDir, id);
        if (windowStart === undefined) {
          // window.json is written before the part takes any record: without it
          // the part was never used (a crash while an early seal opened it).
          if (Bun.file(recordsPath(dataDir, id)).size > 0) {
            quarantine(id, new Error("part without window.json"));
          } else {
            rmSync(chunkDir(dataDir, id), { recursive: true, force: true });
            telemetry.info("removed a part opened by an interrupted early seal", { chunk: id });
          }
          continue;
        }
        windowStartUs = parseMicrosUtc(windowStart);
      }
      floorUs = Math.max(floorUs, windowStartUs);
      const sealed = await Bun.file(manifestPath(dataDir, id)).exists();
      latest = { ...ref, windowStartUs, sealed };
      if (sealed) continue;
      try {
        const found = recoverChunkFiles(recordsPath(dataDir, id), indexPath(dataDir, id));
        if (found.recordsCut > 0 || found.bytesCut > 0) {
          recordsCut += found.recordsCut;
          telemetry.emit(
            "WalTailTruncated",
            {},
            {
              chunk: id,
              recordsCut: found.recordsCut,
              bytesCut: found.bytesCut,
              reason: found.cutReason,
            },
            found.recordsCut,
          );
        }
        if (found.lastSeq !== null) chunksLastSeq = Math.max(chunksLastSeq, found.lastSeq);
        if (found.lastTsUs !== null) lastTsUs = Math.max(lastTsUs, found.lastTsUs);
      } catch (error) {
        quarantine(id, error);
      }
    }
    // Not before the last record kept: receive times do not go back across a restart.
    floorUs = Math.max(floorUs, lastTsUs);
    let current: CurrentChunk | undefined;
    if (latest?.sealed) {
      // The newest chunk is sealed: new records go after its window, into the
      // next part of its hour when it was closed early, else into a later hour.
      const hourEndUs = (latest.hourIndex + 1) * US_PER_HOUR;
      let windowEndUs = hourEndUs;
      try {
        const { manifest } = parseManifest(
          await Bun.file(manifestPath(dataDir, latest.id)).bytes(),
        );
        windowEndUs = parseMicrosUtc(manifest.window_end);
      } catch {
        windowEndUs = hourEndUs; // unreadable: the end of its hour is safe
      }
      floorUs = Math.max(floorUs, windowEndUs);
      if (windowEndUs < hourEndUs) {
        const next = { ...chunkRef(latest.hourIndex, latest.part + 1), windowStartUs: windowEndUs };
        openPartDir(dataDir, next);
        current = next;
      }
    } else if (latest) {
      current = latest;
    }
    // Seqs must run on without a hole inside a chunk. When recovery cut records
    // that state/seq.json had already counted, those seqs were never fsynced
    // (a crash) or were corrupted on disk: continue right after the last kept one.
    if (recordsCut > 0 && chunksLastSeq > 0 && chunksLastSeq < lastSeq) {
      telemetry.info("seqs cut from the WAL tail will be reused", {
        from: chunksLastSeq + 1,
        to: lastSeq,
      });
      lastSeq = chunksLastSeq;
    } else lastSeq = Math.max(lastSeq, chunksLastSeq);
    const wal = new Wal(options, {
      lastSeq,
      diskUsedBytes: diskUsage(dataDir),
      floorUs,
      lastTsUs,
      current,
      recordsCut,
    });
    wal.#persistSeq();
    wal.#fsyncTimer = setInterval(() => wal.#syncOpen(), options.fsyncIntervalMs);
    return wal;
  }

  /**
   * Hand one datagram to the WAL: it gets its seq and is encoded now, and is
   * written at the end of this event-loop turn (or at the receiver's `flush`).
   */
  append(datagram: ReceivedDatagram): void {
    const { bytes } = datagram;
    this.appendBytes(
      datagram.receivedAtUs,
      datagram.src,
      datagram.port,
      datagram.transport,
      bytes,
      0,
      bytes.byteLength,
    );
  }

  /**
   * {@link Wal.append} for `length` bytes of `buffer` from `offset`, without
   * an object per datagram: the UDP receive hot path (~100k calls/s), which
   * allocates nothing here. The bytes are encoded before this returns.
   *
   * @example
   * wal.appendBytes(receivedAtUs, "192.0.2.1", 514, "udp", slots, i * slotBytes, length);
   * wal.flush(); // end of the receive batch: now counted as received
   */
  appendBytes(
    receivedAtUs: number,
    src: string,
    port: number,
    transport: ReceivedDatagram["transport"],
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): void {
    if (this.#closed) return;
    if (this.#refusing && !this.#tryResume(receivedAtUs)) {
      this.#refuse("disk_full", receivedAtUs);
      return;
    }
    // A record never goes back into a closed chunk: after a clock step back
    // it takes the floor's time.
    const atUs = Math.max(receivedAtUs, this.#floorUs);
    const room = maxDataRecordBytes(length);
    const batch = this.#batchFor(this.#targetFor(atUs), room);
    const input = this.#input;
    input.seq = batch.nextSeq;
    input.receivedAtUs = atUs;
    input.src = src;
    input.port = port;
    input.transport = transport;
    input.bytes = buffer;
    input.offset = offset;
    input.length = length;
    try {
      batch.commit(encodeDataRecordInto(batch.reserve(room), batch.dataBytes, input), false);
    } catch (error) {
      this.options.telemetry.emit(
        "DatagramRejected",
        { reason: "unencodable" },
        { error: String(error) },
      );
      return;
    } finally {
      input.bytes = NO_BYTES; // do not keep the receiver's buffer alive
    }
    if (atUs > this.#lastTsUs) this.#lastTsUs = atUs;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushAtTurnEnd);
    }
  }

  /**
   * Write every pending line now: one write to records.jsonl and one to
   * records.idx. Called at the end of each turn, and before status is read so
   * that "received" never counts what is not written.
   */
  flush(): void {
    this.#flushScheduled = false;
    this.#writePending(false);
  }

  /**
   * The pending batch, ready to take a line of up to `room` bytes for
   * `target`: the lines pending for another chunk, or a full batch, are
   * written first.
   */
  #batchFor(target: ChunkRef, room: number): PendingLines {
    const batch = this.#pending;
    if (batch.count > 0 && (this.#pendingChunk?.id !== target.id || !batch.hasRoom(room)))
      this.#writePending(false);
    if (batch.count === 0) {
      const chunk = this.#chunkFor(target);
      this.#pendingChunk = chunk;
      batch.start(chunk.writtenBytes, this.#lastSeq + 1);
    }
    return batch;
  }

  /**
   * The chunk whose window contains `us` (which is at or above the floor):
   * the current chunk when `us` is in its hour, else part 0 of the later hour
   * `us` is in (which then becomes current, and raises the floor to its start).
   */
  #targetFor(us: number): CurrentChunk {
    const hourIndex = hourIndexOfUs(us);
    const current = this.#current;
    if (current && current.hourIndex === hourIndex) return current;
    const next = { ...chunkRef(hourIndex, 0), windowStartUs: hourIndex * US_PER_HOUR };
    this.#current = next;
    this.#floorUs = Math.max(this.#floorUs, next.windowStartUs);
    return next;
  }

  /**
   * Append the pending lines (seqs lastSeq+1...) to their chunk; on a write
   * error, undo and refuse them. `isGap`: the batch is one gap record, which
   * may exceed the budget (it is what says the budget was exceeded).
   */
  #writePending(isGap: boolean): boolean {
    const batch = this.#pending;
    const chunk = this.#pendingChunk;
    const count = batch.count;
    if (count === 0 || !chunk) return true;
    const data = batch.data();
    const index = batch.index();
    batch.start(0, 0); // the views above stay valid until the next line is encoded
    this.#pendingChunk = undefined;
    const budgetExceeded =
      this.#diskUsedBytes + data.byteLength + index.byteLength > this.options.maxDiskBytes;
    if (budgetExceeded && !isGap) {
      this.#refuseBatch(count);
      return false;
    }
    try {
      writeAll(chunk.dataFd, data, chunk.writtenBytes);
      writeAll(chunk.indexFd, index, chunk.indexBytes);
    } catch (error) {
      // ENOSPC or EIO mid-write: put both files back where they were, so no torn line stays.
      try {
        ftruncateSync(chunk.dataFd, chunk.writtenBytes);
        ftruncateSync(chunk.indexFd, chunk.indexBytes);
      } catch {
        // recovery at the next start cuts whatever is left
      }
      this.options.telemetry.emit("WalFsyncFailed", { op: "write" }, { error: String(error) });
      if (!isGap) this.#refuseBatch(count);
      return false;
    }
    chunk.writtenBytes += data.byteLength;
    chunk.indexBytes += index.byteLength;
    this.#lastSeq += count;
    this.#diskUsedBytes += data.byteLength + index.byteLength;
    if (!isGap) this.options.telemetry.emit("DatagramReceived", RECEIVED_LABELS, undefined, count);
    this.#checkWarn();
    return true;
  }

  #refuseBatch(count: number): void {
    const now = this.options.nowUs();
    this.#refusing = true;
    for (let i = 0; i < count; i++) this.#refuse("disk_full", now);
  }

  #refuse(reason: GapReason, atUs: number): void {
    this.#refusing = true;
    const gap = this.#pendingGap;
    if (gap) {
      gap.lost++;
      gap.lastUs = Math.max(gap.lastUs, atUs);
    } else this.#pendingGap = { reason, lost: 1, firstUs: atUs, lastUs: atUs };
    this.options.telemetry.emit(
      "DatagramRejected",
      { reason },
      { diskUsedBytes: this.#diskUsedBytes, maxDiskBytes: this.options.maxDiskBytes },
    );
  }

  /** When the budget has room again: write the gap record first, then accept. */
  #tryResume(nowUs: number): boolean {
    if (this.#diskUsedBytes + RESUME_HEADROOM_BYTES > this.options.maxDiskBytes) return false;
    const gap = this.#pendingGap;
    if (gap) {
      if (!this.#writeGapRecord(gap, nowUs)) return false;
      this.#pendingGap = undefined;
    }
    this.#refusing = false;
    return true;
  }

  /**
   * Write a gap record for datagrams lost before they reached the WAL (e.g.
   * the kernel dropped them: `receive_buffer_overflow`). Lines pending this
   * turn are written first, so the gap takes the next seq in order with them.
   * It is written even over the disk budget: it is a few bytes, and the
   * evidence of a loss must not itself be lost. Returns false when it could
   * not be written (WAL closed, write error); the caller keeps the count and
   * tries again.
   *
   * @example
   * wal.recordGap({ reason: "receive_buffer_overflow", lost: 37, firstUs, lastUs });
   */
  recordGap(gap: LostDatagrams): boolean {
    if (this.#closed) return false;
    return this.#writeGapRecord(gap, this.options.nowUs());
  }

  /** Flush what is pending, then append one gap record alone and count it. */
  #writeGapRecord(gap: LostDatagrams, nowUs: number): boolean {
    this.flush();
    const writtenAtUs = Math.max(nowUs, this.#floorUs);
    const line = encodeGapRecord({
      seq: this.#lastSeq + 1,
      writtenAtUs,
      reason: gap.reason,
      lost: gap.lost,
      firstLostAtUs: gap.firstUs,
      lastLostAtUs: Math.max(gap.lastUs, gap.firstUs),
    });
    // The batch is empty after the flush: the gap record goes alone.
    const batch = this.#batchFor(this.#targetFor(writtenAtUs), line.byteLength);
    batch.reserve(line.byteLength).set(line, batch.dataBytes);
    batch.commit(line.byteLength, true);
    if (!this.#writePending(true)) return false;
    this.#lastTsUs = Math.max(this.#lastTsUs, writtenAtUs);
    this.options.telemetry.emit(
      "GapRecorded",
      { reason: gap.reason },
      { lost: gap.lost, seq: this.#lastSeq },
    );
    return true;
  }

  /** Re-check the budget now (after pruning freed space) instead of at the next datagram. */
  resumeIfRoom(): void {
    if (this.#refusing) this.#tryResume(this.options.nowUs());
  }

  #checkWarn(): void {
    const ratio = this.#diskUsedBytes / this.options.maxDiskBytes;
    if (ratio >= this.options.warnRatio && !this.#warned) {
      this.#warned = true;
      this.options.telemetry.emit(
        "DiskBudgetWarning",
        {},
        { diskUsedBytes: this.#diskUsedBytes, maxDiskBytes: this.options.maxDiskBytes, ratio },
      );
    } else if (ratio < this.options.warnRatio * 0.95) this.#warned = false;
  }

  #chunkFor(target: ChunkRef): OpenChunk {
    const open = this.#open;
    if (open && open.id === target.id) return open;
    if (open) this.#closeChunk(open);
    const { dataDir } = this.options;
    mkdirSync(chunkDir(dataDir, target.id), { recursive: true });
    const dataFd = openSync(recordsPath(dataDir, target.id), "a");
    const indexFd = openSync(indexPath(dataDir, target.id), "a");
    fsyncDir(chunkDir(dataDir, target.id));
    fsyncDir(chunksDir(dataDir));
    const size = statSync(recordsPath(dataDir, target.id)).size;
    const chunk: OpenChunk = {
      id: target.id,
      hourIndex: target.hourIndex,
      part: target.part,
      dataFd,
      indexFd,
      writtenBytes: size,
      durableBytes: size,
      indexBytes: statSync(indexPath(dataDir, target.id)).size,
    };
    this.#open = chunk;
    return chunk;
  }

  /** fsync the open chunk (both files); afterwards its written bytes are durable. */
  #syncOpen(): Promise<void> {
    const chunk = this.#open;
    if (!chunk) return Promise.resolve();
    return this.#syncChunk(chunk);
  }

  #syncChunk(chunk: OpenChunk): Promise<void> {
    if (chunk.fsyncInFlight) return chunk.fsyncInFlight.then(() => this.#syncChunk(chunk));
    if (chunk.durableBytes === chunk.writtenBytes) return Promise.resolve();
    const target = chunk.writtenBytes;
    const done = new Promise<void>((resolve) => {
      fdatasync(chunk.indexFd, (indexError) => {
        fdatasync(chunk.dataFd, (dataError) => {
          chunk.fsyncInFlight = undefined;
          const error = indexError ?? dataError;
          if (error)
            this.options.telemetry.emit(
              "WalFsyncFailed",
              { op: "fsync" },
              { error: String(error) },
            );
          else {
            chunk.durableBytes = Math.max(chunk.durableBytes, target);
            this.#notifyDurable();
          }
          resolve();
        });
      });
    });
    chunk.fsyncInFlight = done;
    return done;
  }

  #closeChunk(chunk: OpenChunk): void {
    if (this.#open === chunk) this.#open = undefined;
    const closing = (async () => {
      if (chunk.fsyncInFlight) await chunk.fsyncInFlight;
      fsyncSync(chunk.indexFd);
      fsyncSync(chunk.dataFd);
      chunk.durableBytes = chunk.writtenBytes;
      closeSync(chunk.indexFd);
      closeSync(chunk.dataFd);
      this.#persistSeq();
      this.#notifyDurable();
    })();
    this.#closing.push(closing);
    closing.finally(() => {
      this.#closing = this.#closing.filter((item) => item !== closing);
    });
  }

  /**
   * Stop appending to every hour before `hourIndex` and wait until their files
   * are fsynced and closed: they are then ready to be sealed.
   */
  async closeHoursBefore(hourIndex: number): Promise<void> {
    this.flush();
    this.#floorUs = Math.max(this.#floorUs, hourIndex * US_PER_HOUR);
    if (this.#open && this.#open.hourIndex < hourIndex) this.#closeChunk(this.#open);
    await Promise.all(this.#closing);
  }

  /**
   * Early seal: close the chunk whose window contains `atUs` (the current
   * hour's open part) at that instant, so it can be sealed now, and open the
   * next part of the hour from there. The closed window ends after every
   * record written to it (records with ts >= the end go to the next part) and
   * the floor rises to it, so no later record can land in the closed chunk.
   * The new part's window.json is durable before this returns and before any
   * record is written to it: it is the record of where the closed window ends.
   * Returns undefined when the window would be empty (nothing has been open
   * since the last early seal).
   *
   * @example
   * await wal.closeHoursBefore(hourIndexOfUs(now));
   * const split = await wal.closeCurrentChunkAt(now); // { closed: "2026-11-22T08", next: "2026-11-22T08.1", ... }
   */
  async closeCurrentChunkAt(
    atUs: number,
  ): Promise<{ closed: string; next: string; windowEndUs: number } | undefined> {
    this.flush();
    const endUs = Math.max(atUs, this.#floorUs, this.#lastTsUs + 1);
    const closing = this.#targetFor(endUs);
    if (endUs <= closing.windowStartUs) return undefined;
    if (this.#open) this.#closeChunk(this.#open);
    const next = { ...chunkRef(closing.hourIndex, closing.part + 1), windowStartUs: endUs };
    openPartDir(this.options.dataDir, next);
    this.#current = next;
    this.#floorUs = Math.max(this.#floorUs, endUs);
    await Promise.all(this.#closing);
    return { closed: closing.id, next: next.id, windowEndUs: endUs };
  }

  /** Flush and fsync now (used by `seal` and at shutdown). */
  async syncNow(): Promise<void> {
    this.flush();
    await this.#syncOpen();
    await Promise.all(this.#closing);
  }

  /**
   * Bytes of a chunk's records.jsonl that are safe to forward: fsynced and
   * never to be cut by recovery. For the open chunk that is the last fsync; a
   * closed chunk is fsynced whole.
   */
  durableLength(id: string): number {
    const open = this.#open;
    if (open && open.id === id) return open.durableBytes;
    try {
      return statSync(recordsPath(this.options.dataDir, id)).size;
    } catch {
      return 0;
    }
  }

  /** The chunk taking new records (its window is still open), if any. */
  get openChunk(): string | null {
    return this.#current?.id ?? null;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Call `listener` whenever more bytes became durable (wakes the forwarder). */
  onDurable(listener: () => void): () => void {
    this.#durableListeners.add(listener);
    return () => this.#durableListeners.delete(listener);
  }

  #notifyDurable(): void {
    for (const listener of this.#durableListeners) listener();
  }

  /** Tell the WAL that files were deleted (pruning) so the budget is right. */
  releaseDiskBytes(bytes: number): void {
    this.#diskUsedBytes = Math.max(0, this.#diskUsedBytes - bytes);
    this.#checkWarn();
  }

  stats(): WalStats {
    return {
      lastSeq: this.#lastSeq,
      openChunk: this.#current?.id ?? null,
      writtenBytes: this.#open?.writtenBytes ?? 0,
      durableBytes: this.#open?.durableBytes ?? 0,
      diskUsedBytes: this.#diskUsedBytes,
      maxDiskBytes: this.options.maxDiskBytes,
      refusing: this.#refusing,
      recordsCutAtStart: this.recordsCutAtStart,
    };
  }

  #persistSeq(): void {
    writeFileAtomic(
      seqStatePath(this.options.dataDir),
      `${JSON.stringify({ lastSeq: this.#lastSeq })}\n`,
    );
  }

  /** Flush, fsync and close; the WAL takes no more datagrams. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#fsyncTimer) clearInterval(this.#fsyncTimer);
    if (this.#open) this.#closeChunk(this.#open);
    await Promise.all(this.#closing);
    this.#persistSeq();
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) {
    done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
  }
}

function seqStatePath(dataDir: string): string {
  return `${stateDir(dataDir)}/seq.json`;
}

/**
 * Create the directory of a part > 0 with its window.json (atomically, then
 * the chunks dir is fsynced): before any record can be written to it.
 */
function openPartDir(dataDir: string, part: CurrentChunk): void {
  mkdirSync(chunkDir(dataDir, part.id), { recursive: true });
  writeFileAtomic(
    windowPath(dataDir, part.id),
    windowFileContent(formatMicrosUtc(part.windowStartUs)),
  );
  fsyncDir(chunksDir(dataDir));
}

/** Bytes used by all chunk files (what the disk budget counts). */
export function diskUsage(dataDir: string): number {
  let total = 0;
  for (const id of listChunkIds(dataDir)) {
    try {
      for (const name of readdirSync(chunkDir(dataDir, id))) {
        total += statSync(`${chunkDir(dataDir, id)}/${name}`).size;
      }
    } catch {
      // a chunk pruned while we looked
    }
  }
  return total;
}
