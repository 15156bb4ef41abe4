/**
 * The read side at scale. Loads N simulated events (10 hotels over 30 days
 * by default, so the simulator runs at N / (days * 86,400) lines/s) into a
 * scratch PostgreSQL database through the index worker's own code
 * (bench/lib/index-load.ts), then times the 5651 lookups and the query
 * engine's search, histogram and top, each on many random hotels and times
 * taken from the loaded lines, after a warm-up.
 *
 * Prints the indexing rate (events over the time spent indexing: parse +
 * partitions + COPY + derived tables + watermark, not the simulator and not
 * what ingest stores), bytes on disk per event, and p50/p95/p99 per query.
 * Targets: indexing >= 50,000 events/s; lookups p95 <= 50 ms; a search page
 * p95 <= 200 ms; a 24 h histogram p95 <= 300 ms.
 *
 * Needs PostgreSQL: uses DATABASE_URL, or starts the throwaway one of
 * scripts/test-services.sh. The scratch database is dropped at the end
 * unless --keep.
 *
 *   bun bench/query.ts [--events 200000] [--hotels 10] [--days 30] [--samples 200]
 *     [--json] [--explain] [--profile] [--path direct|worker] [--step-bytes 4194304] [--concurrency 2]
 *     [--seed 5651] [--kind-budget-s 120] [--skip-vacuum] [--keep]
 */
import { parseArgs } from "node:util";
import { allocatorStatus } from "../hub/src/config/allocator.ts";
import {
  histogramRequestSchema,
  Lookups,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  PostgresQueryEngine,
  type ReadScope,
  readScope,
  searchRequestSchema,
  topRequestSchema,
} from "../hub/src/query/index.ts";
import { openStore, type RawClient, rawQuery } from "../hub/src/store/index.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import { explainStatements, recordingClient } from "./lib/explain.ts";
import { runAsHubProcess } from "./lib/hub-process.ts";
import {
  benchHotelId,
  type IndexPath,
  type LoadFigures,
  loadSimulatedEvents,
} from "./lib/index-load.ts";
import { seededRandom } from "./lib/mix.ts";
import { useTestServices } from "./lib/services.ts";
import { loadAverage1m } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    hotels: { type: "string", default: "10" },
    days: { type: "string", default: "30" },
    samples: { type: "string", default: "200" },
    warmup: { type: "string", default: "20" },
    seed: { type: "string", default: "5651" },
    path: { type: "string", default: "direct" },
    "step-bytes": { type: "string", default: String(4 * 1024 * 1024) },
    // The worker's default HUB_INDEX_AGENTS_AT_ONCE.
    concurrency: { type: "string", default: "2" },
    json: { type: "boolean", default: false },
    explain: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "kind-budget-s": { type: "string", default: "120" },
    "skip-vacuum": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`bench/query.ts: --${name} must be a whole number above 0, not ${text}`);
    process.exit(2);
  }
  return value;
}

const eventCount = positiveInteger("events", values.events);
const hotelCount = positiveInteger("hotels", values.hotels);
const days = positiveInteger("days", values.days);
const sampleCount = positiveInteger("samples", values.samples);
const warmupCount = Number(values.warmup);
const seed = Number(values.seed);
const stepBytes = positiveInteger("step-bytes", values["step-bytes"]);
const concurrency = positiveInteger("concurrency", values.concurrency);
/** A query kind stops sampling after this long (a plan gone wrong must not hold the bench for hours). */
const kindBudgetMs = positiveInteger("kind-budget-s", values["kind-budget-s"]) * 1000;
if (values.path !== "direct" && values.path !== "worker") {
  console.error(`bench/query.ts: --path must be direct or worker, not ${values.path}`);
  process.exit(2);
}
const indexPath = values.path as IndexPath;
const asJson = values.json;
/** Figures and tables go to stdout; with --json only the one object does, the rest to stderr. */
const say = (line: string) => (asJson ? console.error(line) : console.log(line));
const progress = (line: string) => console.error(line);

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const startMs = Date.parse("2026-03-01T00:00:00Z");
const endMs = startMs + days * DAY_MS;
const n = (value: number) => Math.round(value).toLocaleString("en");
const iso = (ms: number) => new Date(ms).toISOString();

/** A firewall (srcnat) line of the load: the inputs of every lookup and search sample. */
interface Probe {
  hotel: number;
  timeMs: number;
  ip: string;
  mac: string;
  natIp: string;
  natPort: number;
}

/** Uniform samples of a stream of unknown length (Algorithm R). */
class Reservoir<T> {
  readonly items: T[] = [];
  #seen = 0;
  constructor(
    readonly size: number,
    readonly random: () => number,
  ) {}
  offer(item: T): void {
    this.#seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const slot = Math.floor(this.random() * this.#seen);
      if (slot < this.size) this.items[slot] = item;
    }
  }
}

const QUERY_KINDS = [
  "ip",
  "mac",
  "nat",
  "search",
  "search_text",
  "search_stop_words",
  "histogram_24h",
  "top_30d",
] as const;
type QueryKind = (typeof QUERY_KINDS)[number];
/** The query column of the table: the longest kind and a space. */
const KIND_WIDTH = Math.max(...QUERY_KINDS.map((kind) => kind.length)) + 1;

const TARGET_MS: Partial<Record<QueryKind, number>> = {
  ip: 50,
  mac: 50,
  nat: 50,
  search: 200,
  search_text: 200,
  search_stop_words: 200,
  histogram_24h: 300,
};
const INDEX_TARGET_PER_S = 50_000;

const WHAT: Record<QueryKind, string> = {
  ip: "lookup ip: a leased guest address at a time inside its lease (one hotel)",
  mac: "lookup mac: a guest MAC over 24 h (one hotel)",
  nat: "lookup nat: public ip:port 0.5 s into a connection (all hotels in scope, none named)",
  search: "search, first 100 rows: one hotel, 24 h, ip filter (a guest address)",
  search_text: "search, first 100 rows: one hotel, 24 h, free text (a guest MAC as a word)",
  search_stop_words:
    "search, first 100 rows: one hotel, 24 h, free text of stop words only (`srcnat tcp`: rows in time order, no GIN)",
  histogram_24h: "histogram: one hotel, 24 h, 60 buckets wanted (30 min)",
  top_30d: `top 10 dst_ip: one hotel, whole range (${days} d)`,
};

interface Timing {
  ms: number[];
  found: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  ] as number;
}

/** What each query kind asks, one input at a time; `true` when the answer held what the input promised. */
function queryRunners(raw: RawClient, scope: ReadScope, random: () => number) {
  const lookups = new Lookups(raw);
  const engine = new PostgresQueryEngine(raw);
  const hotelOf = (probe: Probe) => benchHotelId(probe.hotel);
  const randomHotel = () => benchHotelId(1 + Math.floor(random() * hotelCount));
  const clamp = (ms: number) => Math.max(startMs, Math.min(endMs, ms));
  /** The first 100 hits of one hotel's 24 h around the probe, with a filter; true when there are any. */
  const searchPage = async (probe: Probe, filter: { ip?: string; text?: string }) => {
    const page = await engine.search(
      scope,
      searchRequestSchema.parse({
        from: iso(clamp(probe.timeMs - 12 * HOUR_MS)),
        to: iso(clamp(probe.timeMs + 12 * HOUR_MS)),
        hotels: [hotelOf(probe)],
        ...filter,
        limit: 100,
      }),
    );
    return page.hits.length > 0;
  };
  return {
    ip: async (probe: Probe) => {
      const answer = await lookups.ip(
        scope,
        lookupIpRequestSchema.parse({ ip: probe.ip, at: iso(probe.timeMs), hotel: hotelOf(probe) }),
      );
      return answer.lease?.mac === probe.mac.toLowerCase();
    },
    mac: async (probe: Probe) => {
      const answer = await lookups.mac(
        scope,
        lookupMacRequestSchema.parse({
          mac: probe.mac,
          from: iso(clamp(probe.timeMs - 12 * HOUR_MS)),
          to: iso(clamp(probe.timeMs + 12 * HOUR_MS)),
          hotel: hotelOf(probe),
        }),
      );
      return answer.leases.some((lease) => lease.ip === probe.ip);
    },
    nat: async (probe: Probe) => {
      const answer = await lookups.nat(
        scope,
        lookupNatRequestSchema.parse({
          address: `${probe.natIp}:${probe.natPort}`,
          at: iso(probe.timeMs + 500),
        }),
      );
      return answer.internal?.ip === probe.ip && answer.device?.lease !== null;
    },
    search: (probe: Probe) => searchPage(probe, { ip: probe.ip }),
    search_text: (probe: Probe) => searchPage(probe, { text: probe.mac.toLowerCase() }),
    search_stop_words: (probe: Probe) => searchPage(probe, { text: "srcnat tcp" }),
    histogram_24h: async () => {
      const to = startMs + DAY_MS + Math.floor(random() * Math.max(1, endMs - startMs - DAY_MS));
      const answer = await engine.histogram(
        scope,
        histogramRequestSchema.parse({
          from: iso(to - DAY_MS),
          to: iso(to),
          hotels: [randomHotel()],
        }),
      );
      return answer.total > 0;
    },
    top_30d: async () => {
      const answer = await engine.top(
        scope,
        topRequestSchema.parse({
          from: iso(startMs),
          to: iso(endMs),
          hotels: [randomHotel()],
          field: "dst_ip",
          limit: 10,
        }),
      );
      return answer.values.length > 0;
    },
  } satisfies Record<QueryKind, (probe: Probe) => Promise<boolean>>;
}

async function diskFigures(raw: RawClient) {
  const [events] = await rawQuery<{ bytes: string; heap: string; partitions: string }>(
    raw,
    `select coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint as bytes,
            coalesce(sum(pg_table_size(inhrelid)), 0)::bigint as heap, count(*) as partitions
       from pg_inherits where inhparent = 'events'::regclass`,
  );
  const indexes = await rawQuery<{ name: string; bytes: string }>(
    raw,
    `select parent.relname as name, sum(pg_relation_size(child.inhrelid))::bigint as bytes
       from pg_inherits child join pg_class parent on parent.oid = child.inhparent
      where child.inhparent in (select indexrelid from pg_index where indrelid = 'events'::regclass)
      group by 1 order by 2 desc`,
  );
  const table = async (name: string) => {
    const [row] = await rawQuery<{ bytes: string; rows: string }>(
      raw,
      `select pg_total_relation_size('${name}')::bigint as bytes, (select count(*) from ${name}) as rows`,
    );
    return { bytes: Number(row?.bytes), rows: Number(row?.rows) };
  };
  const [database] = await rawQuery<{ bytes: string }>(
    raw,
    "select pg_database_size(current_database())::bigint as bytes",
  );
  return {
    events_bytes: Number(events?.bytes),
    events_heap_bytes: Number(events?.heap),
    partitions: Number(events?.partitions),
    index_bytes: Object.fromEntries(indexes.map((row) => [row.name, Number(row.bytes)])),
    leases: await table("leases"),
    hotspot_sessions: await table("hotspot_sessions"),
    database_bytes: Number(database?.bytes),
  };
}

function loadLine(figures: LoadFigures): string {
  const rate = figures.indexMs > 0 ? figures.events / (figures.indexMs / 1000) : 0;
  const done = figures.events / eventCount;
  const etaS = done > 0 ? (figures.wallMs / done - figures.wallMs) / 1000 : Number.NaN;
  return `query: loaded ${n(figures.events)} / ${n(eventCount)} events (${(done * 100).toFixed(0)}%), indexing ${rate > 0 ? `${n(rate)}/s` : "?"}, ETA ${Number.isFinite(etaS) ? `${Math.round(etaS)} s` : "?"}`;
}

// The hub's allocator settings, as its systemd unit starts it (bench/lib/hub-process.ts).
await runAsHubProcess();
const services = useTestServices();
const scratch = await createScratchDatabase();
const store = await openStore({ kind: "postgres", url: scratch.url });
// Interrupted (a long load cut short): the scratch database goes too, unless kept.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    progress(
      `query: ${signal}: ${values.keep ? `kept ${scratch.url}` : "dropping the scratch database"}`,
    );
    void (values.keep ? Promise.resolve() : scratch.drop()).finally(() => process.exit(130));
  });
}
try {
  await store.migrate();
  const [settings] = await rawQuery<{ version: string; shared_buffers: string; work_mem: string }>(
    store.raw,
    "select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers, current_setting('work_mem') as work_mem",
  );
  progress(
    `query: loading ${n(eventCount)} simulated events (${hotelCount} hotels, ${days} days, ${(eventCount / (days * 86_400)).toFixed(2)} lines/s) into ${scratch.url.replace(/\/\/[^@]*@/, "//")} (PostgreSQL ${settings?.version}, shared_buffers ${settings?.shared_buffers}), path ${indexPath}; hub memory: ${allocatorStatus()}`,
  );
  const random = seededRandom(seed + 1);
  const perKind = warmupCount + sampleCount;
  const probes = new Reservoir<Probe>(perKind * 5, random);
  const loadAverageBefore = loadAverage1m();
  const figures = await loadSimulatedEvents(store.db, store.raw, {
    hotels: hotelCount,
    events: eventCount,
    startMs,
    endMs,
    seed,
    stepBytes,
    concurrency,
    path: indexPath,
    profile: values.profile,
    onHour(hour) {
      for (const line of hour.lines) {
        const natIp = line.expect["source.nat.ip"];
        const natPort = line.expect["source.nat.port"];
        if (!line.device || typeof natIp !== "string" || typeof natPort !== "number") continue;
        probes.offer({
          hotel: line.hotel,
          timeMs: line.timeMs,
          ip: line.device.ip,
          mac: line.device.mac,
          natIp,
          natPort,
        });
      }
    },
    onProgress: (sofar) => progress(loadLine(sofar)),
  });
  const indexRate = figures.events / (figures.indexMs / 1000);
  // Each side's rate on one core of its own: the hub's indexing (this
  // process) and PostgreSQL's backends. On one machine the two share its cores.
  const hubRatePerCore = figures.events / (figures.indexCpuMs / 1000);
  const postgresRatePerCore = figures.events / (figures.postgresCpuMs / 1000);
  const loadAverageAfter = loadAverage1m();

  let vacuumMs = 0;
  if (!values["skip-vacuum"]) {
    progress("query: vacuum (analyze) of events, leases, hotspot_sessions, chunks ...");
    const started = performance.now();
    for (const table of ["events", "leases", "hotspot_sessions", "chunks"]) {
      await rawQuery(store.raw, `vacuum (analyze) ${table}`);
    }
    vacuumMs = performance.now() - started;
  }
  const disk = await diskFigures(store.raw);

  // Queries: each kind its own slice of the sampled lines, shuffled.
  const shuffled = probes.items
    .map((probe) => ({ probe, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ probe }) => probe);
  if (shuffled.length < perKind) throw new Error(`only ${shuffled.length} srcnat lines sampled`);
  const scope = readScope(Array.from({ length: hotelCount }, (_, i) => benchHotelId(i + 1)));
  const runners = queryRunners(store.raw, scope, random);
  const timings = {} as Record<QueryKind, Timing>;
  const slot: Partial<Record<QueryKind, number>> = {
    ip: 0,
    mac: 1,
    nat: 2,
    search: 3,
    search_text: 4,
    search_stop_words: 5,
  };
  for (const kind of QUERY_KINDS) {
    const offset = ((slot[kind] ?? 0) * perKind) % Math.max(1, shuffled.length - perKind + 1);
    const inputs = Array.from(
      { length: perKind },
      (_, i) => shuffled[(offset + i) % shuffled.length] as Probe,
    );
    const run = runners[kind];
    const timing: Timing = { ms: [], found: 0 };
    const kindStarted = performance.now();
    let warming = warmupCount;
    for (const probe of inputs) {
      const spentMs = performance.now() - kindStarted;
      if (spentMs > kindBudgetMs) break;
      // A slow kind warms up on a quarter of its budget at most.
      if (warming > 0 && spentMs > kindBudgetMs / 4) warming = 0;
      const started = performance.now();
      const found = await run(probe);
      const ms = performance.now() - started;
      if (warming > 0) {
        warming--;
        continue;
      }
      timing.ms.push(ms);
      if (found) timing.found++;
    }
    timing.ms.sort((a, b) => a - b);
    timings[kind] = timing;
    progress(
      `query: ${kind}: ${timing.ms.length} samples in ${((performance.now() - kindStarted) / 1000).toFixed(1)} s`,
    );
  }

  const pick = (p: number) =>
    Object.fromEntries(
      QUERY_KINDS.map((kind) => [kind, Number(percentile(timings[kind].ms, p).toFixed(2))]),
    ) as Record<QueryKind, number>;
  const bytesPerEvent = disk.events_bytes / figures.events;

  const parts = figures.parts;
  say(
    `query: ${n(figures.events)} events of ${hotelCount} hotels over ${days} days (${figures.chunks} chunks, ${figures.steps} index transactions of <= ${n(stepBytes)} bytes, ${concurrency} at a time, path ${indexPath}); PostgreSQL ${settings?.version}, shared_buffers ${settings?.shared_buffers}, work_mem ${settings?.work_mem}`,
  );
  say(
    `query: indexing ${n(indexRate)} events/s (target ${n(INDEX_TARGET_PER_S)}): ${n(figures.events)} events in ${(figures.indexMs / 1000).toFixed(1)} s of indexing; wall ${(figures.wallMs / 1000).toFixed(1)} s of which simulator ${(figures.simulateMs / 1000).toFixed(1)} s, ingest's share (${indexPath === "direct" ? "chunk rows" : "chunk rows and stored batches"}) ${(figures.ingestMs / 1000).toFixed(1)} s; load average ${loadAverageBefore.toFixed(2)} before, ${loadAverageAfter.toFixed(2)} after`,
  );
  say(
    `query: CPU while indexing: bench process ${(figures.indexCpuMs / 1000).toFixed(1)} s (${n(hubRatePerCore)} events per CPU-second); PostgreSQL backends ${(figures.postgresCpuMs / 1000).toFixed(1)} s over the whole load (${n(postgresRatePerCore)} events per CPU-second)`,
  );
  const { busyS, idleS, kernelS, reclaimedPages } = figures.machine;
  const otherS = busyS - figures.indexCpuMs / 1000 - figures.postgresCpuMs / 1000;
  say(
    `query: the machine while indexing: ${((100 * busyS) / (busyS + idleS)).toFixed(0)}% of ${navigator.hardwareConcurrency} cores busy (${busyS.toFixed(1)} s busy, ${idleS.toFixed(1)} s idle); busy beyond the bench process and the backends above: about ${otherS.toFixed(1)} s (PostgreSQL's background processes, the kernel's writeback, other work; the backends' figure spans the whole load, so this is a lower bound); the kernel ${kernelS.toFixed(1)} s of the busy time (${((100 * kernelS) / Math.max(busyS, 1e-9)).toFixed(0)}%), ${n(reclaimedPages)} pages reclaimed from the page cache (${((reclaimedPages * 4096) / 2 ** 30).toFixed(1)} GiB)`,
  );
  say(
    `query: one core each: the hub's indexing ${n(hubRatePerCore)} events/s (${hubRatePerCore >= INDEX_TARGET_PER_S ? "at or above" : "below"} ${n(INDEX_TARGET_PER_S)}), PostgreSQL ${n(postgresRatePerCore)} events/s (${postgresRatePerCore >= INDEX_TARGET_PER_S ? "at or above" : "below"}); ${hubRatePerCore < postgresRatePerCore ? "the hub" : "PostgreSQL"} bounds the rate, and here both share ${navigator.hardwareConcurrency} cores`,
  );
  if (indexPath === "direct") {
    const share = (ms: number) =>
      `${(ms / 1000).toFixed(1)} s (${((ms / figures.indexMs) * 100).toFixed(0)}%, ${((ms * 1000) / figures.events).toFixed(1)} us/event)`;
    say(
      `query: indexing time${concurrency > 1 ? " (summed over steps that overlapped)" : ""}: parse, derive and encode in memory ${share(parts.parseMs)}; partition check ${share(parts.partitionsMs)}; sink COPY (send + server) ${share(parts.copyMs)}; derived tables and watermark ${share(parts.deriveMs)}; begin/lock/commit ${share(parts.transactionMs)}`,
    );
    if (parts.copyDataMs !== undefined) {
      say(
        `query: --profile: building the COPY data alone ${share(parts.copyDataMs)} (${n(figures.copyBytes / figures.events)} bytes/event), part of the parse share above`,
      );
    }
  }
  if (figures.invalidLines > 0) say(`query: ${n(figures.invalidLines)} record lines were invalid`);
  say(
    `query: on disk: events ${(disk.events_bytes / 2 ** 20).toFixed(0)} MiB in ${disk.partitions} partitions = ${n(bytesPerEvent)} bytes/event (table+toast ${n(disk.events_heap_bytes / figures.events)}, ${Object.entries(
      disk.index_bytes,
    )
      .map(([name, bytes]) => `${name} ${n(bytes / figures.events)}`)
      .join(", ")})`,
  );
  say(
    `query: on disk: leases ${n(disk.leases.rows)} rows ${(disk.leases.bytes / 2 ** 20).toFixed(1)} MiB (${n(disk.leases.bytes / Math.max(1, disk.leases.rows))} bytes/row); hotspot_sessions ${n(disk.hotspot_sessions.rows)} rows ${(disk.hotspot_sessions.bytes / 2 ** 20).toFixed(1)} MiB (${n(disk.hotspot_sessions.bytes / Math.max(1, disk.hotspot_sessions.rows))} bytes/row); database ${(disk.database_bytes / 2 ** 30).toFixed(2)} GiB${vacuumMs > 0 ? `; vacuum (analyze) took ${(vacuumMs / 1000).toFixed(1)} s` : ""}`,
  );
  say(
    `query: up to ${sampleCount} samples per query (n; at most ${kindBudgetMs / 1000} s each) after ${warmupCount} warm-up, one at a time, times from the client (transaction, read role, scope, parse of the answer included):`,
  );
  const pad = (text: string, width: number) => text.padStart(width);
  say(
    `${"query".padEnd(KIND_WIDTH)}${pad("n", 5)}${pad("p50 ms", 9)}${pad("p95 ms", 9)}${pad("p99 ms", 9)}${pad("max ms", 9)}${pad("found", 8)}  target p95`,
  );
  for (const kind of QUERY_KINDS) {
    const timing = timings[kind];
    const target = TARGET_MS[kind];
    const p95 = percentile(timing.ms, 0.95);
    const verdict =
      target === undefined ? "-" : `<= ${target} ms ${p95 <= target ? "met" : "MISSED"}`;
    say(
      `${kind.padEnd(KIND_WIDTH)}${pad(String(timing.ms.length), 5)}${pad(percentile(timing.ms, 0.5).toFixed(1), 9)}${pad(p95.toFixed(1), 9)}${pad(percentile(timing.ms, 0.99).toFixed(1), 9)}${pad((timing.ms.at(-1) ?? 0).toFixed(1), 9)}${pad(`${((timing.found / timing.ms.length) * 100).toFixed(0)}%`, 8)}  ${verdict}`,
    );
  }
  for (const kind of QUERY_KINDS) say(`  ${kind}: ${WHAT[kind]}`);
  say(
    `  found: the answer held what the sampled line promised (ip: the lease of its MAC; mac: a lease of its address; nat: its internal address and lease; search: hits; histogram/top: counts)`,
  );

  if (values.explain) {
    for (const kind of QUERY_KINDS) {
      const recorder = recordingClient(store.raw);
      const probe = shuffled[0] as Probe;
      await queryRunners(recorder.raw, scope, seededRandom(seed + 2))[kind](probe);
      const plans = await explainStatements(store.raw, scope, recorder.taken);
      say(`\n== explain ${kind}: ${WHAT[kind]}`);
      for (const [index, { text, plan }] of plans.entries()) {
        say(`-- statement ${index + 1}: ${text}`);
        say(plan);
      }
    }
  }

  if (asJson) {
    console.log(
      JSON.stringify({
        events: figures.events,
        index_events_per_s: Math.round(indexRate),
        bytes_per_event: Math.round(bytesPerEvent),
        p95_ms: pick(0.95),
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        found: Object.fromEntries(
          QUERY_KINDS.map((kind) => [kind, timings[kind].found / timings[kind].ms.length]),
        ),
        targets: {
          index_events_per_s: INDEX_TARGET_PER_S,
          p95_ms: TARGET_MS,
        },
        hotels: hotelCount,
        days,
        samples: Object.fromEntries(QUERY_KINDS.map((kind) => [kind, timings[kind].ms.length])),
        index: {
          path: indexPath,
          step_bytes: stepBytes,
          concurrency,
          mimalloc_purge_delay: process.env.MIMALLOC_PURGE_DELAY ?? null,
          load_average_1m: [loadAverageBefore, loadAverageAfter],
          chunks: figures.chunks,
          transactions: figures.steps,
          index_s: figures.indexMs / 1000,
          wall_s: figures.wallMs / 1000,
          simulate_s: figures.simulateMs / 1000,
          ingest_s: figures.ingestMs / 1000,
          bench_cpu_s: figures.indexCpuMs / 1000,
          postgres_cpu_s: figures.postgresCpuMs / 1000,
          machine_busy_s: Number(figures.machine.busyS.toFixed(1)),
          machine_idle_s: Number(figures.machine.idleS.toFixed(1)),
          machine_kernel_s: Number(figures.machine.kernelS.toFixed(1)),
          reclaimed_pages: figures.machine.reclaimedPages,
          hub_events_per_cpu_s: Math.round(hubRatePerCore),
          postgres_events_per_cpu_s: Math.round(postgresRatePerCore),
          cores: navigator.hardwareConcurrency,
          parts_s: Object.fromEntries(
            Object.entries(parts).map(([name, ms]) => [name.replace(/Ms$/, ""), ms / 1000]),
          ),
        },
        disk: { ...disk, vacuum_s: vacuumMs / 1000 },
        postgres: settings,
      }),
    );
  }
} finally {
  await store.close();
  if (values.keep) progress(`query: kept the database ${scratch.url}`);
  else await scratch.drop();
  services.stop();
}
// The scratch database's admin connection stays open when it is kept.
if (values.keep) process.exit(0);
