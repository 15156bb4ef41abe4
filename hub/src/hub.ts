/**
 * A whole hub in one call: database, chain CA, ingest listener, API listener.
 * The CLI's `serve` and the end-to-end tests both start hubs through here.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { removeGroupAndWorldAccess, usePrivateUmask } from "../../shared/src/data-dir/index.ts";
import { ensureAdminCredential } from "./admin/credential.ts";
import { type AdminContext, type HubAdmin, localAdmin } from "./admin/index.ts";
import { type ApiContext, startApiListener } from "./api/index.ts";
import { loadSigningKeys } from "./auth/keys.ts";
import type { AuthContext } from "./auth/sessions.ts";
import { InProcessLoginThrottle, RedisLoginThrottle } from "./auth/throttle.ts";
import { loadTotpSecretKey } from "./auth/totp.ts";
import { type HubConfig, type HubConfigInput, hubConfigSchema } from "./config/index.ts";
import { prepareHubDataDir } from "./data-dir/index.ts";
import { HubEvents, type LogSink } from "./events/index.ts";
import { type ChainCa, loadOrCreateChainCa, loadOrCreateHubSigner } from "./identity/index.ts";
import { elasticsearchEventSink } from "./index/elasticsearch-sink.ts";
import {
  type EventSink,
  type IndexQueue,
  InProcessIndexQueue,
  postgresEventSink,
  RedisIndexQueue,
  type RunningIndexer,
  startIndexer,
} from "./index/index.ts";
import { EventPartitions } from "./index/partitions.ts";
import { reindexHotel } from "./index/reindex.ts";
import { startIngestListener } from "./ingest/server.ts";
import { startDailyJobs } from "./jobs.ts";
import { InProcessTailBus, RedisTailBus, type TailBus } from "./live/bus.ts";
import {
  connectElasticsearch,
  type ElasticsearchQueryEngine,
} from "./query/elasticsearch/index.ts";
import {
  FREE_TEXT_INDEX_FIX,
  freeTextIndexUsable,
  openReadSide,
  type ReadSide,
} from "./query/index.ts";
import { type Db, ensureChainId, openStore, type RawClient, type Store } from "./store/index.ts";
import { type HubTsa, openHubTsa } from "./timestamp/tsa.ts";
import { startTimestampWorker } from "./timestamp/worker.ts";

export const HUB_STATE_FILE = "hub.json";

/**
 * What `<data-dir>/hub.json` says while a hub runs: how admin commands find
 * it. Written before the database is opened (without URLs while starting), so
 * a CLI never opens the single-writer database under a starting hub.
 */
export interface HubState {
  pid: number;
  http_url?: string;
  /** SHA-256 of the certificate the HTTPS `--http` listener presents: the CLI pins it. */
  http_cert_sha256?: string;
  ingest_url?: string;
  started_at: string;
}

export interface RunningHub {
  ingestUrl: string;
  httpUrl: string;
  /** The URL written into enrollment tokens. */
  publicUrl: string;
  caPem: string;
  caSha256: string;
  chainId: string;
  /** Bearer secret for `/admin/*` and `/api/*` on httpUrl. */
  adminCredential: string;
  admin: HubAdmin;
  /** What the admin operations run with (tests call the rooms directly with it). */
  adminContext: AdminContext;
  db: Db;
  raw: RawClient;
  events: HubEvents;
  config: HubConfig;
  indexer: RunningIndexer;
  tail: TailBus;
  read: ReadSide;
  /** What the `--http` routes run with (tests mount the same routes elsewhere). */
  apiContext: ApiContext;
  stop(): Promise<void>;
}

/**
 * The read side's moving parts of a config: Redis when REDIS_URL is set, else
 * in-process; events in Elasticsearch when ELASTICSEARCH_URL is set (its
 * template installed first: an unreachable cluster stops the start), else
 * in PostgreSQL.
 */
export async function openIndexParts(config: HubConfig): Promise<{
  queue: IndexQueue;
  tail: TailBus;
  sink: EventSink;
  /** The engine over Elasticsearch (absent: PostgreSQL's); close it with the hub. */
  elasticsearch?: ElasticsearchQueryEngine;
}> {
  const elasticsearch = config.elasticsearchUrl
    ? (await connectElasticsearch(config.elasticsearchUrl)).engine
    : undefined;
  const prefix = config.redisPrefix;
  let queue: IndexQueue;
  let tail: TailBus;
  try {
    queue = config.redisUrl
      ? await RedisIndexQueue.open(config.redisUrl, { stream: `${prefix}:index` })
      : new InProcessIndexQueue();
    tail = config.redisUrl
      ? await RedisTailBus.open(config.redisUrl, prefix)
      : new InProcessTailBus();
  } catch (error) {
    await elasticsearch?.close();
    throw error;
  }
  if (!elasticsearch) return { queue, tail, sink: postgresEventSink };
  return { queue, tail, sink: elasticsearchEventSink(elasticsearch.client), elasticsearch };
}

/** Open the database of a config (PostgreSQL when DATABASE_URL, else PGlite in the data dir) and migrate it. */
export async function openHubStore(config: HubConfig): Promise<Store> {
  const store = await openStore(
    config.databaseUrl
      ? { kind: "postgres", url: config.databaseUrl }
      : { kind: "pglite", dir: join(config.dataDir, "pglite") },
  );
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  // PGlite chooses its files' modes itself, past the umask.
  if (!config.databaseUrl) removeGroupAndWorldAccess(join(config.dataDir, "pglite"));
  return store;
}

/** The chain CA of a config, made on first use. */
export function hubChainCa(config: HubConfig): ChainCa {
  return loadOrCreateChainCa(config.caDir, { chainId: config.chainId, keyBits: config.caKeyBits });
}

/**
 * What admin operations need besides the database: the chain CA, the hub
 * signing identity and the TSA. The running hub and the CLI (no hub running)
 * both build it here.
 *
 * @example
 * const { context, tsa } = await hubAdminContext(config, { db, events, chainId, publicUrl });
 * const admin = localAdmin(context);
 */
export async function hubAdminContext(
  config: HubConfig,
  parts: {
    db: Db;
    events: HubEvents;
    chainId: string;
    publicUrl: string;
    indexedElsewhere?: AdminContext["indexedElsewhere"];
  },
): Promise<{ context: AdminContext; tsa: HubTsa }> {
  const ca = hubChainCa(config);
  // The dev TSA and hub key follow the CA's size (tests make 2048-bit ones, faster).
  const tsa = await openHubTsa(config.tsa, config.dataDir, config.caKeyBits);
  return {
    tsa,
    context: {
      ...parts,
      ca,
      dataDir: config.dataDir,
      signer: loadOrCreateHubSigner(config.caDir, ca, parts.chainId, config.caKeyBits),
      tsa: tsa.client,
    },
  };
}

/**
 * Start a hub. Pass a config input (validated here) or a parsed config; use
 * port 0 to get free ports.
 *
 * @example
 * const hub = await startHub({ dataDir: "/tmp/hub", ingest: "127.0.0.1:0", http: "127.0.0.1:0" });
 * await hub.admin.addHotel({ name: "Grand", id: "grand" });
 * const { token } = await hub.admin.createToken({ hotel: "grand", ttl_ms: 3_600_000, actor: "cli:alice" });
 * // agent: POST `${hub.ingestUrl}/v1/enroll` ...
 * await hub.stop();
 */
export async function startHub(
  input: HubConfigInput | HubConfig,
  options: { log?: LogSink } = {},
): Promise<RunningHub> {
  const config = "publicUrlDerived" in input ? input : hubConfigSchema.parse(input);
  // Here too, not only in the CLI: whatever embeds a hub (scripts/start.ts,
  // tests) is a hub process, and its keys and archive must not be readable by others.
  usePrivateUmask();
  const events = new HubEvents(options.log ?? (config.quiet ? () => {} : undefined));
  prepareHubDataDir(config.dataDir, events);
  const statePath = join(config.dataDir, HUB_STATE_FILE);
  const writeState = (state: HubState) =>
    writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  const startedAt = new Date().toISOString();
  writeState({ pid: process.pid, started_at: startedAt });
  const stops: (() => Promise<void>)[] = [async () => rmSync(statePath, { force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  let store: Store;
  try {
    store = await openHubStore(config);
  } catch (error) {
    await stop();
    throw error;
  }
  stops.push(() => store.close());
  try {
    const chainId = await ensureChainId(store.db, config.chainId);
    const ca = hubChainCa(config);
    const parts = await openIndexParts(config);
    stops.push(() => parts.tail.close());
    const elasticsearch = parts.elasticsearch;
    if (elasticsearch) stops.push(() => elasticsearch.close());
    const indexer = startIndexer({
      db: store.db,
      raw: store.raw,
      events,
      ...parts,
      maxBytesPerStep: config.index.maxBytesPerStep,
      catchUpIntervalMs: config.index.catchUpMs,
      agentsAtOnce: config.index.agentsAtOnce,
    });
    stops.push(indexer.stop);
    if (parts.sink.kind === "postgres" && !(await freeTextIndexUsable(store.raw)))
      events.emit({ name: "FreeTextIndexUnused", fix: FREE_TEXT_INDEX_FIX });
    const ingest = await startIngestListener(
      {
        db: store.db,
        ca,
        chainId,
        events,
        dataDir: config.dataDir,
        agentCertDays: config.agentCertDays,
        maxBatchBytes: config.maxBatchBytes,
        maxDecompressedBytes: config.maxDecompressedBytes,
        certificateOverlapMs: config.agentCertOverlapSeconds * 1000,
        maxRequestsInFlightPerAgent: config.maxAgentRequestsInFlight,
        onBatchStored: indexer.notify,
      },
      config.ingest,
      config.hostnames,
    );
    stops.push(ingest.stop);
    const publicUrl = config.publicUrlDerived
      ? new URL(config.publicUrl).origin.replace(/:\d+$/, `:${ingest.port}`)
      : config.publicUrl;
    const { context: adminContext, tsa } = await hubAdminContext(config, {
      db: store.db,
      events,
      chainId,
      publicUrl,
      ...(parts.sink.kind === "postgres" ? {} : { indexedElsewhere: parts.sink }),
    });
    const admin = localAdmin(adminContext);
    const adminCredential = ensureAdminCredential(config.dataDir);
    const read = openReadSide(store.raw, parts.tail, parts.elasticsearch);
    const reindexContext = {
      db: store.db,
      raw: store.raw,
      events,
      sink: parts.sink,
      partitions: new EventPartitions(store.raw),
      maxBytesPerStep: config.index.maxBytesPerStep,
    };
    const keys = await loadSigningKeys(config.dataDir);
    const throttleRedis = config.redisUrl
      ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3 })
      : undefined;
    if (throttleRedis) stops.push(async () => void throttleRedis.disconnect());
    const auth: AuthContext = {
      db: store.db,
      keys,
      chainId,
      events,
      throttle: throttleRedis
        ? new RedisLoginThrottle(throttleRedis, config.redisPrefix)
        : new InProcessLoginThrottle(),
      totpKey: loadTotpSecretKey(config.dataDir),
    };
    const apiContext: ApiContext = {
      auth,
      db: store.db,
      events,
      admin,
      adminCredential,
      adminContext,
      devTsa: tsa.devTsa,
      read,
      reindex: (request, onProgress) => reindexHotel(reindexContext, request, onProgress),
    };
    const api = await startApiListener(apiContext, config.http, {
      tls: config.httpTls,
      insecure: config.httpInsecure,
    });
    stops.push(api.stop);
    const worker = startTimestampWorker({
      db: store.db,
      tsa: tsa.client,
      events,
      settings: config.worker,
      // Longer than any one attempt, so no other hub claims a chunk mid-request.
      leaseMs: config.tsa.timeoutMs * 2 + 30_000,
    });
    stops.push(worker.stop);
    const dailyJobs = startDailyJobs(adminContext, config.worker.dailyJobsMs);
    stops.push(dailyJobs.stop);
    writeState({
      pid: process.pid,
      http_url: api.url,
      ...(api.certificateSha256 ? { http_cert_sha256: api.certificateSha256 } : {}),
      ingest_url: ingest.url,
      started_at: startedAt,
    });
    return {
      ingestUrl: ingest.url,
      httpUrl: api.url,
      publicUrl,
      caPem: ca.certificatePem,
      caSha256: ca.sha256,
      chainId,
      adminCredential,
      admin,
      adminContext,
      db: store.db,
      raw: store.raw,
      events,
      config,
      indexer,
      tail: parts.tail,
      read,
      apiContext,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
