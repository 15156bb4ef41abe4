/**
 * The query engine and the 5651 lookups on embedded PGlite (the zero-setup
 * store; the same SQL runs on PostgreSQL in tests/index-multi-hub.test.ts):
 * two hotels of simulated traffic, indexed by the real index step.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeDataRecord, encodeGapRecord } from "../../../shared/src/custody/index.ts";
import type { SimulatedLine } from "../../../shared/src/simulate/model.ts";
import { leaseFacts } from "../../../tests/support/index-data.ts";
import { HubEvents } from "../events/index.ts";
import { EventPartitions, indexAgentStep, postgresEventSink } from "../index/index.ts";
import { type SimulatedHour, simulatedHours, storeHour } from "../index/testing.ts";
import { STOP_WORDS, stopWordBit } from "../index/words.ts";
import { addAgentRow, addHotelRow } from "../store/fixtures.ts";
import { appendBatch, openStore, rawQuery, type Store } from "../store/index.ts";
import {
  contextRequestSchema,
  type EventHit,
  freeTextIndexUsable,
  histogramRequestSchema,
  Lookups,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  PostgresQueryEngine,
  readScope,
  ScopeError,
  searchRequestSchema,
  topRequestSchema,
} from "./index.ts";
import { inReadScope } from "./scope.ts";
import { parseTextQuery, tsqueryOf } from "./text.ts";

const START = Date.parse("2026-03-12T11:30:00Z");
const FROM = "2026-03-12T11:00:00Z";
const TO = "2026-03-12T14:00:00Z";
const agentOf = (hotel: number) => `h${hotel}-agent`;

let store: Store;
let engine: PostgresQueryEngine;
let lookups: Lookups;
const hours: SimulatedHour[] = [];
const scopeOne = readScope(["h1"]);

/** A record appended to hotel 1's agent in a chunk of its own hour (Turkish text, a gap). */
async function appendExtra(hourStart: string, records: Uint8Array[]): Promise<void> {
  await appendBatch(
    store.db,
    { hotelId: "h1", agentId: agentOf(1), hourStart: new Date(hourStart), part: 0 },
    0,
    Buffer.concat(records),
  );
}

beforeAll(async () => {
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
  const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  await appendExtra("2026-03-12T20:00:00Z", [
    encodeDataRecord({
      seq: 1_000_000,
      receivedAtUs: us("2026-03-12T20:00:01Z"),
      src: "10.1.0.1",
      port: 514,
      transport: "udp",
      bytes: Buffer.from(
        "<30>Mar 12 20:00:01 otel-1-gw hotspot,info,debug İZMİR ŞUBESİ ılık karşılama",
      ),
    }),
    encodeGapRecord({
      seq: 1_000_001,
      writtenAtUs: us("2026-03-12T20:10:00Z"),
      reason: "receive_buffer_overflow",
      lost: 42,
      firstLostAtUs: us("2026-03-12T20:05:00Z"),
      lastLostAtUs: us("2026-03-12T20:06:00Z"),
    }),
  ]);
  const context = {
    db: store.db,
    raw: store.raw,
    sink: postgresEventSink,
    partitions: new EventPartitions(store.raw),
    events: new HubEvents(() => {}),
    maxBytesPerStep: 256 * 1024,
  };
  for (const hotel of [1, 2]) while ((await indexAgentStep(context, agentOf(hotel))).more) {}
  engine = new PostgresQueryEngine(store.raw);
  lookups = new Lookups(store.raw);
}, 120_000);

afterAll(async () => {
  await store?.close();
});

const linesOf = (hotel: number): SimulatedLine[] =>
  hours.filter((h) => h.hotel === hotel).flatMap((h) => h.lines);
const search = (query: Record<string, unknown>, scope = scopeOne) =>
  engine.search(scope, searchRequestSchema.parse({ from: FROM, to: TO, ...query }));
/** Every hit of a query, page after page. */
async function allHits(query: Record<string, unknown>): Promise<EventHit[]> {
  const hits: EventHit[] = [];
  let cursor: string | undefined;
  do {
    const page = await search({ limit: 1000, ...query, ...(cursor ? { cursor } : {}) });
    hits.push(...page.hits);
    cursor = page.next_cursor;
  } while (cursor);
  return hits;
}

describe("search", () => {
  test("a scope of one hotel sees only its events; asking for another hotel is refused", async () => {
    const page = await search({ limit: 1000 });
    expect(page.hits.length).toBe(1000);
    expect(new Set(page.hits.map((hit) => hit.hotel))).toEqual(new Set(["h1"]));
    expect(search({ hotels: "h2" })).rejects.toBeInstanceOf(ScopeError);
  });

  test("cursor pages are disjoint, in order, and together are every event", async () => {
    const seen = (await allHits({ limit: 700, sort: "asc" })).map((hit) => hit.seq);
    expect(seen.length).toBe(linesOf(1).length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });

  test("an IP filter finds the lines of that address, with their evidence place", async () => {
    const lease = linesOf(1).find(
      (line) => line.kind === "dhcp" && line.line.includes(" assigned "),
    );
    const ip = lease?.device?.ip as string;
    const page = await search({ ip, limit: 50 });
    expect(page.hits.length).toBeGreaterThan(0);
    for (const hit of page.hits) {
      expect([hit.src_ip, hit.dst_ip, hit.nat_ip]).toContain(ip);
      expect(hit.chunk).toMatch(/^2026-03-12T1\d$/);
      expect(hit.received_at).toMatch(/\.\d{6}Z$/);
      expect(hit.received_at_istanbul).toMatch(/\+03:00$/);
    }
  });

  test("a CIDR filter finds exactly the lines with an address inside it, at its edges too", async () => {
    const addresses = (hit: EventHit) =>
      [hit.src_ip, hit.dst_ip, hit.nat_ip].filter((ip): ip is string => Boolean(ip));
    const guest = linesOf(1).find(
      (line) => line.kind === "dhcp" && line.line.includes(" assigned "),
    )?.device?.ip as string;
    const prefix = `${guest.split(".").slice(0, 3).join(".")}.`;
    const all = await allHits({});
    const expected = all.filter((hit) => addresses(hit).some((ip) => ip.startsWith(prefix)));
    expect(expected.length).toBeGreaterThan(0);
    // As people write it: a block named by any of its addresses.
    for (const block of [`${prefix}0/24`, `${guest}/24`]) {
      const found = await allHits({ ip: block });
      expect(found.map((hit) => hit.seq)).toEqual(expected.map((hit) => hit.seq));
    }
    // The first and last address of the range are in it; the neighbours outside are not.
    for (const [ip, found] of [
      [`${prefix}0/32`, (a: string) => a === `${prefix}0`],
      [`${guest}/32`, (a: string) => a === guest],
      [`${prefix}255/31`, (a: string) => a === `${prefix}254` || a === `${prefix}255`],
    ] as const) {
      const hits = await allHits({ ip });
      expect(hits.length).toBe(all.filter((hit) => addresses(hit).some(found)).length);
    }
  });

  test("hostile free text is only ever a search: every string parses and runs, none is an error", async () => {
    const hostile = [
      "'",
      "''",
      "\\",
      "\\'",
      "a'b",
      "') or 1=1 --",
      "!!!",
      "(",
      ")",
      "a | | b",
      "OR",
      "OR OR",
      "-",
      "--",
      "*",
      "-a*",
      '"',
      '"a b',
      "a OR",
      "OR a",
      "İ'Ş",
      "a&b",
      "a:*",
      ":*",
      "😀",
      "x".repeat(400),
      // Through the stop words' bits (hub/src/index/words.ts STOP_WORDS) too.
      "tcp') or 1=1 --",
      "-in OR 'out",
      "i*",
      '"src-mac\\"',
    ];
    for (const text of hostile) {
      const page = await search({ text, limit: 1 });
      expect([text, Array.isArray(page.hits)]).toEqual([text, true]);
    }
  });

  test("a host filter finds the device's lines by the name it writes", async () => {
    const own = await search({ host: "otel-1-gw", limit: 5 });
    expect(own.hits.length).toBe(5);
    for (const hit of own.hits) expect(hit.host).toBe("otel-1-gw");
    expect((await search({ host: "otel-2-gw" })).hits).toEqual([]);
  });

  test("free text folds Turkish: İZMİR, izmir and ızmır find the same line; numbers match as substrings", async () => {
    const wide = { from: "2026-03-12T19:00:00Z", to: "2026-03-12T21:00:00Z" };
    for (const text of ["İZMİR", "izmir", "ızmır", "IZMIR", "subesi karsılama"]) {
      const page = await search({ ...wide, text });
      expect([text, page.hits.length]).toEqual([text, 1]);
    }
    expect((await search({ ...wide, text: "izmir -karşılama" })).hits.length).toBe(0);
    const port = linesOf(1)
      .find((line) => line.kind === "firewall")
      ?.line.match(/:(\d{4,5})->/)?.[1];
    const hits = (await search({ text: port, limit: 5 })).hits;
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(hit.raw).toContain(port as string);
  });

  test("stop words are found by their bits, and rows indexed before 0016 by their words", async () => {
    // What a row says, all words together, and PostgreSQL's own tsquery over it: the answer
    // the split into `words` and `stop_words` must keep.
    const allWords = `coalesce(e.words, ''::tsvector) || array_to_tsvector(array(
      select w from unnest($2::text[]) with ordinality as s(w, i) where e.stop_words & (1 << (i::int - 1)) <> 0))`;
    const expected = async (text: string) => {
      const tsquery = tsqueryOf(parseTextQuery(text).clauses);
      const rows = await rawQuery<{ seq: string }>(
        store.raw,
        `select e.seq from events e join hotels h on h.key = e.hotel_key
          where h.id = 'h1' and e.received_at >= $3 and e.received_at < $4 and e.words is not null
            and (${allWords}) @@ $1::tsquery
          order by e.received_at desc, e.seq desc`,
        [tsquery, STOP_WORDS, FROM, TO],
      );
      return rows.map((row) => Number(row.seq));
    };
    const [firewall] = await rawQuery<{ words: string; stop_words: number }>(
      store.raw,
      "select words::text, stop_words from events where raw like '%proto TCP%' limit 1",
    );
    expect(firewall?.words).not.toContain("'proto'");
    expect(firewall?.stop_words).toBe(
      (firewall?.stop_words ?? 0) | stopWordBit("proto") | stopWordBit("tcp") | stopWordBit("len"),
    );
    const texts = [
      "tcp",
      "proto",
      "-tcp",
      "tcp OR wireless",
      "src*",
      "conn*",
      '"logged in"',
      "nat-guest udp",
      "nat-guest -udp",
      "-nat-guest tcp OR udp",
      "connected",
    ];
    const check = async () => {
      for (const text of texts) {
        const want = await expected(text);
        const got = (await allHits({ text })).map((hit) => hit.seq);
        expect([text, got.length, got]).toEqual([text, want.length, want]);
      }
    };
    await check();
    expect((await expected("tcp")).length).toBeGreaterThan(100);
    expect((await expected("-tcp")).length).toBeGreaterThan(100);
    // Half the rows as migration 0016 found them: every word in `words`, no bit set.
    const old = `where seq % 2 = 0 and stop_words <> 0`;
    await rawQuery(
      store.raw,
      `update events e set words = ${allWords.replace("$2", "$1")}, stop_words = 0 ${old}`,
      [STOP_WORDS],
    );
    await check();
    await rawQuery(
      store.raw,
      `update events e set words = ts_delete(e.words, $1::text[]),
         stop_words = (select coalesce(sum(1 << (i::int - 1)), 0) from unnest($1::text[]) with ordinality as s(w, i)
                        where w = any(tsvector_to_array(e.words)))
       where seq % 2 = 0 and stop_words = 0 and tsvector_to_array(e.words) && $1::text[]`,
      [STOP_WORDS],
    );
    await check();
  }, 60_000);

  test("a histogram without filters sums the per-minute counts and equals counting the events, at any edges", async () => {
    const times = (
      await rawQuery<{ at: string }>(
        store.raw,
        `select to_char(e.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
           from events e join hotels h on h.key = e.hotel_key where h.id = 'h1'`,
      )
    ).map((row) => Date.parse(row.at));
    const expected = (fromMs: number, toMs: number, intervalMs: number) => {
      const counts = new Map<number, number>();
      for (const at of times) {
        if (at < fromMs || at >= toMs) continue;
        const bucket = Math.floor(at / intervalMs) * intervalMs;
        counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      }
      return counts;
    };
    const minutes = await rawQuery<{ n: string }>(
      store.raw,
      "select sum(count)::text as n from event_minutes where hotel_id = 'h1'",
    );
    expect(Number(minutes[0]?.n)).toBe(times.length);
    for (const [from, to, buckets] of [
      [FROM, TO, 60],
      ["2026-03-12T11:31:17.250Z", "2026-03-12T11:52:41.900Z", 20],
      ["2026-03-12T11:40:00.000Z", "2026-03-12T11:40:50.000Z", 10],
      ["2026-03-12T11:00:10.500Z", "2026-03-12T13:59:59.999Z", 10],
    ] as const) {
      const answer = await engine.histogram(
        scopeOne,
        histogramRequestSchema.parse({ from, to, buckets, agents: agentOf(1) }),
      );
      const want = expected(Date.parse(from), Date.parse(to), answer.interval_ms);
      for (const bucket of answer.buckets)
        expect([bucket.start, bucket.count]).toEqual([
          bucket.start,
          want.get(Date.parse(bucket.start)) ?? 0,
        ]);
      expect(answer.total).toBe([...want.values()].reduce((a, b) => a + b, 0));
    }
    // Another hotel's agent in the filter finds nothing in hotel 1's scope.
    const foreign = await engine.histogram(
      scopeOne,
      histogramRequestSchema.parse({ from: FROM, to: TO, agents: agentOf(2) }),
    );
    expect(foreign.total).toBe(0);
  });

  test("top hotels and agents from the per-minute counts equal counting the events, at any edges, in scope", async () => {
    const both = readScope(["h1", "h2"]);
    for (const [from, to] of [
      [FROM, TO],
      ["2026-03-12T11:31:17.250Z", "2026-03-12T11:52:41.900Z"],
      ["2026-03-12T11:40:00.000Z", "2026-03-12T11:40:50.000Z"],
      ["2026-03-12T11:00:10.500Z", "2026-03-12T13:59:59.999Z"],
    ] as const) {
      for (const field of ["hotel", "agent"] as const) {
        const column = field === "hotel" ? "h.id" : "e.agent_id";
        const want = await rawQuery<{ value: string; count: string }>(
          store.raw,
          `select ${column} as value, count(*)::text as count from events e join hotels h on h.key = e.hotel_key
            where e.received_at >= $1::timestamptz and e.received_at < $2::timestamptz
            group by 1 order by 2 desc, 1`,
          [from, to],
        );
        const answer = await engine.top(both, topRequestSchema.parse({ from, to, field }));
        expect(answer.values).toEqual(
          want.map((row) => ({ value: row.value, count: Number(row.count) })),
        );
        // Hotel 1's scope counts hotel 1 alone, with or without hotel 2's agent asked for.
        const one = await engine.top(scopeOne, topRequestSchema.parse({ from, to, field }));
        expect(one.values).toEqual(
          want
            .filter((row) => row.value === (field === "hotel" ? "h1" : agentOf(1)))
            .map((row) => ({ value: row.value, count: Number(row.count) })),
        );
        const foreign = await engine.top(
          scopeOne,
          topRequestSchema.parse({ from, to, field, agents: agentOf(2) }),
        );
        expect(foreign.values).toEqual([]);
      }
    }
  });

  test("histogram buckets add up to the count, top values are sorted, context is the agent's neighbours", async () => {
    const histogram = await engine.histogram(
      scopeOne,
      histogramRequestSchema.parse({ from: FROM, to: TO }),
    );
    expect(histogram.interval_ms).toBe(300_000);
    expect(histogram.total).toBe(linesOf(1).length);
    const top = await engine.top(
      scopeOne,
      topRequestSchema.parse({ from: FROM, to: TO, field: "dataset" }),
    );
    const counts = top.values.map((value) => value.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(top.values[0]?.value).toBe("firewall");
    const hit = (await search({ limit: 1, sort: "asc" })).hits[0];
    const middle = (await search({ limit: 1, sort: "asc", cursor: undefined, text: undefined }))
      .hits[0];
    expect(hit && middle).toBeTruthy();
    const around = await engine.context(
      scopeOne,
      contextRequestSchema.parse({
        agent: agentOf(1),
        seq: 100,
        at: hit?.received_at,
        before: 3,
        after: 2,
      }),
    );
    expect(around.before.map((h) => h.seq)).toEqual([97, 98, 99]);
    expect(around.hit?.seq).toBe(100);
    expect(around.after.map((h) => h.seq)).toEqual([101, 102]);
    const foreign = await engine.context(
      scopeOne,
      contextRequestSchema.parse({ agent: agentOf(2), seq: 100, at: hit?.received_at }),
    );
    expect(foreign).toEqual({ before: [], hit: null, after: [] });
  });

  test("the read role sees only the scope's rows whatever the SQL asks", async () => {
    const tables = [
      "events",
      "event_minutes",
      "leases",
      "hotspot_sessions",
      "devices",
      "chunks",
      "agents",
      "hotels",
    ];
    for (const table of tables) {
      const rows = await inReadScope(store.raw, scopeOne, (tx) =>
        tx.query<{ hotel: string }>(
          table === "events"
            ? // A row of a hotel the read role cannot see shows as its key, not dropped by a join.
              `select distinct coalesce((select h.id from hotels h where h.key = e.hotel_key), 'key ' || e.hotel_key) as hotel
                 from events e`
            : `select distinct ${table === "hotels" ? "id" : "hotel_id"} as hotel from ${table}`,
        ),
      );
      expect([table, rows.map((row) => row.hotel)]).toEqual([table, ["h1"]]);
    }
  });

  test("a read transaction compiles nothing: JIT is off in it", async () => {
    const inside = await inReadScope(store.raw, scopeOne, (tx) =>
      tx.query<{ jit: string }>("show jit"),
    );
    expect(inside[0]?.jit).toBe("off");
  });

  test("top addresses counted from the indexes alone equal counting the rows, the rows without one too", async () => {
    const counted = (field: string, hotels: string[]) =>
      rawQuery<{ value: string | null; count: number }>(
        store.raw,
        `select host(e.${field}) as value, count(*)::int as count from events e join hotels h on h.key = e.hotel_key
          where h.id = any($1::text[]) and e.received_at >= $2::timestamptz and e.received_at < $3::timestamptz
          group by 1 order by 2 desc, 1 limit 10`,
        [hotels, FROM, TO],
      );
    for (const field of ["src_ip", "dst_ip", "nat_ip"] as const) {
      const hotelOne = await counted(field, ["h1"]);
      expect(hotelOne.some((row) => row.value === null)).toBe(true);
      for (const hotels of [["h1"], ["h1", "h2"]]) {
        const want = await counted(field, hotels);
        expect(want.length).toBeGreaterThan(1);
        const answer = await engine.top(
          readScope(hotels),
          topRequestSchema.parse({ from: FROM, to: TO, field }),
        );
        expect(answer.values).toEqual(want);
        // With a filter beyond hotels and time the rows are read: hotel 1's agent, hotel 1's counts.
        const filtered = await engine.top(
          readScope(hotels),
          topRequestSchema.parse({ from: FROM, to: TO, field, agents: agentOf(1) }),
        );
        expect(filtered.values).toEqual(hotelOne);
      }
    }
  });

  test("an event row names its hotel by key alone, and the read policy holds it to that key", async () => {
    // Migration 0015: no slug beside the key that could disagree with it.
    const columns = await rawQuery<{ name: string }>(
      store.raw,
      "select column_name as name from information_schema.columns where table_name = 'events'",
    );
    expect(columns.map((column) => column.name)).toContain("hotel_key");
    expect(columns.map((column) => column.name)).not.toContain("hotel_id");
    // Each hit names its hotel from its chunk, the chunk the row points at (the same hotel).
    const mismatched = await rawQuery<{ n: number }>(
      store.raw,
      `select count(*)::int as n from events e join chunks c on c.id = e.chunk_id
         join hotels h on h.key = e.hotel_key where c.hotel_id <> h.id`,
    );
    expect(mismatched[0]?.n).toBe(0);
    // Asked for every key but its own, with no hotel condition of the code's, h2's read role sees nothing.
    const others = await inReadScope(store.raw, readScope(["h2"]), (tx) =>
      tx.query<{ n: number }>(
        "select count(*)::int as n from events where hotel_key <> (select key from hotels where id = 'h2')",
      ),
    );
    expect(others[0]?.n).toBe(0);
    const own = await inReadScope(store.raw, readScope(["h2"]), (tx) =>
      tx.query<{ n: number }>("select count(*)::int as n from events"),
    );
    expect(own[0]?.n).toBeGreaterThan(0);
  });

  test("free text and address filters may use their indexes under the read role's policy", async () => {
    // Migrations run as a superuser here (PGlite, and the test services' PostgreSQL). Whether
    // the planner then takes the GIN index depends on sizes: bench/query.ts --explain shows it.
    expect(await freeTextIndexUsable(store.raw)).toBe(true);
    const planOf = (condition: string) =>
      inReadScope(store.raw, scopeOne, async (tx) => {
        await tx.query("set local enable_seqscan = off");
        const plan = await tx.query<{ "QUERY PLAN": string }>(
          `explain select 1 from events e where ${condition}`,
        );
        return plan.map((row) => row["QUERY PLAN"]).join("\n");
      });
    expect(await planOf("e.dst_ip = '192.0.2.250'::inet")).toContain("dst_ip_received_at_idx");
    expect(await planOf("e.src_ip between '192.0.2.0'::inet and '192.0.2.255'::inet")).toContain(
      "src_ip_received_at_idx",
    );
  });
});

describe("5651 lookups", () => {
  /** A lease of hotel 1 that both started and ended in the data, and a time inside it. */
  function knownLease() {
    const lines = linesOf(1);
    for (const start of lines) {
      if (start.kind !== "dhcp" || !start.line.includes(" assigned ") || !start.device) continue;
      const end = lines.find(
        (line) =>
          line.timeMs > start.timeMs &&
          line.kind === "dhcp" &&
          line.line.includes(` deassigned ${start.device?.ip} `),
      );
      if (end && end.timeMs - start.timeMs > 60_000)
        return { start, end, device: start.device, at: start.timeMs + 30_000 };
    }
    throw new Error("no complete lease in the simulation");
  }

  test("ip at T: the lease in force, its MAC and name, the hotspot user, with evidence lines", async () => {
    const { start, end, device, at } = knownLease();
    const answer = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({ ip: device.ip, at: new Date(at).toISOString() }),
    );
    expect(answer.mac).toBe(device.mac.toLowerCase());
    expect(answer.lease?.from.utc.slice(0, 19)).toBe(
      new Date(start.timeMs).toISOString().slice(0, 19),
    );
    expect(answer.lease?.to?.utc.slice(0, 19)).toBe(
      new Date(end.timeMs).toISOString().slice(0, 19),
    );
    expect(answer.lease?.evidence.map((line) => line.raw)).toEqual([start.line, end.line]);
    for (const line of answer.lease?.evidence ?? []) {
      expect(line).toMatchObject({ hotel: "h1", agent: agentOf(1) });
      expect(line.chunk).toMatch(/^2026-03-12T\d\d$/);
      expect(line.seq).toBeGreaterThan(0);
    }
    expect(answer.no_match).toEqual([]);
    // Istanbul is UTC+3 all year.
    const local = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({
        ip: device.ip,
        at: new Date(at + 3 * 3_600_000).toISOString().replace("Z", "+03:00"),
      }),
    );
    expect(local.lease?.mac).toBe(answer.lease?.mac);
  });

  test("mac over a range: every address and session it had", async () => {
    const { device } = knownLease();
    const answer = await lookups.mac(
      scopeOne,
      lookupMacRequestSchema.parse({ mac: device.mac, from: FROM, to: TO }),
    );
    expect(answer.leases.map((lease) => lease.ip)).toContain(device.ip);
    for (const lease of answer.leases) expect(lease.mac).toBe(device.mac.toLowerCase());
  });

  test("nat: the public port at T leads to the internal address and the device", async () => {
    const nat = linesOf(1).find(
      (line) => line.kind === "firewall" && line.device && line.line.includes("NAT ("),
    );
    const match = nat?.line.match(/NAT \(([\d.]+):(\d+)->([\d.]+):(\d+)\)/);
    const answer = await lookups.nat(
      scopeOne,
      lookupNatRequestSchema.parse({
        address: `${match?.[3]}:${match?.[4]}`,
        at: new Date((nat?.timeMs ?? 0) + 1000).toISOString(),
      }),
    );
    expect(answer.internal).toEqual({ ip: match?.[1] as string, port: Number(match?.[2]) });
    expect(answer.connection?.raw).toBe(nat?.line as string);
    expect(answer.device?.mac).toBe(nat?.device?.mac.toLowerCase() as string);
    expect(answer.evidence[0]?.raw).toBe(nat?.line as string);
  });

  test("nothing found says why: no data for the hour, a recorded gap, no lease", async () => {
    const before = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({ ip: "10.1.1.1", at: "2026-03-12T06:00:00Z" }),
    );
    expect(before.no_match.map((why) => why.reason)).toEqual(["no_data"]);
    const gap = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({ ip: "10.1.200.200", at: "2026-03-12T20:05:30Z" }),
    );
    expect(gap.no_match.map((why) => why.reason)).toEqual(["gap", "no_lease"]);
    expect(gap.no_match[0]?.message).toContain("42 lost datagrams");
    const never = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({ ip: "10.1.200.200", at: "2026-03-12T11:40:00Z" }),
    );
    expect(never.no_match.map((why) => why.reason)).toEqual(["no_lease"]);
    // Just after a lease ended: the last lease's MAC is another device's, so it is a field a
    // disclosure can leave out, never part of the message.
    const facts = leaseFacts(linesOf(1));
    const ended = facts.find(
      (fact) =>
        fact.toMs !== undefined &&
        !facts.some(
          (other) =>
            other.ip === fact.ip &&
            other.fromMs >= (fact.toMs as number) &&
            other.fromMs <= (fact.toMs as number) + 2000,
        ),
    );
    if (!ended?.toMs) throw new Error("the simulation ended no lease");
    const after = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({ ip: ended.ip, at: new Date(ended.toMs + 1000).toISOString() }),
    );
    const why = after.no_match.find((reason) => reason.reason === "no_lease");
    expect(why?.previous_lease?.mac).toBe(ended.mac.toLowerCase());
    expect(why?.message.toLowerCase()).not.toContain(ended.mac.toLowerCase());
  });

  test("another hotel's guest is not found from this hotel's scope", async () => {
    const theirs = linesOf(2).find((line) => line.kind === "dhcp" && line.device);
    const answer = await lookups.ip(
      scopeOne,
      lookupIpRequestSchema.parse({
        ip: theirs?.device?.ip,
        at: new Date((theirs?.timeMs ?? 0) + 1000).toISOString(),
      }),
    );
    expect(answer.lease).toBeNull();
    const byMac = await lookups.mac(
      scopeOne,
      lookupMacRequestSchema.parse({ mac: theirs?.device?.mac, from: FROM, to: TO }),
    );
    expect(byMac.leases).toEqual([]);
  });
});
