/**
 * The Elasticsearch backend against a real cluster (ELASTICSEARCH_URL; the
 * tests are skipped without it). Two hotels of simulated traffic are indexed
 * by the real index step into PGlite and, through the Elasticsearch sink,
 * into daily indices of a prefix of this run's own; every answer of the
 * Elasticsearch engine and lookups must equal the PostgreSQL ones over the
 * same events, and a scope of hotel h1 must never see h2's documents,
 * which are there. The indices and template are deleted afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeDataRecord } from "../../../../shared/src/custody/index.ts";
import type { SimulatedLine } from "../../../../shared/src/simulate/model.ts";
import { HubEvents } from "../../events/index.ts";
import { ElasticsearchBulkError, elasticsearchEventSink } from "../../index/elasticsearch-sink.ts";
import {
  EventPartitions,
  type EventRow,
  type EventSink,
  indexAgentStep,
  postgresEventSink,
} from "../../index/index.ts";
import { type SimulatedHour, simulatedHours, storeHour } from "../../index/testing.ts";
import { addAgentRow, addHotelRow } from "../../store/fixtures.ts";
import { appendBatch, openStore, type RawTx, rawQuery, type Store } from "../../store/index.ts";
import {
  contextRequestSchema,
  histogramRequestSchema,
  Lookups,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  PostgresQueryEngine,
  readScope,
  ScopeError,
  searchRequestSchema,
  TOP_FIELDS,
  topRequestSchema,
} from "../index.ts";
import type { EventHit } from "../response.ts";
import {
  connectElasticsearch,
  type ElasticsearchClient,
  type ElasticsearchQueryEngine,
  eventsIndexPattern,
} from "./index.ts";

const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL;
const START = Date.parse("2026-03-12T11:30:00Z");
const FROM = "2026-03-12T11:00:00Z";
const TO = "2026-03-12T21:00:00Z";
const agentOf = (hotel: number) => `h${hotel}-agent`;
const scopeOne = readScope(["h1"]);
const PREFIX = `lmtest-${process.pid}-${Date.now().toString(36)}`;

let store: Store;
let client: ElasticsearchClient;
let engine: ElasticsearchQueryEngine;
let sink: EventSink;
let postgres: PostgresQueryEngine;
let postgresLookups: Lookups;
let elasticLookups: Lookups;
const hours: SimulatedHour[] = [];
const written: EventRow[] = [];

const linesOf = (hotel: number): SimulatedLine[] =>
  hours.filter((h) => h.hotel === hotel).flatMap((h) => h.lines);
const withoutTook = <T extends { took_ms?: number }>(answer: T) => ({ ...answer, took_ms: 0 });
const count = async (hotel: string) =>
  (
    await client.count({
      index: eventsIndexPattern(PREFIX),
      query: { term: { hotel_id: hotel } },
    })
  ).count;

describe.skipIf(!ELASTICSEARCH_URL)("Elasticsearch backend (ELASTICSEARCH_URL)", () => {
  beforeAll(async () => {
    if (!ELASTICSEARCH_URL) return;
    ({ client, engine } = await connectElasticsearch(ELASTICSEARCH_URL, { indexPrefix: PREFIX }));
    const elasticSink = elasticsearchEventSink(client, { indexPrefix: PREFIX, refresh: true });
    sink = elasticSink;
    store = await openStore({ kind: "pglite" });
    await store.migrate();
    for (const hotel of [1, 2]) {
      await addHotelRow(store.db, `h${hotel}`);
      await addAgentRow(store.db, {
        id: agentOf(hotel),
        hotelId: `h${hotel}`,
        enrolledAt: new Date(),
      });
    }
    for (const hour of simulatedHours({
      hotels: 2,
      eps: 10,
      startMs: START,
      count: 12_000,
      seed: 11,
    })) {
      hours.push(hour);
      await storeHour(
        store.db,
        hour,
        { hotelId: `h${hour.hotel}`, agentId: agentOf(hour.hotel) },
        64 * 1024,
      );
    }
    await appendBatch(
      store.db,
      { hotelId: "h1", agentId: agentOf(1), hourStart: new Date("2026-03-12T20:00:00Z"), part: 0 },
      0,
      encodeDataRecord({
        seq: 1_000_000,
        receivedAtUs: BigInt(Date.parse("2026-03-12T20:00:01Z")) * 1000n + 17n,
        src: "10.1.0.1",
        port: 514,
        transport: "udp",
        bytes: Buffer.from(
          "<30>Mar 12 20:00:01 otel-1-gw hotspot,info,debug İZMİR ŞUBESİ ılık karşılama",
        ),
      }),
    );
    // The same rows into PostgreSQL and Elasticsearch: the two engines answer over the same events.
    const both: EventSink = {
      kind: "postgres",
      async write(tx: RawTx, rows: readonly EventRow[]) {
        await postgresEventSink.write(tx, rows);
        await elasticSink.write(tx, rows);
        written.push(...rows);
      },
    };
    const context = {
      db: store.db,
      raw: store.raw,
      sink: both,
      partitions: new EventPartitions(store.raw),
      events: new HubEvents(() => {}),
      maxBytesPerStep: 256 * 1024,
    };
    for (const hotel of [1, 2]) while ((await indexAgentStep(context, agentOf(hotel))).more) {}
    postgres = new PostgresQueryEngine(store.raw);
    postgresLookups = new Lookups(store.raw);
    elasticLookups = new Lookups(store.raw, engine);
  }, 300_000);

  afterAll(async () => {
    if (!ELASTICSEARCH_URL) return;
    if (client) {
      const indices = await client.indices
        .get({ index: eventsIndexPattern(PREFIX) })
        .catch(() => ({}));
      const names = Object.keys(indices);
      if (names.length > 0) await client.indices.delete({ index: names });
      await client.indices.deleteIndexTemplate({ name: PREFIX }).catch(() => {});
      await client.close();
    }
    await store?.close();
  });

  const ask = (query: Record<string, unknown>) =>
    searchRequestSchema.parse({ from: FROM, to: TO, limit: 1000, ...query });

  test("every event is a document of its day's index, one per agent and seq", async () => {
    expect(await count("h1")).toBe(linesOf(1).length + 1);
    expect(await count("h2")).toBe(linesOf(2).length);
    const indices = Object.keys(await client.indices.get({ index: eventsIndexPattern(PREFIX) }));
    expect(indices).toEqual([`${PREFIX}-2026.03.12`]);
  });

  test("a step written again (a retried transaction) leaves the same documents", async () => {
    const before = await count("h1");
    await sink.write({} as RawTx, written.slice(0, 500));
    expect(await count("h1")).toBe(before);
  });

  test("a document Elasticsearch refuses fails the write", async () => {
    const bad = { ...(written[0] as EventRow), seq: 9_999_999, deviceIp: "not-an-address" };
    await expect(sink.write({} as RawTx, [bad])).rejects.toBeInstanceOf(ElasticsearchBulkError);
  });

  test("search answers what PostgreSQL answers, filter by filter", async () => {
    const lease = linesOf(1).find((line) => line.kind === "dhcp" && line.device);
    const firewall = linesOf(1).find(
      (line) => line.kind === "firewall" && line.line.includes("NAT ("),
    );
    const port = firewall?.line.match(/:(\d{4,5})->/)?.[1];
    const nat = firewall?.line.match(/NAT \([\d.]+:\d+->([\d.]+):(\d+)\)/);
    const queries: Record<string, unknown>[] = [
      {},
      { sort: "asc" },
      { ip: lease?.device?.ip },
      { ip: "10.1.0.0/16", limit: 50 },
      { mac: lease?.device?.mac },
      { port },
      { text: port },
      { nat: `${nat?.[1]}:${nat?.[2]}` },
      { datasets: "dhcp,hotspot", severity: "info" },
      { topics: "firewall" },
      { agents: agentOf(1), devices: "10.1.0.1", limit: 10 },
      { text: "İZMİR" },
      { text: "izmir -karşılama" },
      { text: "logged OR assigned -wireless" },
      { text: "assign*" },
    ];
    for (const query of queries) {
      const [fromElastic, fromPostgres] = await Promise.all([
        engine.search(scopeOne, ask(query)),
        postgres.search(scopeOne, ask(query)),
      ]);
      expect([query, fromElastic.hits.length]).toEqual([query, fromPostgres.hits.length]);
      expect(fromElastic.hits).toEqual(fromPostgres.hits);
      expect(fromElastic.next_cursor).toEqual(fromPostgres.next_cursor);
    }
    expect((await engine.search(scopeOne, ask({ text: "ızmır" }))).hits).toHaveLength(1);
  });

  test("export pages through every event with the same cursors as PostgreSQL", async () => {
    const pages = async (source: PostgresQueryEngine | ElasticsearchQueryEngine) => {
      const seen: EventHit[] = [];
      for await (const page of source.export(scopeOne, ask({ sort: "asc" }), 700))
        seen.push(...page);
      return seen;
    };
    const [fromElastic, fromPostgres] = await Promise.all([pages(engine), pages(postgres)]);
    expect(fromElastic.length).toBe(linesOf(1).length + 1);
    expect(fromElastic).toEqual(fromPostgres);
  });

  test("histogram and top values equal PostgreSQL's", async () => {
    for (const buckets of [10, 60, 500]) {
      const request = histogramRequestSchema.parse({ from: FROM, to: TO, buckets });
      expect(withoutTook(await engine.histogram(scopeOne, request))).toEqual(
        withoutTook(await postgres.histogram(scopeOne, request)),
      );
    }
    // Equal counts may come in another order (an address sorts as bytes here, as text there),
    // so a full list may end in other members of its last tie: compare what is above it.
    const settled = (values: { value: string | null; count: number }[]) => {
      const last = values.length === 100 ? (values.at(-1)?.count ?? 0) : -1;
      return values
        .filter((entry) => entry.count > last)
        .sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
    };
    for (const field of TOP_FIELDS) {
      const request = topRequestSchema.parse({ from: FROM, to: TO, field, limit: 100 });
      const [fromElastic, fromPostgres] = await Promise.all([
        engine.top(scopeOne, request),
        postgres.top(scopeOne, request),
      ]);
      expect(fromElastic.values).toHaveLength(fromPostgres.values.length);
      expect([field, settled(fromElastic.values)]).toEqual([field, settled(fromPostgres.values)]);
    }
  });

  test("context: the agent's neighbours by seq, as PostgreSQL gives them", async () => {
    const hit = (await postgres.search(scopeOne, ask({ sort: "asc", limit: 200 }))).hits[150];
    const request = contextRequestSchema.parse({
      agent: agentOf(1),
      seq: hit?.seq,
      at: hit?.received_at,
      before: 5,
      after: 4,
    });
    const around = await engine.context(scopeOne, request);
    expect(around.hit?.seq).toBe(hit?.seq as number);
    expect(around.before.map((h) => h.seq)).toEqual(
      [1, 2, 3, 4, 5].map((i) => (hit?.seq ?? 0) - 6 + i),
    );
    expect(around).toEqual(await postgres.context(scopeOne, request));
  });

  test("the 5651 lookups give the same answers with evidence from Elasticsearch", async () => {
    const leaseLine = linesOf(1).find(
      (line) => line.kind === "dhcp" && line.line.includes(" assigned "),
    );
    const at = new Date((leaseLine?.timeMs ?? 0) + 30_000).toISOString();
    const ip = lookupIpRequestSchema.parse({ ip: leaseLine?.device?.ip, at });
    const fromElastic = await elasticLookups.ip(scopeOne, ip);
    expect(fromElastic.lease?.evidence.map((line) => line.raw)[0]).toBe(leaseLine?.line as string);
    expect(fromElastic).toEqual(await postgresLookups.ip(scopeOne, ip));
    const mac = lookupMacRequestSchema.parse({ mac: leaseLine?.device?.mac, from: FROM, to: TO });
    expect(await elasticLookups.mac(scopeOne, mac)).toEqual(
      await postgresLookups.mac(scopeOne, mac),
    );
    const firewall = linesOf(1).find(
      (line) => line.kind === "firewall" && line.device && line.line.includes("NAT ("),
    );
    const nat = firewall?.line.match(/NAT \([\d.]+:\d+->([\d.]+):(\d+)\)/);
    const natRequest = lookupNatRequestSchema.parse({
      address: `${nat?.[1]}:${nat?.[2]}`,
      at: new Date((firewall?.timeMs ?? 0) + 1000).toISOString(),
    });
    const natFromElastic = await elasticLookups.nat(scopeOne, natRequest);
    expect(natFromElastic.connection?.raw).toBe(firewall?.line as string);
    const byPlace = (hits: EventHit[]) =>
      [...hits].sort((a, b) => a.received_at.localeCompare(b.received_at) || a.seq - b.seq);
    const natFromPostgres = await postgresLookups.nat(scopeOne, natRequest);
    expect({ ...natFromElastic, nearby: byPlace(natFromElastic.nearby) }).toEqual({
      ...natFromPostgres,
      nearby: byPlace(natFromPostgres.nearby),
    });
  });

  test("a scope of h1 never reads h2's documents, which are there", async () => {
    expect(await count("h2")).toBeGreaterThan(0);
    const all = await engine.search(scopeOne, ask({ limit: 1000 }));
    expect(new Set(all.hits.map((hit) => hit.hotel))).toEqual(new Set(["h1"]));
    for (const field of ["hotel", "agent"] as const) {
      const top = await engine.top(scopeOne, topRequestSchema.parse({ from: FROM, to: TO, field }));
      expect(top.values.map((value) => value.value)).toEqual([
        field === "hotel" ? "h1" : agentOf(1),
      ]);
    }
    const histogram = await engine.histogram(
      scopeOne,
      histogramRequestSchema.parse({ from: FROM, to: TO }),
    );
    expect(histogram.total).toBe(linesOf(1).length + 1);
    await expect(engine.search(scopeOne, ask({ hotels: "h2" }))).rejects.toBeInstanceOf(ScopeError);
    const theirs = linesOf(2).find(
      (line) => line.kind === "firewall" && line.line.includes("NAT ("),
    );
    const theirHit = (await engine.search(readScope(["h2"]), ask({ limit: 1 }))).hits[0];
    const foreign = await engine.context(
      scopeOne,
      contextRequestSchema.parse({
        agent: agentOf(2),
        seq: theirHit?.seq,
        at: theirHit?.received_at,
      }),
    );
    expect(foreign).toEqual({ before: [], hit: null, after: [] });
    const ref = { agent: agentOf(2), seq: theirHit?.seq ?? 0, at: theirHit?.received_at ?? FROM };
    expect(await engine.evidence(["h1"], [ref])).toEqual([]);
    expect(await engine.evidence(["h2"], [ref])).toHaveLength(1);
    const nat = theirs?.line.match(/NAT \([\d.]+:\d+->([\d.]+):(\d+)\)/);
    const question = {
      ip: nat?.[1] as string,
      port: Number(nat?.[2]),
      at: new Date((theirs?.timeMs ?? 0) + 1000),
    };
    expect(await engine.natConnections(["h1"], question)).toEqual({ candidates: [], nearby: [] });
    expect((await engine.natConnections(["h2"], question)).candidates.length).toBeGreaterThan(0);
  });

  test("remove (reindex) deletes one hotel's chunks and nothing else", async () => {
    const before = await count("h1");
    const chunks = await rawQuery<{ id: string | number }>(
      store.raw,
      "select id from chunks where hotel_id = 'h2'",
    );
    await sink.remove?.({ hotelId: "h2", chunkIds: chunks.map((chunk) => Number(chunk.id)) });
    expect(await count("h2")).toBe(0);
    expect(await count("h1")).toBe(before);
  });
});
