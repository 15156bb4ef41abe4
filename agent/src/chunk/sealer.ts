import { existsSync, mkdirSync } from "node:fs";
import { z } from "zod";
import {
  buildManifest,
  certificateSha256,
  formatMicrosUtc,
  hourAsMicrosUtc,
  microsUtcSchema,
  parseMicrosUtc,
  sha256Hex,
  signManifest,
} from "../../../shared/src/custody/index.ts";
import type { AgentIdentity } from "../enroll/identity.ts";
import type { AgentTelemetry } from "../events/index.ts";
import { readJsonFile, writeFileAtomic } from "../wal/atomic.ts";
import {
  type ChunkRef,
  chunkDir,
  chunkRef,
  chunkRefOf,
  hourIndexOfUs,
  hourName,
  hourStartOfIndex,
  indexPath,
  listChunkIds,
  manifestPath,
  readWindowStart,
  recordsPath,
  signaturePath,
  stateDir,
  windowFileContent,
  windowPath,
} from "../wal/layout.ts";
import type { Wal } from "../wal/wal.ts";
import { type ClockInfo, describeClock } from "./clock-info.ts";
import { type SummaryOptions, summarizeChunk } from "./summary.ts";

/** state/chain.json: where the hash chain stands. Written atomically after each seal. */
const chainStateSchema = z.object({
  /** First hour this agent keeps, `YYYY-MM-DDTHH` (the chain starts at its part 0, with prev = null). */
  firstHour: z.string(),
  /** The last chunk sealed: its id and where its window ends (the next chunk starts there). */
  lastSealed: z.object({ id: z.string(), windowEnd: microsUtcSchema }).nullable(),
  lastManifestSha256: z.string().nullable(),
});
export type ChainState = z.infer<typeof chainStateSchema>;

/** chain.json as written before chunks had parts: every sealed chunk was a whole hour. */
const hourlyChainStateSchema = z.object({
  firstHour: z.string(),
  lastSealedHour: z.string().nullable(),
  lastManifestSha256: z.string().nullable(),
});

function chainStatePath(dataDir: string): string {
  return `${stateDir(dataDir)}/chain.json`;
}

/**
 * The sealer's state/chain.json, or undefined when there is none (a new
 * agent) or it cannot be read.
 *
 * @example
 * const state = await readChainState(dataDir);
 * const sealedUntilUs = state ? sealedUntilUs(state) : undefined;
 */
export async function readChainState(dataDir: string): Promise<ChainState | undefined> {
  const stored: unknown = await readJsonFile(chainStatePath(dataDir)).catch(() => undefined);
  const current = chainStateSchema.safeParse(stored);
  if (current.success) return current.data;
  const hourly = hourlyChainStateSchema.safeParse(stored);
  if (!hourly.success) return undefined;
  const last = hourly.data.lastSealedHour;
  const lastRef = last ? chunkRefOf(last) : undefined;
  return {
    firstHour: hourly.data.firstHour,
    lastSealed: lastRef
      ? { id: lastRef.id, windowEnd: hourAsMicrosUtc(hourStartOfIndex(lastRef.hourIndex + 1)) }
      : null,
    lastManifestSha256: hourly.data.lastManifestSha256,
  };
}

/** End of the last sealed window (µs): no record may be written before it. */
export function sealedUntilUs(state: ChainState): number | undefined {
  return state.lastSealed ? parseMicrosUtc(state.lastSealed.windowEnd) : undefined;
}

export interface SealerOptions {
  dataDir: string;
  wal: Wal;
  telemetry: AgentTelemetry;
  nowUs: () => number;
  /** The enrolled identity (read at each seal, so a renewed certificate is used). */
  identity: () => AgentIdentity | undefined;
  /** Called after a chunk is sealed, with its id (the forwarder sends the seal). */
  onSealed?: (id: string) => void;
  clockInfo?: () => ClockInfo;
  /** Where records.jsonl is digested (a worker thread for a large one); tests change it. */
  summary?: SummaryOptions;
}

/** What `logmaster-agent seal` did. */
export interface SealNowResult {
  /** Chunk ids sealed, oldest first. */
  sealed: string[];
  /** The chunk that takes records from now on. */
  open: string | null;
  enrolled: boolean;
}

/** The next chunk of the chain and where its window starts. */
interface NextChunk extends ChunkRef {
  windowStart: string;
}

/**
 * Closes chunks: at each UTC hour boundary (timer) it seals every chunk whose
 * window has ended, oldest first, including hours without records and hours
 * the agent was down for (count-0 manifests keep the hash chain unbroken, so a
 * missing hour is detectable). On demand ({@link Sealer.sealNow}, what
 * `logmaster-agent seal` asks for) it also closes the current hour's open
 * chunk at once: the WAL ends its window now and opens the next part of the
 * hour, and the closed part is sealed. An early-sealed hour is parts 0..k with
 * contiguous windows, the last ending at the hour's end; a part may be empty
 * (it still gets its manifest when its window ends).
 *
 * Which window a chunk has follows from the disk: part 0 starts at its
 * hour_start, a part N > 0 at the instant in its window.json; a window ends
 * where the next part of its hour starts, else at the hour's end.
 *
 * Crash promise: manifest.sig is written before manifest.json, each atomically,
 * then state/chain.json. A crash in between re-seals the chunk at the next
 * start (a new created_at, a new signature, the same records and window).
 *
 * @example
 * const sealer = await Sealer.open({ dataDir, wal, telemetry, nowUs, identity: () => identity });
 * sealer.start(); // timer at every hour boundary
 * await sealer.sealNow(); // what `logmaster-agent seal` triggers
 */
export class Sealer {
  #state: ChainState;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Seal runs one after the other (timer, CLI): each sees what the last one did. */
  #queue: Promise<unknown> = Promise.resolve();
  #warnedUnenrolled = false;
  #clockInfo: ClockInfo | undefined;

  private constructor(
    private readonly options: SealerOptions,
    state: ChainState,
  ) {
    this.#state = state;
  }

  static async open(options: SealerOptions): Promise<Sealer> {
    let state = await readChainState(options.dataDir);
    if (!state) {
      const oldest = listChunkIds(options.dataDir)[0]?.slice(0, 13);
      const now = hourName(hourIndexOfUs(options.nowUs()));
      state = {
        firstHour: oldest && oldest < now ? oldest : now,
        lastSealed: null,
        lastManifestSha256: null,
      };
    }
    writeFileAtomic(chainStatePath(options.dataDir), `${JSON.stringify(state)}\n`);
    return new Sealer(options, state);
  }

  get state(): ChainState {
    return this.#state;
  }

  /** Seal at every hour boundary (a few ms after, so the clock has crossed it). */
  start(): void {
    const schedule = () => {
      const nowMs = this.options.nowUs() / 1000;
      const nextBoundaryMs = (Math.floor(nowMs / 3_600_000) + 1) * 3_600_000;
      this.#timer = setTimeout(
        () => {
          this.sealDue().catch((error) =>
            this.options.telemetry.emit("SealFailed", {}, { error: String(error) }),
          );
          schedule();
        },
        nextBoundaryMs - nowMs + 50,
      );
    };
    schedule();
    void this.sealDue().catch((error) =>
      this.options.telemetry.emit("SealFailed", {}, { error: String(error) }),
    );
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Seal every chunk whose window has ended and is not sealed yet; returns their ids. */
  sealDue(): Promise<string[]> {
    return this.#serial(() => this.#sealDue());
  }

  /**
   * Early seal: seal every ended hour, close the current hour's open chunk
   * now (later records go to the next part of the hour) and seal it too.
   * Without an identity nothing is closed or sealed (`enrolled: false`).
   */
  sealNow(): Promise<SealNowResult> {
    return this.#serial(async () => {
      const { wal } = this.options;
      if (!this.options.identity()) return { sealed: [], open: wal.openChunk, enrolled: false };
      const nowUs = this.options.nowUs();
      await wal.closeHoursBefore(hourIndexOfUs(nowUs));
      const split = await wal.closeCurrentChunkAt(nowUs);
      if (split) {
        this.options.telemetry.info("chunk closed early", {
          chunk: split.closed,
          windowEnd: formatMicrosUtc(split.windowEndUs),
          next: split.next,
        });
      }
      return { sealed: await this.#sealDue(), open: wal.openChunk, enrolled: true };
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The chunk after the last sealed one: the next part of its hour, else the next hour's part 0. */
  #nextToSeal(): NextChunk {
    const last = this.#state.lastSealed;
    const lastRef = last ? chunkRefOf(last.id) : undefined;
    if (!last || !lastRef) {
      const first =
        chunkRefOf(this.#state.firstHour) ?? chunkRef(hourIndexOfUs(this.options.nowUs()), 0);
      return {
        ...chunkRef(first.hourIndex, 0),
        windowStart: hourAsMicrosUtc(hourStartOfIndex(first.hourIndex)),
      };
    }
    const hourEnd = hourAsMicrosUtc(hourStartOfIndex(lastRef.hourIndex + 1));
    if (last.windowEnd < hourEnd) {
      return { ...chunkRef(lastRef.hourIndex, lastRef.part + 1), windowStart: last.windowEnd };
    }
    return { ...chunkRef(lastRef.hourIndex + 1, 0), windowStart: hourEnd };
  }

  /**
   * Where the window of `chunk` ends, when it has ended: where the next part
   * of its hour starts (an early seal opened it), else at the hour's end once
   * the hour is over; undefined while the window is still open.
   */
  async #windowEndOf(chunk: NextChunk, currentHourIndex: number): Promise<string | undefined> {
    const nextPart = chunkRef(chunk.hourIndex, chunk.part + 1).id;
    const nextPartStart = await readWindowStart(this.options.dataDir, nextPart);
    if (nextPartStart !== undefined) return nextPartStart;
    if (chunk.hourIndex < currentHourIndex) {
      return hourAsMicrosUtc(hourStartOfIndex(chunk.hourIndex + 1));
    }
    return undefined;
  }

  async #sealDue(): Promise<string[]> {
    const currentHourIndex = hourIndexOfUs(this.options.nowUs());
    await this.options.wal.closeHoursBefore(currentHourIndex);
    const first = this.#nextToSeal();
    if ((await this.#windowEndOf(first, currentHourIndex)) === undefined) return [];
    const identity = this.options.identity();
    if (!identity) {
      if (!this.#warnedUnenrolled) {
        this.#warnedUnenrolled = true;
        this.options.telemetry.info("not enrolled: chunks are kept but wait for sealing", {
          waitingHours: currentHourIndex - first.hourIndex,
          hint: "logmaster-agent enroll --token <token>",
        });
      }
      return [];
    }
    const sealed: string[] = [];
    for (;;) {
      const next = this.#nextToSeal();
      const windowEnd = await this.#windowEndOf(next, currentHourIndex);
      if (windowEnd === undefined) break;
      sealed.push(await this.#sealChunk(next, windowEnd, identity));
    }
    return sealed;
  }

  async #sealChunk(chunk: NextChunk, windowEnd: string, identity: AgentIdentity): Promise<string> {
    const { dataDir, telemetry } = this.options;
    const { id } = chunk;
    mkdirSync(chunkDir(dataDir, id), { recursive: true });
    // Every chunk has the same files: an empty window gets an empty records.jsonl,
    // and a part > 0 its window.json (the WAL writes it first; here only if it was lost).
    if (!existsSync(recordsPath(dataDir, id)))
      writeFileAtomic(recordsPath(dataDir, id), new Uint8Array());
    if (chunk.part > 0 && !existsSync(windowPath(dataDir, id))) {
      writeFileAtomic(windowPath(dataDir, id), windowFileContent(chunk.windowStart));
    }
    // A large records.jsonl is digested on a worker thread (summary.ts); if that
    // fails, nothing was written for this chunk and the seal fails as a bad read would.
    const summary = await summarizeChunk(
      recordsPath(dataDir, id),
      indexPath(dataDir, id),
      this.options.summary,
    );
    this.#clockInfo ??= (this.options.clockInfo ?? describeClock)();
    const { bytes } = buildManifest({
      chain_id: identity.chain_id,
      hotel_id: identity.hotel_id,
      agent_id: identity.agent_id,
      agent_cert_sha256: certificateSha256(identity.certPem),
      hour_start: hourStartOfIndex(chunk.hourIndex),
      part: chunk.part,
      window_start: chunk.windowStart,
      window_end: windowEnd,
      ...summary,
      prev_manifest_sha256: this.#state.lastManifestSha256,
      clock: this.#clockInfo,
      created_at: formatMicrosUtc(this.options.nowUs()),
    });
    writeFileAtomic(signaturePath(dataDir, id), signManifest(bytes, identity.keyPem));
    writeFileAtomic(manifestPath(dataDir, id), bytes);
    this.#state = {
      ...this.#state,
      lastSealed: { id, windowEnd },
      lastManifestSha256: sha256Hex(bytes),
    };
    writeFileAtomic(chainStatePath(dataDir), `${JSON.stringify(this.#state)}\n`);
    telemetry.emit(
      "ChunkSealed",
      {},
      {
        chunk: id,
        windowStart: chunk.windowStart,
        windowEnd,
        records: summary.record_count,
        bytes: summary.byte_length,
      },
    );
    this.options.onSealed?.(id);
    return id;
  }
}
