import {
  closeSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { z } from "zod";
import {
  encodeDataRecord,
  encodeGapRecord,
  type GapReason,
} from "../../../shared/src/custody/index.ts";
import type { AgentTelemetry } from "../events/index.ts";
import type { ReceivedDatagram } from "../source/datagram.ts";
import { fsyncDir, readJsonFile, writeFileAtomic } from "./atomic.ts";
import { INDEX_ENTRY_BYTES, lineCrc32, writeIndexEntry } from "./index-file.ts";
import {
  chunkDir,
  chunksDir,
  HOUR_NAME_PATTERN,
  hourIndexOfName,
  hourIndexOfUs,
  hourName,
  indexPath,
  manifestPath,
  quarantineDir,
  recordsPath,
  stateDir,
} from "./layout.ts";
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
}

/** The chunk being appended to: one hour's records.jsonl + records.idx. */
interface OpenChunk {
  hourIndex: number;
  hour: string;
  dataFd: number;
  indexFd: number;
  /** Bytes written to records.jsonl (in the page cache: survives kill -9). */
  writtenBytes: number;
  /** Bytes fsynced (survive a power loss; the forwarder never sends past this). */
  durableBytes: number;
  indexBytes: number;
  fsyncInFlight?: Promise<void>;
}

/** Datagrams refused while the disk budget was exhausted, to be written as one gap record. */
interface PendingGap {
  reason: GapReason;
  lost: number;
  firstUs: number;
  lastUs: number;
}

const US_PER_HOUR = 3_600_000_000;
const seqStateSchema = z.object({ lastSeq: z.number().int().min(0) });

/** Room to keep free before accepting again after a disk-full stop (avoids flapping). */
const RESUME_HEADROOM_BYTES = 1024 * 1024;

/** What the status page and `/metrics` show about the WAL. */
export interface WalStats {
  lastSeq: number;
  openHour: string | null;
  writtenBytes: number;
  durableBytes: number;
  diskUsedBytes: number;
  maxDiskBytes: number;
  refusing: boolean;
  recordsCutAtStart: number;
}

/**
 * The write-ahead log. The open hour's `records.jsonl` is the WAL segment
 * itself (no second copy); `records.idx` beside it indexes every line.
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
 *
 * @example
 * const wal = await Wal.open({ dataDir, fsyncIntervalMs: 100, maxDiskBytes: 1 << 30, warnRatio: 0.8, telemetry, nowUs });
 * wal.append({ receivedAtUs, src: "192.0.2.1", port: 514, transport: "udp", bytes });
 */
export class Wal {
  #open: OpenChunk | undefined;
  #queue: ReceivedDatagram[] = [];
  #flushScheduled = false;
  #lastSeq: number;
  #diskUsedBytes: number;
  #warned = false;
  #refusing = false;
  #pendingGap: PendingGap | undefined;
  #fsyncTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void>[] = [];
  #durableListeners = new Set<() => void>();
  #closed = false;
  /** Last hour closed (no more appends), so that records never go back to it. */
  #minHourIndex: number;
  readonly recordsCutAtStart: number;
  /** Latest receive time found on disk at start (µs), a floor for the receive clock. */
  readonly lastTsUsAtStart: number | null;

  private constructor(
    private readonly options: WalOptions,
    start: {
      lastSeq: number;
      diskUsedBytes: number;
      minHourIndex: number;
      recordsCut: number;
      lastTsUs: number | null;
    },
  ) {
    this.#lastSeq = start.lastSeq;
    this.#diskUsedBytes = start.diskUsedBytes;
    this.#minHourIndex = start.minHourIndex;
    this.recordsCutAtStart = start.recordsCut;
    this.lastTsUsAtStart = start.lastTsUs;
  }

  /**
   * Open the WAL: recover every unsealed chunk (cut torn tails, count and log
   * what was cut, quarantine what cannot be read), restore the seq counter,
   * start the fsync timer.
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
    let lastTsUs: number | null = null;
    let minHourIndex = 0;
    for (const hour of listChunkHours(dataDir)) {
      minHourIndex = Math.max(minHourIndex, hourIndexOfName(hour));
      if (await Bun.file(manifestPath(dataDir, hour)).exists()) continue;
      try {
        const found = recoverChunkFiles(recordsPath(dataDir, hour), indexPath(dataDir, hour));
        if (found.recordsCut > 0 || found.bytesCut > 0) {
          recordsCut += found.recordsCut;
          telemetry.emit(
            "WalTailTruncated",
            {},
            {
              hour,
              recordsCut: found.recordsCut,
              bytesCut: found.bytesCut,
              reason: found.cutReason,
            },
            found.recordsCut,
          );
        }
        if (found.lastSeq !== null) chunksLastSeq = Math.max(chunksLastSeq, found.lastSeq);
        if (found.lastTsUs !== null) lastTsUs = Math.max(lastTsUs ?? 0, found.lastTsUs);
      } catch (error) {
        const target = `${quarantineDir(dataDir)}/${hour}-${Date.now()}`;
        mkdirSync(quarantineDir(dataDir), { recursive: true });
        renameSync(chunkDir(dataDir, hour), target);
        telemetry.emit("WalFileQuarantined", {}, { hour, movedTo: target, error: String(error) });
      }
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
      minHourIndex,
      recordsCut,
      lastTsUs,
    });
    wal.#persistSeq();
    wal.#fsyncTimer = setInterval(() => wal.#syncOpen(), options.fsyncIntervalMs);
    return wal;
  }

  /** Hand one datagram to the WAL; it is written at the end of this event-loop turn. */
  append(datagram: ReceivedDatagram): void {
    if (this.#closed) return;
    if (this.#refusing && !this.#tryResume(datagram.receivedAtUs)) {
      this.#refuse("disk_full", datagram.receivedAtUs);
      return;
    }
    this.#queue.push(datagram);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Write every queued datagram now: one write to records.jsonl and one to
   * records.idx per hour touched. Called at the end of each turn, and before
   * status is read so that "received" never counts what is not written.
   */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    let lines: Uint8Array[] = [];
    let hourIndex = -1;
    for (const received of queue) {
      // A record never goes back into an hour already closed, nor before the
      // last record kept at start: after a clock step back it takes the floor.
      const floorUs = Math.max(this.#minHourIndex * US_PER_HOUR, this.lastTsUsAtStart ?? 0);
      const datagram =
        received.receivedAtUs >= floorUs ? received : { ...received, receivedAtUs: floorUs };
      const datagramHour = hourIndexOfUs(datagram.receivedAtUs);
      if (datagramHour !== hourIndex) {
        if (lines.length > 0) this.#writeLines(hourIndex, lines);
        lines = [];
        hourIndex = datagramHour;
      }
      try {
        lines.push(encodeDataRecord({ seq: this.#lastSeq + lines.length + 1, ...datagram }));
      } catch (error) {
        this.options.telemetry.emit(
          "DatagramRejected",
          { reason: "unencodable" },
          { error: String(error) },
        );
      }
    }
    if (lines.length > 0) this.#writeLines(hourIndex, lines);
  }

  /** Append encoded lines (seqs lastSeq+1...) to the hour's chunk; on a write error, undo and refuse. */
  #writeLines(hourIndex: number, lines: Uint8Array[], isGap = false): boolean {
    const chunk = this.#chunkFor(hourIndex);
    let total = 0;
    for (const line of lines) total += line.byteLength;
    const indexBytes = new Uint8Array(lines.length * INDEX_ENTRY_BYTES);
    const data = new Uint8Array(total);
    let at = 0;
    lines.forEach((line, i) => {
      data.set(line, at);
      writeIndexEntry(indexBytes, i * INDEX_ENTRY_BYTES, {
        offset: chunk.writtenBytes + at,
        length: line.byteLength,
        crc32: lineCrc32(line),
        seq: this.#lastSeq + i + 1,
        gap: isGap,
      });
      at += line.byteLength;
    });
    const budgetExceeded =
      this.#diskUsedBytes + total + indexBytes.byteLength > this.options.maxDiskBytes;
    if (budgetExceeded && !isGap) {
      this.#refuseBatch(lines.length);
      return false;
    }
    try {
      writeAll(chunk.dataFd, data, chunk.writtenBytes);
      writeAll(chunk.indexFd, indexBytes, chunk.indexBytes);
    } catch (error) {
      // ENOSPC or EIO mid-write: put both files back where they were, so no torn line stays.
      try {
        ftruncateSync(chunk.dataFd, chunk.writtenBytes);
        ftruncateSync(chunk.indexFd, chunk.indexBytes);
      } catch {
        // recovery at the next start cuts whatever is left
      }
      this.options.telemetry.emit("WalFsyncFailed", { op: "write" }, { error: String(error) });
      if (!isGap) this.#refuseBatch(lines.length);
      return false;
    }
    chunk.writtenBytes += data.byteLength;
    chunk.indexBytes += indexBytes.byteLength;
    this.#lastSeq += lines.length;
    this.#diskUsedBytes += data.byteLength + indexBytes.byteLength;
    if (!isGap)
      this.options.telemetry.emit(
        "DatagramReceived",
        { transport: "any" },
        undefined,
        lines.length,
      );
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
      this.flush();
      const line = encodeGapRecord({
        seq: this.#lastSeq + 1,
        writtenAtUs: nowUs,
        reason: gap.reason,
        lost: gap.lost,
        firstLostAtUs: gap.firstUs,
        lastLostAtUs: Math.max(gap.lastUs, gap.firstUs),
      });
      const hourIndex = Math.max(hourIndexOfUs(nowUs), this.#minHourIndex);
      if (!this.#writeLines(hourIndex, [line], true)) return false;
      this.options.telemetry.emit(
        "GapRecorded",
        { reason: gap.reason },
        { lost: gap.lost, seq: this.#lastSeq },
      );
      this.#pendingGap = undefined;
    }
    this.#refusing = false;
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

  #chunkFor(hourIndex: number): OpenChunk {
    const open = this.#open;
    if (open && open.hourIndex === hourIndex) return open;
    if (open) this.#closeChunk(open);
    const hour = hourName(hourIndex);
    mkdirSync(chunkDir(this.options.dataDir, hour), { recursive: true });
    const dataFd = openSync(recordsPath(this.options.dataDir, hour), "a");
    const indexFd = openSync(indexPath(this.options.dataDir, hour), "a");
    fsyncDir(chunkDir(this.options.dataDir, hour));
    fsyncDir(chunksDir(this.options.dataDir));
    const size = statSync(recordsPath(this.options.dataDir, hour)).size;
    const chunk: OpenChunk = {
      hourIndex,
      hour,
      dataFd,
      indexFd,
      writtenBytes: size,
      durableBytes: size,
      indexBytes: statSync(indexPath(this.options.dataDir, hour)).size,
    };
    this.#open = chunk;
    this.#minHourIndex = Math.max(this.#minHourIndex, hourIndex);
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
    this.#minHourIndex = Math.max(this.#minHourIndex, hourIndex);
    if (this.#open && this.#open.hourIndex < hourIndex) this.#closeChunk(this.#open);
    await Promise.all(this.#closing);
  }

  /** Flush and fsync now (used by `seal` and at shutdown). */
  async syncNow(): Promise<void> {
    this.flush();
    await this.#syncOpen();
    await Promise.all(this.#closing);
  }

  /**
   * Bytes of an hour's records.jsonl that are safe to forward: fsynced and
   * never to be cut by recovery. For the open hour that is the last fsync; a
   * closed hour is fsynced whole.
   */
  durableLength(hour: string): number {
    const open = this.#open;
    if (open && open.hour === hour) return open.durableBytes;
    try {
      return statSync(recordsPath(this.options.dataDir, hour)).size;
    } catch {
      return 0;
    }
  }

  /** The hour still taking appends, if any. */
  get openHour(): string | null {
    return this.#open?.hour ?? null;
  }

  /** Hours whose records may no longer change (everything before this index). */
  get minHourIndex(): number {
    return this.#minHourIndex;
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
      openHour: this.#open?.hour ?? null,
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

/** Chunk hours present on disk, oldest first. */
export function listChunkHours(dataDir: string): string[] {
  try {
    return readdirSync(chunksDir(dataDir))
      .filter((name) => HOUR_NAME_PATTERN.test(name))
      .sort();
  } catch {
    return [];
  }
}

/** Bytes used by all chunk files (what the disk budget counts). */
export function diskUsage(dataDir: string): number {
  let total = 0;
  for (const hour of listChunkHours(dataDir)) {
    try {
      for (const name of readdirSync(chunkDir(dataDir, hour))) {
        total += statSync(`${chunkDir(dataDir, hour)}/${name}`).size;
      }
    } catch {
      // a chunk pruned while we looked
    }
  }
  return total;
}
