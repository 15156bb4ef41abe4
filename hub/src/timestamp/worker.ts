/**
 * The time-stamp worker: each hub process runs one. It claims verified
 * chunks that are due (FOR UPDATE SKIP LOCKED, so several hubs share the
 * work without stamping a chunk twice), asks the TSA, archives the token
 * beside the chunk and records the result. It never runs inside ingest or
 * seal: a TSA outage leaves chunks `awaiting` (and shown so), nothing else.
 */
import { join } from "node:path";
import { chunkId } from "../../../shared/src/custody/index.ts";
import {
  type TimestampClient,
  TimestampError,
  type TimestampGrant,
} from "../../../shared/src/timestamp/index.ts";
import type { WorkerSettings } from "../config/index.ts";
import type { HubEvents } from "../events/index.ts";
import { syncDirectory, writeFileDurably } from "../seal/archive.ts";
import {
  type ChunkRow,
  claimDueChunks,
  type Db,
  recordTimestampAttemptFailed,
  recordTimestampGranted,
  timestampBacklog,
} from "../store/index.ts";

/** The files a grant leaves in the chunk's archive directory (and its evidence bundle). */
export const TIMESTAMP_FILES = {
  tsr: "manifest.tsr",
  raw: "manifest.tsr.raw",
  chain: "tsa-chain.pem",
  ca: "tsa-ca.pem",
} as const;

/**
 * The wait before retry `attempt` (1 = after the first failure) of a
 * transient error: exponential from `retryBaseMs`, capped at `retryMaxMs`,
 * with jitter in [50 %, 100 %] so hubs that failed together do not retry
 * together.
 *
 * @example
 * transientRetryDelayMs(3, { retryBaseMs: 5_000, retryMaxMs: 600_000 }, () => 1); // 20000
 */
export function transientRetryDelayMs(
  attempt: number,
  settings: Pick<WorkerSettings, "retryBaseMs" | "retryMaxMs">,
  random: () => number = Math.random,
): number {
  const exponential = settings.retryBaseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const capped = Math.min(settings.retryMaxMs, exponential);
  return Math.round(capped * (0.5 + 0.5 * random()));
}

/**
 * Write a grant's files into an archive directory, durably, before the
 * database says so. `names` defaults to a chunk's; the day roll-up passes its own.
 */
export async function archiveTimestamp(
  archiveDir: string,
  grant: TimestampGrant,
  names: Record<keyof typeof TIMESTAMP_FILES, string> = TIMESTAMP_FILES,
): Promise<void> {
  const text = (value: string) => [new TextEncoder().encode(value)];
  await writeFileDurably(join(archiveDir, names.tsr), [grant.tsr]);
  if (grant.rawBody) await writeFileDurably(join(archiveDir, names.raw), [grant.rawBody]);
  await writeFileDurably(join(archiveDir, names.chain), text(grant.chainPems.join("")));
  await writeFileDurably(join(archiveDir, names.ca), text(grant.trustAnchorPem));
  await syncDirectory(archiveDir);
}

export interface TimestampWorkerContext {
  db: Db;
  tsa: TimestampClient;
  events: HubEvents;
  settings: WorkerSettings;
  /** Longer than one TSA attempt: how long a claim keeps other hubs off a chunk. */
  leaseMs: number;
  random?: () => number;
}

export interface TimestampWorker {
  /** Claim and stamp what is due now; resolves with the number of chunks tried. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const CLAIM_BATCH = 8;

/**
 * Start the worker loop (every `settings.pollMs`). `runOnce` is exposed for
 * tests and for `stop` to wait on.
 *
 * @example
 * const worker = startTimestampWorker({ db, tsa: hubTsa.client, events, settings: config.worker, leaseMs: 60_000 });
 * await worker.stop();
 */
export function startTimestampWorker(context: TimestampWorkerContext): TimestampWorker {
  const { db, events, settings } = context;
  const random = context.random ?? Math.random;

  async function stampOne(row: ChunkRow): Promise<void> {
    const ref = {
      hotelId: row.hotelId,
      agentId: row.agentId,
      chunk: chunkId(row.hourStart.toISOString(), row.part),
    };
    try {
      if (!row.manifest || !row.archivePath) throw new Error("chunk has no manifest or archive");
      const grant = await context.tsa.stamp(row.manifest);
      await archiveTimestamp(row.archivePath, grant);
      await recordTimestampGranted(db, row.id, {
        genTime: grant.genTime,
        serial: grant.serialNumber,
        policy: grant.policy,
        tsaName: grant.tsaName,
      });
      events.emit({
        name: "ChunkTimestamped",
        ...ref,
        genTime: grant.genTime.toISOString(),
        serial: grant.serialNumber,
        waitedMs: Date.now() - (row.sealedAt?.getTime() ?? Date.now()),
      });
    } catch (error) {
      const timestampError =
        error instanceof TimestampError
          ? error
          : new TimestampError("transient", "network", (error as Error).message);
      const permanent = timestampError.kind === "permanent";
      const retryInMs = permanent
        ? settings.failedRetryMs
        : transientRetryDelayMs(row.timestampAttempts, settings, random);
      await recordTimestampAttemptFailed(db, row.id, {
        // A transient error after a permanent one keeps the chunk shown as failed.
        status: permanent || row.timestampStatus === "failed" ? "failed" : "awaiting",
        error: `${timestampError.reason}: ${timestampError.message}`,
        dueAt: new Date(Date.now() + retryInMs),
      });
      events.emit({
        name: "TimestampFailed",
        ...ref,
        kind: timestampError.kind,
        reason: timestampError.reason,
        detail: timestampError.message,
        retryInMs,
      });
    }
  }

  async function updateBacklogGauges(): Promise<void> {
    const backlog = await timestampBacklog(db);
    events.awaitingTimestamp.set(backlog.chunks);
    events.oldestTimestampWait.set(
      backlog.oldestSealedAt
        ? Math.max(0, Math.round((Date.now() - backlog.oldestSealedAt.getTime()) / 1000))
        : 0,
    );
  }

  async function runOnce(): Promise<number> {
    let tried = 0;
    for (;;) {
      const claimed = await claimDueChunks(db, { limit: CLAIM_BATCH, leaseMs: context.leaseMs });
      for (const row of claimed) await stampOne(row);
      tried += claimed.length;
      if (claimed.length < CLAIM_BATCH) break;
    }
    await updateBacklogGauges();
    return tried;
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = () => {
    if (stopped) return;
    running = runOnce()
      .catch((error) => events.emit({ name: "TimestampWorkerFailed", error: String(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, settings.pollMs);
      });
  };
  timer = setTimeout(loop, 0);
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}
