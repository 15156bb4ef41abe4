import { mkdirSync } from "node:fs";
import { z } from "zod";
import {
  buildManifest,
  certificateSha256,
  formatMicrosUtc,
  sha256Hex,
  signManifest,
} from "../../../shared/src/custody/index.ts";
import type { AgentIdentity } from "../enroll/identity.ts";
import type { AgentTelemetry } from "../events/index.ts";
import { readJsonFile, writeFileAtomic } from "../wal/atomic.ts";
import {
  chunkDir,
  hourIndexOfName,
  hourIndexOfUs,
  hourName,
  hourStartOf,
  indexPath,
  manifestPath,
  recordsPath,
  signaturePath,
  stateDir,
} from "../wal/layout.ts";
import { listChunkHours, type Wal } from "../wal/wal.ts";
import { type ClockInfo, describeClock } from "./clock-info.ts";
import { summarizeChunk } from "./summary.ts";

/** state/chain.json: where the hash chain stands. Written atomically after each seal. */
const chainStateSchema = z.object({
  /** First hour this agent keeps (the chain starts here, with prev = null). */
  firstHour: z.string(),
  lastSealedHour: z.string().nullable(),
  lastManifestSha256: z.string().nullable(),
});
export type ChainState = z.infer<typeof chainStateSchema>;

export interface SealerOptions {
  dataDir: string;
  wal: Wal;
  telemetry: AgentTelemetry;
  nowUs: () => number;
  /** The enrolled identity (read at each seal, so a renewed certificate is used). */
  identity: () => AgentIdentity | undefined;
  /** Called after an hour is sealed (the forwarder sends the seal). */
  onSealed?: (hour: string) => void;
  clockInfo?: () => ClockInfo;
}

/**
 * Closes hours: at each UTC hour boundary (timer) and on demand it seals every
 * hour that has ended and is not sealed yet, oldest first, including hours
 * without records and hours the agent was down for (count-0 manifests keep
 * the hash chain unbroken, so a missing hour is detectable).
 *
 * Crash promise: manifest.sig is written before manifest.json, each atomically,
 * then state/chain.json. A crash in between re-seals the hour at the next
 * start (a new created_at, a new signature, the same records).
 *
 * @example
 * const sealer = await Sealer.open({ dataDir, wal, telemetry, nowUs, identity: () => identity });
 * sealer.start(); // timer at every hour boundary
 * await sealer.sealDueHours(); // what `logmaster-agent seal` triggers
 */
export class Sealer {
  #state: ChainState;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<string[]> | undefined;
  #warnedUnenrolled = false;
  #clockInfo: ClockInfo | undefined;

  private constructor(
    private readonly options: SealerOptions,
    state: ChainState,
  ) {
    this.#state = state;
  }

  static async open(options: SealerOptions): Promise<Sealer> {
    const path = chainStatePath(options.dataDir);
    const stored = chainStateSchema.safeParse(await readJsonFile(path).catch(() => undefined));
    let state: ChainState;
    if (stored.success) state = stored.data;
    else {
      const oldest = listChunkHours(options.dataDir)[0];
      const now = hourName(hourIndexOfUs(options.nowUs()));
      state = {
        firstHour: oldest && oldest < now ? oldest : now,
        lastSealedHour: null,
        lastManifestSha256: null,
      };
      writeFileAtomic(path, `${JSON.stringify(state)}\n`);
    }
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
          this.sealDueHours().catch((error) =>
            this.options.telemetry.info("seal failed", { error: String(error) }),
          );
          schedule();
        },
        nextBoundaryMs - nowMs + 50,
      );
    };
    schedule();
    void this.sealDueHours().catch((error) =>
      this.options.telemetry.info("seal failed", { error: String(error) }),
    );
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Seal every ended, unsealed hour; returns the hours sealed. Concurrent calls share one run. */
  sealDueHours(): Promise<string[]> {
    this.#running ??= this.#sealDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sealDue(): Promise<string[]> {
    const currentHourIndex = hourIndexOfUs(this.options.nowUs());
    await this.options.wal.closeHoursBefore(currentHourIndex);
    const identity = this.options.identity();
    const next = this.#state.lastSealedHour
      ? hourIndexOfName(this.#state.lastSealedHour) + 1
      : hourIndexOfName(this.#state.firstHour);
    if (next >= currentHourIndex) return [];
    if (!identity) {
      if (!this.#warnedUnenrolled) {
        this.#warnedUnenrolled = true;
        this.options.telemetry.info("not enrolled: hours are kept but wait for sealing", {
          waitingHours: currentHourIndex - next,
          hint: "logmaster-agent enroll --token <token>",
        });
      }
      return [];
    }
    const sealed: string[] = [];
    for (let hourIndex = next; hourIndex < currentHourIndex; hourIndex++) {
      sealed.push(await this.#sealHour(hourName(hourIndex), identity));
    }
    return sealed;
  }

  async #sealHour(hour: string, identity: AgentIdentity): Promise<string> {
    const { dataDir, telemetry } = this.options;
    mkdirSync(chunkDir(dataDir, hour), { recursive: true });
    const records = Bun.file(recordsPath(dataDir, hour));
    // An hour without records still gets its (empty) records.jsonl: every chunk has the same files.
    if (!(await records.exists())) writeFileAtomic(recordsPath(dataDir, hour), new Uint8Array());
    const summary = await summarizeChunk(recordsPath(dataDir, hour), indexPath(dataDir, hour));
    this.#clockInfo ??= (this.options.clockInfo ?? describeClock)();
    const { bytes } = buildManifest({
      chain_id: identity.chain_id,
      hotel_id: identity.hotel_id,
      agent_id: identity.agent_id,
      agent_cert_sha256: certificateSha256(identity.certPem),
      hour_start: hourStartOf(hour),
      ...summary,
      prev_manifest_sha256: this.#state.lastManifestSha256,
      clock: this.#clockInfo,
      created_at: formatMicrosUtc(this.options.nowUs()),
    });
    writeFileAtomic(signaturePath(dataDir, hour), signManifest(bytes, identity.keyPem));
    writeFileAtomic(manifestPath(dataDir, hour), bytes);
    this.#state = { ...this.#state, lastSealedHour: hour, lastManifestSha256: sha256Hex(bytes) };
    writeFileAtomic(chainStatePath(dataDir), `${JSON.stringify(this.#state)}\n`);
    telemetry.emit(
      "ChunkSealed",
      {},
      { hour, records: summary.record_count, bytes: summary.byte_length },
    );
    this.options.onSealed?.(hour);
    return hour;
  }
}

function chainStatePath(dataDir: string): string {
  return `${stateDir(dataDir)}/chain.json`;
}
