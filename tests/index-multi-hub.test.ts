/**
 * The index pipeline across hub processes (issue 9), on real PostgreSQL and
 * Redis: two hubs share one index stream and index every record exactly
 * once; a hub killed with -9 mid-indexing leaves no duplicate and no hole; the
 * live tail of one hub hears what another indexed; a hotel's scope never
 * shows another hotel's data, in the engine, over HTTP and in the database
 * itself; and reindex rebuilds the same index.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import Redis from "ioredis";
import { searchRoutes } from "../hub/src/api/search.ts";
import { type RunningHub, startHub } from "../hub/src/hub.ts";
import { RedisIndexQueue } from "../hub/src/index/index.ts";
import type { SimulatedHour } from "../hub/src/index/testing.ts";
import { answerErrorsAsJson } from "../hub/src/net/answers.ts";
import {
  contextRequestSchema,
  type EventHit,
  histogramRequestSchema,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  readScope,
  ScopeError,
  searchRequestSchema,
  topRequestSchema,
} from "../hub/src/query/index.ts";
import { inReadScope } from "../hub/src/query/scope.ts";
import {
  openStore,
  type RawTx,
  rawQuery,
  rawTransaction,
  type Store,
} from "../hub/src/store/index.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import { spawnHubProcess } from "./support/hub-process.ts";
import {
  addHotelsWithAgents,
  allSeqsOnce,
  derivedLeases,
  derivedTables,
  deviceEventCounts,
  duplicateSeqs,
  expectedLeases,
  indexProgress,
  type LeaseFact,
  leaseFacts,
  linesOf,
  type NatFact,
  natFacts,
  type SimulatedHotel,
  seqsPerAgent,
  simulateHotels,
  spread,
  storeHours,
  withoutTimings,
} from "./support/index-data.ts";
import { tempDir, waitFor } from "./support/pipeline.ts";
import { openSse, type SseClient } from "./support/sse.ts";

const HOUR_MS = 3_600_000;
/** The smallest step the config allows: many steps, many chances to interleave. */
const STEP_BYTES = 64 * 1024;

function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set: run tests with `bun run test`");
  return url;
}

/** A prefix of this run's Redis keys, and a cleanup that removes them. */
function redisPrefixOf(name: string) {
  const prefix = `test-${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    prefix,
    async remove() {
      const redis = new Redis(redisUrl(), { lazyConnect: true });
      await redis.connect();
      await redis.del(`${prefix}:index`);
      await redis.quit();
    },
  };
}

/** The hub log lines of one hub, as events. */
type LoggedEvent = { event: string; events?: number; agentId?: string };
const eventsOf = (lines: readonly string[]) => lines.map((line) => JSON.parse(line) as LoggedEvent);
const indexedEvents = (lines: readonly string[]) =>
  eventsOf(lines)
    .filter((event) => event.event === "EventsIndexed")
    .reduce((sum, event) => sum + (event.events ?? 0), 0);
const failuresOf = (lines: readonly string[]) =>
  eventsOf(lines).filter((event) => event.event === "IndexerFailed");

const recordsOf = (hours: readonly SimulatedHour[]) =>
  hours.reduce((sum, hour) => sum + hour.lines.length, 0);

/** The seqs of tail hits per agent, sorted. */
function seqsByAgent(hits: readonly EventHit[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const hit of hits) out[hit.agent] = [...(out[hit.agent] ?? []), hit.seq];
  for (const seqs of Object.values(out)) seqs.sort((a, b) => a - b);
  return out;
}

const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);
const tailHits = (client: SseClient) => client.dataOf<EventHit[]>("events").flat();
const iso = (ms: number) => new Date(ms).toISOString();

/** The call is refused with a ScopeError (thrown at once or as a rejection). */
const refused = (ask: () => Promise<unknown>) =>
  expect(Promise.resolve().then(ask)).rejects.toBeInstanceOf(ScopeError);

/** A time inside a simulated lease (its middle, or a minute in while it never ended). */
const insideLease = (fact: LeaseFact) =>
  fact.toMs === undefined
    ? fact.fromMs + 60_000
    : fact.fromMs + Math.floor((fact.toMs - fact.fromMs) / 2);

describe("index across hub processes", () => {
  const startMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * HOUR_MS + HOUR_MS / 2;
  // Four hotels, ~2.8 hours of traffic: each agent's last hour is kept back for the live tail.
  const hotels = simulateHotels(["hotel-a", "hotel-b", "hotel-c", "hotel-d"], {
    eps: 3,
    startMs,
    count: 30_000,
    seed: 5651,
  });
  const [hotelA, hotelB] = hotels as [SimulatedHotel, SimulatedHotel];
  const from = iso(startMs - HOUR_MS);
  const to = iso(startMs + 5 * HOUR_MS);
  const redis = redisPrefixOf("multi-hub");
  const caDir = tempDir("multi-hub-ca");
  const dirA = tempDir("multi-hub-a");
  const dirB = tempDir("multi-hub-b");
  const logA: string[] = [];
  const logB: string[] = [];
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let hubA: RunningHub;
  let hubB: RunningHub;
  /** Hub B's search routes with hotel A's scope, as a manager of hotel A will get them. */
  let scoped: ReturnType<typeof Bun.serve>;
  const scopeA = readScope([hotelA.hotelId]);
  const scopeB = readScope([hotelB.hotelId]);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const start = (dataDir: string, log: string[]) =>
      startHub(
        {
          dataDir,
          ingest: "127.0.0.1:0",
          http: "127.0.0.1:0",
          databaseUrl: scratch.url,
          redisUrl: redisUrl(),
          redisPrefix: redis.prefix,
          caDir: caDir.path,
          caKeyBits: 2048,
          index: { catchUpMs: 250, maxBytesPerStep: STEP_BYTES },
        },
        { log: (line) => log.push(line) },
      );
    // One after the other: the first migrates the shared database.
    hubA = await start(dirA.path, logA);
    hubB = await start(dirB.path, logB);
    await addHotelsWithAgents(hubA.db, hotels);
    const app = new Hono();
    answerErrorsAsJson(app, { events: hubB.events, listener: "http" });
    // A principal as authenticate would set it; the scope is hotel A's whatever it is.
    app.use("*", (c, next) => {
      c.set("principal" as never, { kind: "admin_credential", actor: "test" } as never);
      return next();
    });
    app.route(
      "/",
      searchRoutes({
        read: hubB.read,
        events: hubB.events,
        db: hubB.db,
        reindex: hubB.apiContext.reindex,
        scopeOf: async () => scopeA,
      }),
    );
    // idleTimeout 0: the tail is an open stream that may be quiet for a while.
    scoped = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: app.fetch });
  }, 60_000);

  afterAll(async () => {
    await scoped?.stop(true);
    await hubA?.stop();
    await hubB?.stop();
    await scratch?.drop();
    await redis.remove().catch(() => {});
    for (const dir of [caDir, dirA, dirB]) dir.remove();
  });

  const bearer = (hub: RunningHub) => ({ authorization: `Bearer ${hub.adminCredential}` });

  test("two hubs on one stream index every record of every agent exactly once, both doing work", async () => {
    const stored = hotels.flatMap((hotel) =>
      hotel.hours.slice(0, -1).map((hour) => ({ hotel, hour })),
    );
    expect(stored.length).toBeGreaterThanOrEqual(hotels.length * 2);
    // Small batches as agents send them; each hour's notice to one hub or the other.
    await storeHours(hubA.db, stored, 16 * 1024, (hotel, index) =>
      (index % 2 === 0 ? hubA : hubB).indexer.notify(hotel.agentId),
    );
    await waitFor(
      "the two hubs to index everything stored",
      async () => (await indexProgress(hubA.raw)).waiting === 0,
      90_000,
    );

    expect(await duplicateSeqs(hubA.raw)).toEqual([]);
    const expected = Object.fromEntries(
      hotels.map((hotel) => [hotel.agentId, allSeqsOnce(recordsOf(hotel.hours.slice(0, -1)))]),
    );
    expect(await seqsPerAgent(hubA.raw)).toEqual(expected);
    // The leases are the simulation's: each from its DHCP assignment to its release.
    for (const hotel of hotels) {
      expect(await derivedLeases(hubA.raw, hotel.agentId)).toEqual(
        expectedLeases(linesOf(hotel.hours.slice(0, -1))),
      );
    }
    // And each event counted once towards its device (the agent's router).
    expect(await deviceEventCounts(hubA.raw)).toEqual(
      Object.fromEntries(Object.entries(expected).map(([agent, seqs]) => [agent, seqs.events])),
    );

    // Each committed step is logged once by the hub that ran it: together, every record once.
    const total = stored.reduce((sum, { hour }) => sum + hour.lines.length, 0);
    await waitFor("the last step's EventsIndexed", () => {
      return indexedEvents(logA) + indexedEvents(logB) >= total;
    });
    expect(indexedEvents(logA) + indexedEvents(logB)).toBe(total);
    expect(indexedEvents(logA)).toBeGreaterThan(0);
    expect(indexedEvents(logB)).toBeGreaterThan(0);
    expect([...failuresOf(logA), ...failuresOf(logB)]).toEqual([]);
  }, 120_000);

  test("a live-tail client of hub B hears what hub A indexes; a client scoped to hotel A hears only A's", async () => {
    // From here on only hub A indexes: whatever B's clients hear came from A over Redis.
    await hubB.indexer.stop();
    const bLogged = logB.length;
    const tail = await openSse(`${hubB.httpUrl}/api/tail`, bearer(hubB));
    const tailA = await openSse(`${scoped.url.origin}/api/tail`, {});
    try {
      const live = hotels.map((hotel) => ({ hotel, hour: hotel.hours.at(-1) as SimulatedHour }));
      const expected = Object.fromEntries(
        live.map(({ hotel, hour }) => [hotel.agentId, range(hour.firstSeq, hour.lines.length)]),
      );
      const liveTotal = recordsOf(live.map(({ hour }) => hour));
      await storeHours(hubA.db, live, 16 * 1024, (hotel) => hubA.indexer.notify(hotel.agentId));

      await waitFor("hub B's tail client to hear every new event", () => {
        return tailHits(tail).length >= liveTotal;
      });
      expect(seqsByAgent(tailHits(tail))).toEqual(expected);
      expect(indexedEvents(logB.slice(bLogged))).toBe(0);

      await waitFor("the hotel A client to hear hotel A's new events", () => {
        return tailHits(tailA).length >= (expected[hotelA.agentId]?.length ?? 0);
      });
      // Hotel A's events, all of them, and nothing of the three other hotels.
      expect(seqsByAgent(tailHits(tailA))).toEqual({
        [hotelA.agentId]: expected[hotelA.agentId] ?? [],
      });
      expect(new Set(tailHits(tailA).map((hit) => hit.hotel))).toEqual(new Set([hotelA.hotelId]));
    } finally {
      await tail.close();
      await tailA.close();
    }
    expect(await duplicateSeqs(hubA.raw)).toEqual([]);
    expect(await seqsPerAgent(hubA.raw)).toEqual(
      Object.fromEntries(
        hotels.map((hotel) => [hotel.agentId, allSeqsOnce(recordsOf(hotel.hours))]),
      ),
    );
  }, 90_000);

  test("hotel A's scope never returns hotel B's events: search, histogram, top, context, export", async () => {
    const { engine } = hubA.read;
    const countA = recordsOf(hotelA.hours);
    const onlyA = (hits: readonly EventHit[]) =>
      hits.every((hit) => hit.hotel === hotelA.hotelId && hit.agent === hotelA.agentId);

    // Search page by page (the cursor) over everything: hotel A's records, all and only.
    let cursor: string | undefined;
    let seen = 0;
    for (;;) {
      const page = await engine.search(
        scopeA,
        searchRequestSchema.parse({ from, to, limit: "1000", ...(cursor ? { cursor } : {}) }),
      );
      expect(onlyA(page.hits)).toBe(true);
      seen += page.hits.length;
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toBe(countA);

    // A text filter: words both hotels' lines have find A's only; a MAC of B's finds nothing.
    const assigned = await engine.search(
      scopeA,
      searchRequestSchema.parse({ from, to, text: "assigned", limit: "1000" }),
    );
    expect(assigned.hits.length).toBeGreaterThan(0);
    expect(onlyA(assigned.hits)).toBe(true);
    const macB = leaseFacts(linesOf(hotelB.hours))[0]?.mac ?? "";
    const byMacB = { from, to, text: macB, limit: "10" };
    expect((await engine.search(scopeB, searchRequestSchema.parse(byMacB))).hits).not.toEqual([]);
    expect((await engine.search(scopeA, searchRequestSchema.parse(byMacB))).hits).toEqual([]);

    // A cursor taken from hotel B's results, used with A's scope: still A's events only.
    const pageB = await engine.search(scopeB, searchRequestSchema.parse({ from, to, limit: "5" }));
    expect(pageB.next_cursor).toBeDefined();
    const afterB = await engine.search(
      scopeA,
      searchRequestSchema.parse({ from, to, limit: "1000", cursor: pageB.next_cursor }),
    );
    expect(afterB.hits.length).toBeGreaterThan(0);
    expect(onlyA(afterB.hits)).toBe(true);

    const histogram = await engine.histogram(scopeA, histogramRequestSchema.parse({ from, to }));
    expect(histogram.total).toBe(countA);
    expect(histogram.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(countA);
    const histogramB = await engine.histogram(
      scopeA,
      histogramRequestSchema.parse({ from, to, text: macB }),
    );
    expect(histogramB.total).toBe(0);

    const topHotels = await engine.top(
      scopeA,
      topRequestSchema.parse({ from, to, field: "hotel" }),
    );
    expect(topHotels.values).toEqual([{ value: hotelA.hotelId, count: countA }]);
    const topAgents = await engine.top(
      scopeA,
      topRequestSchema.parse({ from, to, field: "agent" }),
    );
    expect(topAgents.values).toEqual([{ value: hotelA.agentId, count: countA }]);
    const topSources = await engine.top(
      scopeA,
      topRequestSchema.parse({ from, to, field: "src_ip", limit: "100" }),
    );
    expect(topSources.values.length).toBeGreaterThan(1);
    for (const { value } of topSources.values) {
      if (value !== null) expect(value).toStartWith(`10.${hotelA.number}.`);
    }

    // Lines around a hit of B's agent, asked with A's scope: nothing at all.
    const [hitB] = pageB.hits;
    if (!hitB) throw new Error("hotel B has no events");
    const around = { agent: hitB.agent, seq: String(hitB.seq), at: hitB.received_at };
    expect((await engine.context(scopeB, contextRequestSchema.parse(around))).hit).not.toBeNull();
    expect(await engine.context(scopeA, contextRequestSchema.parse(around))).toEqual({
      before: [],
      hit: null,
      after: [],
    });

    let exported = 0;
    for await (const page of engine.export(scopeA, searchRequestSchema.parse({ from, to }), 2000)) {
      expect(onlyA(page)).toBe(true);
      exported += page.length;
    }
    expect(exported).toBe(countA);

    // Naming hotel B is refused, not answered empty.
    for (const ask of [
      () => engine.search(scopeA, searchRequestSchema.parse({ from, to, hotels: hotelB.hotelId })),
      () =>
        engine.histogram(
          scopeA,
          histogramRequestSchema.parse({ from, to, hotels: hotelB.hotelId }),
        ),
      () =>
        engine.top(
          scopeA,
          topRequestSchema.parse({ from, to, field: "hotel", hotels: hotelB.hotelId }),
        ),
    ]) {
      await refused(ask);
    }
  }, 60_000);

  test("hotel A's scope finds none of hotel B's addresses, MACs, NAT ports or devices", async () => {
    const { lookups, devices } = hubA.read;
    const linesB = linesOf(hotelB.hours);
    const leasesB = spread(leaseFacts(linesB), 4);
    const natsB = spread(natFacts(linesB), 4);
    expect(leasesB.length).toBe(4);
    expect(natsB.length).toBe(4);
    for (const fact of leasesB) {
      const ask = lookupIpRequestSchema.parse({ ip: fact.ip, at: iso(insideLease(fact)) });
      expect((await lookups.ip(scopeB, ask)).mac).toBe(fact.mac);
      const answer = await lookups.ip(scopeA, ask);
      expect(answer).toMatchObject({ lease: null, sessions: [], mac: null, hostname: null });
      expect(answer.query.hotels).toEqual([hotelA.hotelId]);
      await refused(() => lookups.ip(scopeA, { ...ask, hotel: hotelB.hotelId }));

      const byMac = lookupMacRequestSchema.parse({ mac: fact.mac, from, to });
      expect((await lookups.mac(scopeB, byMac)).leases.length).toBeGreaterThan(0);
      expect(await lookups.mac(scopeA, byMac)).toMatchObject({ leases: [], sessions: [] });
      await refused(() => lookups.mac(scopeA, { ...byMac, hotel: hotelB.hotelId }));
    }
    for (const fact of natsB) {
      const ask = lookupNatRequestSchema.parse({
        address: `${fact.publicIp}:${fact.publicPort}`,
        at: iso(fact.atMs + 1),
      });
      expect((await lookups.nat(scopeB, ask)).internal?.ip).toBe(fact.internalIp);
      expect(await lookups.nat(scopeA, ask)).toMatchObject({
        connection: null,
        internal: null,
        device: null,
        nearby: [],
        evidence: [],
      });
      await refused(() => lookups.nat(scopeA, { ...ask, hotel: hotelB.hotelId }));
    }

    const listA = await devices.list(scopeA);
    expect(listA.length).toBeGreaterThan(0);
    expect(listA.every((device) => device.hotel === hotelA.hotelId)).toBe(true);
    const [deviceB] = await devices.list(scopeB);
    if (!deviceB) throw new Error("hotel B has no device");
    await refused(() => devices.list(scopeA, { hotel: hotelB.hotelId }));
    await refused(() =>
      devices.rename(scopeA, { agent: deviceB.agent, address: deviceB.address, name: "mine" }),
    );
    expect((await devices.list(scopeB))[0]?.name).toBeNull();
  }, 60_000);

  test("over HTTP, hotel A's scope asking for hotel B answers 404 (B's existence is not revealed)", async () => {
    const base = scoped.url.origin;
    const [leaseB] = leaseFacts(linesOf(hotelB.hours));
    if (!leaseB) throw new Error("hotel B has no lease");
    const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const onlyB = { hotels: hotelB.hotelId };
    const paths = [
      `/api/search?${q({ from, to, ...onlyB })}`,
      `/api/search/histogram?${q({ from, to, ...onlyB })}`,
      `/api/search/top?${q({ from, to, field: "hotel", ...onlyB })}`,
      `/api/search/export?${q({ from, to, ...onlyB })}`,
      `/api/lookup/ip?${q({ ip: leaseB.ip, at: iso(insideLease(leaseB)), hotel: hotelB.hotelId })}`,
      `/api/lookup/mac?${q({ mac: leaseB.mac, from, to, hotel: hotelB.hotelId })}`,
      `/api/lookup/nat?${q({ address: "192.0.2.1:1024", at: to, hotel: hotelB.hotelId })}`,
      `/api/devices?${q({ hotel: hotelB.hotelId })}`,
      `/api/tail?${q(onlyB)}`,
    ];
    for (const path of paths) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(((await response.json()) as { code: string }).code).toBe("not_found");
    }
    const reindex = await fetch(`${base}/api/reindex`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hotel: hotelB.hotelId }),
    });
    expect(reindex.status).toBe(404);

    // Without naming a hotel, the same routes answer in A's scope.
    const page = (await (await fetch(`${base}/api/search?${q({ from, to })}`)).json()) as {
      hits: EventHit[];
    };
    expect(page.hits.length).toBeGreaterThan(0);
    expect(page.hits.every((hit) => hit.hotel === hotelA.hotelId)).toBe(true);

    // The admin credential's scope is every hotel there is, and no more.
    const unknown = await fetch(
      `${hubA.httpUrl}/api/search?${q({ from, to, hotels: "no-such-hotel" })}`,
      { headers: bearer(hubA) },
    );
    expect(unknown.status).toBe(404);
  });

  test("the database holds the read role to its hotels whatever the SQL asks", async () => {
    const { raw } = hubA;
    // A recorded gap in both hotels, so that table has something to leak too.
    const chunkOf = async (hotel: SimulatedHotel) =>
      (
        await rawQuery<{ id: string }>(raw, "select id from chunks where agent_id = $1 limit 1", [
          hotel.agentId,
        ])
      )[0]?.id;
    for (const hotel of [hotelA, hotelB]) {
      await rawQuery(
        raw,
        `insert into record_gaps (hotel_id, agent_id, chunk_id, seq, first_at, last_at, lost, reason)
         values ($1, $2, $3, 999999999, now(), now(), 3, 'test')`,
        [hotel.hotelId, hotel.agentId, await chunkOf(hotel)],
      );
    }
    const tables = {
      // An event names its hotel by key; a row of a hotel the role cannot see shows as that key.
      events:
        "coalesce((select h.id from hotels h where h.key = events.hotel_key), 'key ' || events.hotel_key)",
      leases: "hotel_id",
      hotspot_sessions: "hotel_id",
      devices: "hotel_id",
      record_gaps: "hotel_id",
      chunks: "hotel_id",
      agents: "hotel_id",
      hotels: "id",
    };
    const hotelsIn = async (tx: RawTx) => {
      const seen: Record<string, string[]> = {};
      for (const [table, column] of Object.entries(tables)) {
        const rows = await tx.query<{ hotel: string }>(
          `select distinct ${column} as hotel from ${table} order by 1`,
        );
        seen[table] = rows.map((row) => row.hotel);
      }
      return seen;
    };
    try {
      // As the hub's own user, every table holds both hotels.
      const all = await rawTransaction(raw, hotelsIn);
      for (const held of Object.values(all)) {
        expect(held).toEqual(expect.arrayContaining([hotelA.hotelId, hotelB.hotelId]));
      }
      // In A's read scope, SQL with no hotel condition at all sees hotel A only.
      const inA = await inReadScope(raw, scopeA, hotelsIn);
      expect(inA).toEqual(
        Object.fromEntries(Object.keys(tables).map((t) => [t, [hotelA.hotelId]])),
      );
      const [{ n } = { n: "0" }] = await inReadScope(raw, scopeA, (tx) =>
        tx.query<{ n: string }>("select count(*) as n from events"),
      );
      expect(Number(n)).toBe(recordsOf(hotelA.hours));

      // The read role without hotels (never set, or set empty) sees nothing.
      for (const setup of [
        "set local role logmaster_reader",
        "select set_config('logmaster.read_hotels', '', true), set_config('role', 'logmaster_reader', true)",
      ]) {
        const none = await rawTransaction(raw, async (tx) => {
          await tx.query(setup);
          return hotelsIn(tx);
        });
        expect(none).toEqual(Object.fromEntries(Object.keys(tables).map((t) => [t, []])));
      }

      // And it reads only: no writes, no stored batches.
      for (const statement of [
        "delete from events",
        "update chunks set indexed_length = 0",
        "select count(*) from chunk_batches",
      ]) {
        await expect(inReadScope(raw, scopeA, (tx) => tx.query(statement))).rejects.toThrow(
          /permission denied/,
        );
      }
    } finally {
      await rawQuery(raw, "delete from record_gaps where seq = 999999999");
    }
  });

  test("reindex over HTTP after the index was emptied gives the same counts and lookup answers", async () => {
    const samples = hotels.slice(0, 2).flatMap((hotel) => {
      const lines = linesOf(hotel.hours);
      return [
        ...spread(leaseFacts(lines), 6).map((fact) => ({ kind: "lease" as const, hotel, fact })),
        ...spread(natFacts(lines), 4).map((fact) => ({ kind: "nat" as const, hotel, fact })),
      ];
    });
    const get = async (path: string, params: Record<string, string>) => {
      const response = await fetch(`${hubA.httpUrl}${path}?${new URLSearchParams(params)}`, {
        headers: bearer(hubA),
      });
      expect(response.status).toBe(200);
      return withoutTimings(await response.json());
    };
    const answers = async () => {
      const out: unknown[] = [];
      for (const sample of samples) {
        const hotel = sample.hotel.hotelId;
        if (sample.kind === "lease") {
          const fact = sample.fact as LeaseFact;
          out.push(await get("/api/lookup/ip", { ip: fact.ip, at: iso(insideLease(fact)), hotel }));
          out.push(await get("/api/lookup/mac", { mac: fact.mac, from, to, hotel }));
        } else {
          const fact = sample.fact as NatFact;
          const address = `${fact.publicIp}:${fact.publicPort}`;
          out.push(await get("/api/lookup/nat", { address, at: iso(fact.atMs + 1), hotel }));
        }
      }
      return {
        seqs: await seqsPerAgent(hubA.raw),
        derived: await derivedTables(hubA.raw),
        lookups: out,
      };
    };
    const before = await answers();
    // The answers compared are real ones: each sampled lease and connection is found.
    samples.forEach((sample, index) => {
      if (sample.kind !== "lease") return;
      const at = samples.slice(0, index).reduce((n, s) => n + (s.kind === "lease" ? 2 : 1), 0);
      expect((before.lookups[at] as { mac: string }).mac).toBe((sample.fact as LeaseFact).mac);
    });
    expect(before.derived.leases?.length).toBeGreaterThan(0);

    // Devices stay: they carry admins' names, and reindex keeps them (hub/src/index/reindex.ts).
    for (const table of ["events", "event_minutes", "leases", "hotspot_sessions", "record_gaps"]) {
      await rawQuery(hubA.raw, `delete from ${table}`);
    }
    expect(await seqsPerAgent(hubA.raw)).toEqual({});

    for (const hotel of hotels) {
      const response = await fetch(`${hubA.httpUrl}/api/reindex`, {
        method: "POST",
        headers: { ...bearer(hubA), "content-type": "application/json" },
        body: JSON.stringify({ hotel: hotel.hotelId }),
      });
      expect(response.status).toBe(200);
      const lines = (await response.text())
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { done?: { chunks: number }; error?: string });
      expect(lines.at(-1)?.error).toBeUndefined();
      expect(lines.at(-1)?.done?.chunks).toBe(hotel.hours.length);
    }
    await waitFor("the index to hold everything again", async () => {
      return (await indexProgress(hubA.raw)).waiting === 0;
    });
    expect(await duplicateSeqs(hubA.raw)).toEqual([]);
    for (const hotel of hotels) {
      expect(await derivedLeases(hubA.raw, hotel.agentId)).toEqual(
        expectedLeases(linesOf(hotel.hours)),
      );
    }
    expect(await answers()).toEqual(before);
  }, 90_000);

  // The hub's own indexer steps the reset chunks beside the reindex; chunks' devices_counted_length
  // keeps either from counting an event twice.
  test("after a reindex on a running hub, device event counts still equal the events", async () => {
    expect(await deviceEventCounts(hubA.raw)).toEqual(
      Object.fromEntries(hotels.map((hotel) => [hotel.agentId, recordsOf(hotel.hours)])),
    );
  });
});

describe("a hub process killed with -9 mid-indexing", () => {
  const startMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS + HOUR_MS / 2;
  const hotels = simulateHotels(["kill-a", "kill-b", "kill-c"], {
    eps: 6,
    startMs,
    count: 40_000,
    seed: 9,
  });
  const allHours = hotels.flatMap((hotel) => hotel.hours.map((hour) => ({ hotel, hour })));
  const redis = redisPrefixOf("kill-hub");
  const dir = tempDir("kill-hub");
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let store: Store;
  let killed: Awaited<ReturnType<typeof spawnHubProcess>> | undefined;
  let second: RunningHub | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    store = await openStore({ kind: "postgres", url: scratch.url });
    await store.migrate();
  });
  afterAll(async () => {
    await killed?.kill("SIGKILL");
    await second?.stop();
    await store?.close();
    await scratch?.drop();
    await redis.remove().catch(() => {});
    dir.remove();
  });

  test("the next hub catches up with no duplicate and no hole, and derives what a clean index derives", async () => {
    await addHotelsWithAgents(store.db, hotels);
    await storeHours(store.db, allHours, 256 * 1024);
    // Notices as ingest leaves them: the killed hub takes some and never acknowledges them.
    const queue = await RedisIndexQueue.open(redisUrl(), { stream: `${redis.prefix}:index` });
    for (const hotel of hotels) await queue.notify(hotel.agentId);
    await queue.close();
    const total = allHours.reduce((sum, { hour }) => sum + hour.bytes.byteLength, 0);

    killed = await spawnHubProcess(dir.path, {
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl(),
      HUB_REDIS_PREFIX: redis.prefix,
      HUB_INDEX_STEP_BYTES: String(STEP_BYTES),
      HUB_INDEX_CATCH_UP_MS: "500",
      HUB_CA_KEY_BITS: "2048",
    });
    const running = killed;
    await waitFor(
      "the hub process to index a quarter of the records",
      async () => {
        if (running.process.exitCode !== null)
          throw new Error(`the hub exited: ${running.logTail()}`);
        return (await indexProgress(store.raw)).indexed >= total / 4;
      },
      60_000,
      20,
    );
    await killed.kill("SIGKILL");
    const atKill = await indexProgress(store.raw);
    expect(atKill.waiting).toBeGreaterThan(0);
    expect(atKill.indexed + atKill.waiting).toBe(total);

    // What the dead hub committed is whole: each chunk's events are exactly its records below the watermark.
    const chunks = await rawQuery<Record<string, unknown>>(
      store.raw,
      `select c.agent_id, c.hour_start, c.indexed_length, count(e.seq) as events, min(e.seq) as first, max(e.seq) as last
         from chunks c left join events e on e.chunk_id = c.id group by c.id order by c.id`,
    );
    expect(chunks.length).toBe(allHours.length);
    for (const chunk of chunks) {
      const held = allHours.find(
        ({ hotel, hour }) =>
          hotel.agentId === chunk.agent_id &&
          hour.hourStart === new Date(chunk.hour_start as string).toISOString(),
      );
      if (!held) throw new Error(`no stored hour for chunk ${JSON.stringify(chunk)}`);
      const watermark = Number(chunk.indexed_length);
      const below = held.hour.bytes.subarray(0, watermark);
      const records = below.filter((byte) => byte === 0x0a).length;
      expect(watermark === 0 || below.at(-1) === 0x0a).toBe(true);
      expect(Number(chunk.events)).toBe(records);
      if (records > 0) {
        expect(Number(chunk.first)).toBe(held.hour.firstSeq);
        expect(Number(chunk.last)).toBe(held.hour.firstSeq + records - 1);
      }
    }
    expect(await duplicateSeqs(store.raw)).toEqual([]);

    // Another hub on the same database and stream (same data dir: the restarted one).
    second = await startHub({
      dataDir: dir.path,
      ingest: "127.0.0.1:0",
      http: "127.0.0.1:0",
      databaseUrl: scratch.url,
      redisUrl: redisUrl(),
      redisPrefix: redis.prefix,
      caKeyBits: 2048,
      quiet: true,
      index: { catchUpMs: 250, maxBytesPerStep: STEP_BYTES },
    });
    await waitFor(
      "the second hub to catch up",
      async () => (await indexProgress(store.raw)).waiting === 0,
      90_000,
    );
    const expected = Object.fromEntries(
      hotels.map((hotel) => [hotel.agentId, allSeqsOnce(recordsOf(hotel.hours))]),
    );
    expect(await duplicateSeqs(store.raw)).toEqual([]);
    expect(await seqsPerAgent(store.raw)).toEqual(expected);
    for (const hotel of hotels) {
      expect(await derivedLeases(store.raw, hotel.agentId)).toEqual(
        expectedLeases(linesOf(hotel.hours)),
      );
    }
    expect(await deviceEventCounts(store.raw)).toEqual(
      Object.fromEntries(hotels.map((hotel) => [hotel.agentId, recordsOf(hotel.hours)])),
    );

    // A clean index of the same records (reindex) derives the same leases, sessions and devices.
    const afterCrash = await derivedTables(store.raw);
    expect(afterCrash.leases?.length).toBeGreaterThan(0);
    expect(afterCrash.sessions?.length).toBeGreaterThan(0);
    const hub = second;
    for (const hotel of hotels) {
      await hub.apiContext.reindex({ hotelId: hotel.hotelId, actor: "test:reindex" }, () => {});
    }
    await waitFor(
      "the reindex to finish",
      async () => (await indexProgress(store.raw)).waiting === 0,
    );
    expect(await seqsPerAgent(store.raw)).toEqual(expected);
    expect(await derivedTables(store.raw)).toEqual(afterCrash);
  }, 120_000);
});
