import { formatMicrosUtc } from "../../../shared/src/custody/index.ts";
import type { AgentIdentity } from "../enroll/identity.ts";
import type { AgentTelemetry } from "../events/index.ts";
import { listChunkIds, manifestPath, recordsPath, signaturePath } from "../wal/layout.ts";
import type { Wal } from "../wal/wal.ts";
import { backoffDelayMs } from "./backoff.ts";
import { type ClientTls, HubClient, type HubResponse } from "./hub-client.ts";
import { ForwardState } from "./state.ts";

export interface ForwarderOptions {
  dataDir: string;
  wal: Wal;
  telemetry: AgentTelemetry;
  identity: () => AgentIdentity | undefined;
  /** Hub URL from the config; else the one stored at enrollment. */
  hubUrl?: string;
  batchMaxBytes: number;
  batchMaxDelayMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  nowUs: () => number;
  /**
   * Counters sent with each batch and seal (`x-lm-agent-stats`); the
   * forwarder adds its own `unsent_bytes`.
   */
  agentStats: () => Record<string, unknown>;
}

/** What `status` shows about replication. */
export interface ForwarderStats {
  hubUrl: string | null;
  connected: boolean;
  unsentBytes: number;
  lastAckAt: string | null;
  lastAckedChunk: string | null;
  lastError: string | null;
  chunksPendingSeal: number;
}

class HubRefusal extends Error {}

/**
 * Replicates every chunk's records.jsonl to the hub by byte offset, oldest
 * chunk first (by hour, then part), then sends its seal.
 *
 * Promises:
 * - only fsynced bytes leave the box (`wal.durableLength`), so a power loss
 *   can never leave the hub ahead of the agent;
 * - an offset counts as acknowledged only when the hub answered
 *   accepted/duplicate (stored in PostgreSQL before the answer); it is then
 *   written to state/forward.json atomically;
 * - during a hub outage nothing is lost or held in memory: the data stays in
 *   the chunk files and is read back in ranges of at most `batchMaxBytes`
 *   when the hub returns; retries back off exponentially with full jitter.
 *
 * @example
 * const forwarder = await Forwarder.open({ dataDir, wal, telemetry, identity: () => identity, ...config.hub, nowUs, agentStats });
 * forwarder.start();
 * wal.onDurable(() => forwarder.wake());
 */
export class Forwarder {
  #client: HubClient | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;
  /** Chunk ids whose hub length was asked this run (GET on (re)start). */
  #synced = new Set<string>();
  #lastSendAtMs = 0;
  #stats: Omit<ForwarderStats, "unsentBytes" | "chunksPendingSeal" | "hubUrl"> = {
    connected: false,
    lastAckAt: null,
    lastAckedChunk: null,
    lastError: null,
  };

  private constructor(
    private readonly options: ForwarderOptions,
    readonly state: ForwardState,
  ) {}

  static async open(options: ForwarderOptions): Promise<Forwarder> {
    return new Forwarder(options, await ForwardState.load(options.dataDir));
  }

  #hubUrl(): string | undefined {
    return this.options.hubUrl ?? this.options.identity()?.hub;
  }

  #tlsCache: { identity: AgentIdentity; tls: ClientTls } | undefined;
  #tls(): ClientTls {
    const identity = this.options.identity();
    if (!identity) throw new Error("not enrolled");
    if (this.#tlsCache?.identity !== identity) {
      this.#tlsCache = {
        identity,
        tls: { keyPem: identity.keyPem, certPem: identity.certPem, caPem: identity.caPem },
      };
    }
    return this.#tlsCache.tls;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** New durable bytes or a new seal: look again now instead of at the next tick. */
  wake(): void {
    this.#wakeUp?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    this.#client?.close();
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped) {
      const url = this.#hubUrl();
      if (!url || !this.options.identity()) {
        await this.#sleep(5000);
        continue;
      }
      if (!this.#client || this.#client.url !== url) {
        this.#client?.close();
        this.#client = new HubClient(url, () => this.#tls(), this.options.requestTimeoutMs);
      }
      try {
        const worked = await this.#pass(this.#client);
        attempt = 0;
        if (!worked) await this.#sleep(this.options.batchMaxDelayMs);
      } catch (error) {
        this.#stats.connected = false;
        this.#stats.lastError = error instanceof Error ? error.message : String(error);
        this.#synced.clear(); // ask the hub's lengths again after reconnecting
        const delayMs = backoffDelayMs(
          attempt++,
          this.options.retryBaseMs,
          this.options.retryMaxMs,
        );
        this.options.telemetry.emit(
          "ForwardRetry",
          {},
          { error: this.#stats.lastError, attempt, delayMs },
        );
        this.#client.close();
        await this.#sleep(delayMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
  }

  /** One request's worth of progress; false when everything sendable is sent. */
  async #pass(client: HubClient): Promise<boolean> {
    for (const id of listChunkIds(this.options.dataDir)) {
      if (this.#stopped) return false;
      const chunk = this.state.get(id);
      if (chunk.verdict || chunk.conflict) continue;
      if (!this.#synced.has(id)) {
        const answer = await this.#call(client, "GET", `/v1/chunks/${id}`);
        if (answer.status === 200) {
          const length = Number(answer.body.length ?? 0);
          const status = String(answer.body.status ?? "open");
          if (status === "verified" || status === "failed") {
            this.#recordVerdict(id, status, answer.body.reason);
            continue;
          }
          this.state.update(id, { ackedOffset: length });
        } else if (answer.status === 404) this.state.update(id, { ackedOffset: 0 });
        else
          throw new HubRefusal(
            `GET /v1/chunks/${id}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        this.#synced.add(id);
        this.#stats.connected = true;
      }
      const acked = this.state.get(id).ackedOffset;
      const durable = this.options.wal.durableLength(id);
      const sealed = await isSealedLocally(this.options.dataDir, id);
      if (acked < durable) {
        const waiting = durable - acked;
        const isOpen = this.options.wal.openChunk === id && !sealed;
        const young = Date.now() - this.#lastSendAtMs < this.options.batchMaxDelayMs;
        if (isOpen && waiting < this.options.batchMaxBytes && young) return false;
        await this.#sendBatch(
          client,
          id,
          acked,
          Math.min(durable, acked + this.options.batchMaxBytes),
        );
        return true;
      }
      if (sealed) {
        await this.#sendSeal(client, id);
        return true;
      }
    }
    return false;
  }

  async #call(
    client: HubClient,
    method: string,
    path: string,
    headers = {},
    body?: Uint8Array,
  ): Promise<HubResponse> {
    const answer = await client.request(method, path, headers, body);
    if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
      throw new HubRefusal(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  }

  async #sendBatch(client: HubClient, id: string, from: number, to: number): Promise<void> {
    const raw = await Bun.file(recordsPath(this.options.dataDir, id)).slice(from, to).bytes();
    // On Bun's thread pool: a batch compressed on the main thread would hold up the UDP receiver.
    const body = await Bun.zstdCompress(raw);
    this.#lastSendAtMs = Date.now();
    const answer = await this.#call(
      client,
      "POST",
      `/v1/chunks/${id}/records`,
      {
        "content-type": "application/octet-stream",
        "content-encoding": "zstd",
        "x-lm-offset": String(from),
        "x-lm-length": String(raw.byteLength),
        ...this.#reportHeaders(raw.byteLength),
      },
      body,
    );
    const status = String(answer.body.status ?? answer.body.code ?? answer.status);
    const length = Number(answer.body.length ?? Number.NaN);
    if (answer.status === 200 && (status === "accepted" || status === "duplicate")) {
      this.options.telemetry.emit("BatchAcked", { status }, { chunk: id, offset: from, length }, 1);
      this.state.update(id, { ackedOffset: Number.isFinite(length) ? length : to });
      this.#stats.lastAckAt = new Date().toISOString();
      this.#stats.lastAckedChunk = id;
      this.#stats.connected = true;
      this.#stats.lastError = null;
      return;
    }
    this.options.telemetry.emit(
      "BatchRefused",
      { status },
      { chunk: id, offset: from, answer: answer.body },
    );
    if (status === "gap") {
      this.state.update(id, { ackedOffset: Number(answer.body.wanted_offset ?? length) });
    } else if (status === "conflict") {
      this.state.update(id, { conflict: true });
    } else if (status === "sealed") {
      this.#synced.delete(id); // the GET tells the verdict
    } else
      throw new HubRefusal(
        `POST /v1/chunks/${id}/records: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
  }

  async #sendSeal(client: HubClient, id: string): Promise<void> {
    const manifest = await Bun.file(manifestPath(this.options.dataDir, id)).bytes();
    const signature = await Bun.file(signaturePath(this.options.dataDir, id)).bytes();
    const answer = await this.#call(
      client,
      "PUT",
      `/v1/chunks/${id}/seal`,
      { "content-type": "application/json", ...this.#reportHeaders(0) },
      new TextEncoder().encode(
        JSON.stringify({
          manifest_b64: Buffer.from(manifest).toString("base64"),
          signature_b64: Buffer.from(signature).toString("base64"),
        }),
      ),
    );
    const status = String(answer.body.status ?? answer.body.code ?? answer.status);
    if (answer.status === 200 && (status === "verified" || status === "failed")) {
      this.#recordVerdict(id, status, answer.body.reason);
    } else if (status === "incomplete") {
      this.state.update(id, { ackedOffset: Number(answer.body.length ?? 0) });
    } else
      throw new HubRefusal(
        `PUT /v1/chunks/${id}/seal: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
  }

  /**
   * The agent's clock and counters for the hub (`x-lm-agent-time`,
   * `x-lm-agent-stats`), on every batch and on every seal, so an agent with
   * no traffic still reports each hour. `unsent_bytes` leaves out the
   * request's own `carriedBytes`: what is still to send once the hub holds them.
   */
  #reportHeaders(carriedBytes: number): Record<string, string> {
    return {
      "x-lm-agent-time": formatMicrosUtc(this.options.nowUs()),
      "x-lm-agent-stats": JSON.stringify({
        ...this.options.agentStats(),
        unsent_bytes: Math.max(0, this.stats().unsentBytes - carriedBytes),
      }),
    };
  }

  #recordVerdict(id: string, verdict: "verified" | "failed", reason: unknown): void {
    this.state.update(id, {
      verdict,
      verdictAtMs: Date.now(),
      ...(reason !== undefined ? { reason: String(reason) } : {}),
    });
    this.options.telemetry.emit(
      "HubSealVerdict",
      { verdict },
      { chunk: id, ...(reason ? { reason } : {}) },
    );
  }

  stats(): ForwarderStats {
    let unsentBytes = 0;
    let chunksPendingSeal = 0;
    const open = this.options.wal.openChunk;
    for (const id of listChunkIds(this.options.dataDir)) {
      const chunk = this.state.get(id);
      if (chunk.verdict) continue;
      // The open chunk has bytes to send but no seal yet to wait a verdict for.
      if (id !== open) chunksPendingSeal++;
      unsentBytes += Math.max(0, this.options.wal.durableLength(id) - chunk.ackedOffset);
    }
    return { hubUrl: this.#hubUrl() ?? null, unsentBytes, chunksPendingSeal, ...this.#stats };
  }
}

/** A chunk is sealed locally once both manifest.json and manifest.sig exist. */
export async function isSealedLocally(dataDir: string, id: string): Promise<boolean> {
  return (
    (await Bun.file(manifestPath(dataDir, id)).exists()) &&
    (await Bun.file(signaturePath(dataDir, id)).exists())
  );
}
