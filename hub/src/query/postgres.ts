/**
 * The query engine on PostgreSQL (and PGlite): every query is one statement
 * run as the read role in the caller's scope. Filters become conditions on
 * the typed columns that the indexes of `events` serve (docs/decisions.md
 * "Event indexes"); free text goes to the GIN index over `words` and, for
 * RouterOS's stop words, to the bits of `stop_words` ("Free text").
 */
import { stopWordBit, stopWordPrefixBits } from "../index/words.ts";
import { type RawClient, type RawTx, rawQuery, type Statement } from "../store/index.ts";
import { decodeCursor, exportPages, histogramBuckets, pageOf, type QueryEngine } from "./engine.ts";

export { type Cursor, CursorError, decodeCursor, encodeCursor } from "./engine.ts";

import type {
  ContextRequest,
  EventFilter,
  HistogramRequest,
  SearchRequest,
  TopField,
  TopRequest,
} from "./request.ts";
import type {
  ContextResponse,
  EventHit,
  HistogramResponse,
  SearchResponse,
  TopResponse,
} from "./response.ts";
import {
  codeScopeFilter,
  eventHotelIn,
  hotelIn,
  hotelKeys,
  inReadScope,
  narrowScope,
  type ReadScope,
} from "./scope.ts";
import { parseTextQuery, renderClause, tsqueryOf, type WordClause } from "./text.ts";
import { istanbulTime, utcText } from "./time.ts";

/** Builds a parameter list as conditions are added: `p(value)` is its `$n`. */
class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  and(condition: string): void {
    this.where.push(condition);
  }
  get conditions(): string {
    return this.where.join(" and ");
  }
}

/**
 * The condition "this column holds the address, or an address in the CIDR".
 * Under row-level security only leakproof operators may use an index, and
 * inet's `<<=` is not: a CIDR is also asked as the range between its first
 * and last address (`>=`/`<=` are leakproof; the stored addresses are
 * hosts), with `<<=` kept as the exact test of what the range found.
 */
function ipMatch(sql: Sql, ip: string): (column: string) => string {
  if (!ip.includes("/")) {
    const address = `${sql.p(ip)}::inet`;
    return (column) => `${column} = ${address}`;
  }
  // inet, not cidr: `10.1.1.5/24` means its /24, as people write it (cidr refuses host bits).
  const block = `${sql.p(ip)}::inet`;
  return (column) =>
    `(${column} between host(network(${block}))::inet and host(broadcast(${block}))::inet and ${column} <<= ${block})`;
}

/** What a superuser runs once so free text uses its index under the read role's policy. */
export const FREE_TEXT_INDEX_FIX =
  "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF; -- as a superuser, in the hub's database";

/**
 * Whether free text can use the GIN index of `words` under row-level
 * security: only when `tsvector @@ tsquery` is leakproof (migration 0007
 * marks it when it runs as a superuser; docs/decisions.md).
 *
 * @example
 * if (!(await freeTextIndexUsable(store.raw))) events.emit({ name: "FreeTextIndexUnused", fix: FREE_TEXT_INDEX_FIX });
 */
export async function freeTextIndexUsable(raw: RawClient): Promise<boolean> {
  const [row] = await rawQuery<{ leakproof: boolean }>(
    raw,
    "select proleakproof as leakproof from pg_proc where oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure",
  );
  return row?.leakproof === true;
}

/** The conditions of a filter, on `events e`, for the hotels of the scope (their keys, {@link hotelKeys}). */
export function filterConditions(sql: Sql, filter: EventFilter, keys: readonly number[]): void {
  sql.and(eventHotelIn("e", sql.p(keys)));
  // Typed, not cast from text: the planner prunes the day partitions with them (a cast is
  // evaluated at run time, after planning touched every partition). Millisecond values, so
  // postgres.js's Date serialisation loses nothing here.
  sql.and(`e.received_at >= ${sql.p(filter.from.toISOString())}::timestamptz`);
  sql.and(`e.received_at < ${sql.p(filter.to.toISOString())}::timestamptz`);
  if (filter.agents?.length) sql.and(`e.agent_id = any(${sql.p(filter.agents)}::text[])`);
  if (filter.devices?.length) sql.and(`e.device_ip = any(${sql.p(filter.devices)}::inet[])`);
  if (filter.severity !== undefined) sql.and(`e.severity <= ${sql.p(filter.severity)}`);
  if (filter.topics?.length) sql.and(`e.topics && ${sql.p(filter.topics)}::text[]`);
  if (filter.datasets?.length) sql.and(`e.dataset = any(${sql.p(filter.datasets)}::text[])`);
  if (filter.ip) {
    const match = ipMatch(sql, filter.ip);
    sql.and(`(${match("e.src_ip")} or ${match("e.dst_ip")} or ${match("e.nat_ip")})`);
  }
  if (filter.mac) sql.and(`e.src_mac = ${sql.p(filter.mac)}::macaddr`);
  if (filter.port !== undefined) {
    const port = sql.p(filter.port);
    sql.and(`(e.src_port = ${port} or e.dst_port = ${port} or e.nat_port = ${port})`);
  }
  if (filter.user) sql.and(`e.user_name = ${sql.p(filter.user)}`);
  if (filter.host) sql.and(`e.host = ${sql.p(filter.host)}`);
  if (filter.nat) {
    sql.and(`e.nat_ip = ${sql.p(filter.nat.ip)}::inet`);
    if (filter.nat.port !== undefined) sql.and(`e.nat_port = ${sql.p(filter.nat.port)}`);
  }
  if (filter.text?.trim()) {
    const text = parseTextQuery(filter.text);
    wordConditions(sql, text.clauses);
    for (const part of text.contains) sql.and(`strpos(lower(e.raw), ${sql.p(part)}) > 0`);
    for (const part of text.excludes) sql.and(`strpos(lower(e.raw), ${sql.p(part)}) = 0`);
  }
}

/** The bits of the stop words a word clause matches (a prefix may match several). */
const stopBitsOf = (term: { word: string; prefix: boolean }) =>
  term.prefix ? stopWordPrefixBits(term.word) : stopWordBit(term.word);

/** Does a clause name a stop word (a prefix that matches one counts)? */
function namesStopWord(clause: WordClause): boolean {
  if ("word" in clause) return stopBitsOf(clause) !== 0;
  if ("not" in clause) return namesStopWord(clause.not);
  return ("all" in clause ? clause.all : clause.any).some(namesStopWord);
}

/**
 * A clause over the words and the stop words' bits. A word matches when it
 * is in `words` (every row of a word indexed before migration 0016, and any
 * word not in STOP_WORDS) or when its bit is set.
 */
function stopWordCondition(sql: Sql, clause: WordClause): string {
  if ("word" in clause) {
    const bits = stopBitsOf(clause);
    const inWords = `coalesce(e.words @@ ${sql.p(renderClause(clause))}::tsquery, false)`;
    return bits === 0 ? inWords : `((e.stop_words & ${bits}) <> 0 or ${inWords})`;
  }
  if ("not" in clause) return `not ${stopWordCondition(sql, clause.not)}`;
  const parts = ("all" in clause ? clause.all : clause.any).map((c) => stopWordCondition(sql, c));
  return `(${parts.join("all" in clause ? " and " : " or ")})`;
}

/**
 * Free text's words: the clauses that name no stop word as one tsquery the
 * GIN over `words` serves, the others through the stop words' bits (after
 * the index narrowed the rows, or in time order when every clause names
 * one). Either way only lines that have words match, as before.
 */
function wordConditions(sql: Sql, query: readonly WordClause[]): void {
  // A phrase's words are clauses of their own: `"logged in"` can use the index for `logged`.
  const clauses = query.flatMap((clause) => ("all" in clause ? clause.all : [clause]));
  const stopped = clauses.filter(namesStopWord);
  const indexed = clauses.filter((clause) => !stopped.includes(clause));
  if (indexed.length > 0) sql.and(`e.words @@ ${sql.p(tsqueryOf(indexed))}::tsquery`);
  else if (clauses.length > 0) sql.and("e.words is not null");
  for (const clause of stopped) sql.and(stopWordCondition(sql, clause));
}

/** The chunk id text of `chunks c` (docs/custody-format.md). */
const CHUNK_ID = `to_char(c.hour_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24') || case when c.part > 0 then '.' || c.part else '' end`;

/** The select list of an event hit, over `events e join chunks c`. */
export const HIT_COLUMNS = `${utcText("e.received_at")} as received_at, c.hotel_id, e.agent_id,
  ${CHUNK_ID} as chunk, e.seq, host(e.device_ip) as device, ${utcText("e.logged_at")} as logged_at,
  e.host, e.severity, e.dataset, e.topics, e.action, host(e.src_ip) as src_ip, e.src_port,
  e.src_mac::text as src_mac, host(e.dst_ip) as dst_ip, e.dst_port, host(e.nat_ip) as nat_ip,
  e.nat_port, e.protocol, e.user_name, e.raw`;

type HitRow = Record<string, unknown>;

const numberOrNull = (value: unknown) =>
  value === null || value === undefined ? null : Number(value);
const textOrNull = (value: unknown) =>
  value === null || value === undefined ? null : String(value);

export function hitOf(row: HitRow): EventHit {
  const receivedAt = String(row.received_at);
  return {
    received_at: receivedAt,
    received_at_istanbul: istanbulTime(receivedAt),
    hotel: String(row.hotel_id),
    agent: String(row.agent_id),
    chunk: String(row.chunk),
    seq: Number(row.seq),
    device: String(row.device),
    logged_at: textOrNull(row.logged_at),
    host: textOrNull(row.host),
    severity: numberOrNull(row.severity),
    dataset: textOrNull(row.dataset),
    topics: (row.topics as string[] | null) ?? null,
    action: textOrNull(row.action),
    src_ip: textOrNull(row.src_ip),
    src_port: numberOrNull(row.src_port),
    src_mac: textOrNull(row.src_mac),
    dst_ip: textOrNull(row.dst_ip),
    dst_port: numberOrNull(row.dst_port),
    nat_ip: textOrNull(row.nat_ip),
    nat_port: numberOrNull(row.nat_port),
    protocol: textOrNull(row.protocol),
    user: textOrNull(row.user_name),
    raw: String(row.raw),
  };
}

/** Readable bucket widths, ms: the histogram picks the first that gives at most the asked-for count. */
const INTERVALS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000,
  21_600_000, 43_200_000, 86_400_000, 604_800_000,
];

export function histogramInterval(fromMs: number, toMs: number, buckets: number): number {
  const span = toMs - fromMs;
  return INTERVALS_MS.find((ms) => span / ms <= buckets) ?? (INTERVALS_MS.at(-1) as number);
}

const TOP_COLUMN: Record<TopField, string> = {
  hotel: "e.hotel_key",
  agent: "e.agent_id",
  device: "host(e.device_ip)",
  host: "e.host",
  severity: "e.severity::text",
  dataset: "e.dataset",
  action: "e.action",
  src_ip: "host(e.src_ip)",
  src_mac: "e.src_mac::text",
  dst_ip: "host(e.dst_ip)",
  dst_port: "e.dst_port::text",
  nat_ip: "host(e.nat_ip)",
  protocol: "e.protocol",
  user: "e.user_name",
};

const MINUTE_MS = 60_000;

/** The filters a per-minute count can answer: hotels, agents and the time range, nothing else. */
function countsByMinute(filter: EventFilter): boolean {
  return (
    !filter.devices?.length &&
    filter.severity === undefined &&
    !filter.topics?.length &&
    !filter.datasets?.length &&
    filter.ip === undefined &&
    filter.mac === undefined &&
    filter.port === undefined &&
    filter.user === undefined &&
    filter.host === undefined &&
    filter.nat === undefined &&
    !filter.text?.trim()
  );
}

/**
 * The whole minutes of a histogram's range that `event_minutes` can count
 * (hub/src/index/derive.ts): only without filters beyond hotels and agents,
 * and only when a bucket is whole minutes (each minute then falls in one
 * bucket). Undefined: count the events.
 */
export function minuteSpan(
  request: HistogramRequest,
  intervalMs: number,
): { fromMs: number; toMs: number } | undefined {
  if (intervalMs % MINUTE_MS !== 0 || !countsByMinute(request)) return undefined;
  return wholeMinutes(request.from, request.to);
}

/** The whole minutes inside `[from, to)`, or undefined when there is none. */
function wholeMinutes(from: Date, to: Date): { fromMs: number; toMs: number } | undefined {
  const fromMs = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS;
  const toMs = Math.floor(to.getTime() / MINUTE_MS) * MINUTE_MS;
  return fromMs < toMs ? { fromMs, toMs } : undefined;
}

/** Ties in a top list in the database's order for hotel and agent ids (ASCII: byte order). */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The top fields `event_minutes` can count (its own columns), as its column names. */
const MINUTE_TOP_COLUMN: Partial<Record<TopField, string>> = {
  hotel: "hotel_id",
  agent: "agent_id",
};

type ValueCount = { value: string | null; count: string | number };

/**
 * The address columns whose btree leads `(hotel_key, column, …, received_at)`
 * (migration 0013): counted from the index alone when nothing but hotels and
 * time is asked.
 */
const INDEXED_ADDRESS: Partial<Record<TopField, string>> = {
  src_ip: "e.src_ip",
  dst_ip: "e.dst_ip",
  nat_ip: "e.nat_ip",
};

/** Events per value of `field`, the `limit` most frequent (ties by value), or all without a limit. */
function countValues(
  tx: RawTx,
  filter: EventFilter,
  keys: readonly number[],
  field: TopField,
  limit?: number,
): Promise<ValueCount[]> {
  const sql = new Sql();
  filterConditions(sql, filter, keys);
  const limited = limit === undefined ? "" : ` limit ${sql.p(limit)}`;
  const address = INDEXED_ADDRESS[field];
  if (address && countsByMinute(filter) && !filter.agents?.length) {
    // Every column named is in the address's index and in (hotel_key, received_at), and the
    // read policy tests hotel_key (0014): two index-only scans instead of reading each row
    // from the heap (bench/query.ts top_30d). Rows without the address are the rest of the count.
    return tx.query<ValueCount>(
      `with counted as (
         select ${address} as address, count(*) as n from events e
          where ${sql.conditions} and ${address} is not null group by 1)
       select * from (
         select host(address) as value, n as count from counted
         union all
         select null, (select count(*) from events e where ${sql.conditions})
                      - (select coalesce(sum(n), 0) from counted)) as v
        where count > 0 order by 2 desc, 1${limited}`,
      sql.params,
    );
  }
  if (field === "hotel") {
    // An event names its hotel by key: counted by key, named after (the read role sees its scope's hotels).
    return tx.query<ValueCount>(
      `select h.id as value, v.count from (
         select ${TOP_COLUMN.hotel} as key, count(*) as count from events e where ${sql.conditions} group by 1) as v
         join hotels h on h.key = v.key
        order by v.count desc, h.id collate "C"${limited}`,
      sql.params,
    );
  }
  return tx.query<ValueCount>(
    `select ${TOP_COLUMN[field]} as value, count(*) as count from events e where ${sql.conditions}
      group by 1 order by 2 desc, 1${limited}`,
    sql.params,
  );
}

/** Events per value of an `event_minutes` column over whole minutes `[fromMs, toMs)`. */
function countMinuteValues(
  tx: RawTx,
  filter: EventFilter,
  hotels: readonly string[],
  minutes: { fromMs: number; toMs: number },
  column: string,
): Promise<ValueCount[]> {
  const sql = minuteConditions(filter, hotels, minutes);
  return tx.query<ValueCount>(
    `select m.${column} as value, sum(m.count) as count from event_minutes m
      where ${sql.conditions} group by 1`,
    sql.params,
  );
}

/** The `event_minutes` rows (`m`) of the hotels and agents in whole minutes `[fromMs, toMs)`. */
function minuteConditions(
  filter: EventFilter,
  hotels: readonly string[],
  minutes: { fromMs: number; toMs: number },
): Sql {
  const sql = new Sql();
  sql.and(hotelIn("m.hotel_id", sql.p(hotels)));
  sql.and(`m.minute >= ${sql.p(new Date(minutes.fromMs).toISOString())}::timestamptz`);
  sql.and(`m.minute < ${sql.p(new Date(minutes.toMs).toISOString())}::timestamptz`);
  if (filter.agents?.length) sql.and(`m.agent_id = any(${sql.p(filter.agents)}::text[])`);
  return sql;
}

type BucketCount = { bucket: string; count: string | number };

/** Events per bucket of `date_bin(interval, received_at, origin)`, counted from the events. */
async function countEvents(
  tx: RawTx,
  filter: EventFilter,
  keys: readonly number[],
  intervalMs: number,
  origin: string,
): Promise<BucketCount[]> {
  const sql = new Sql();
  filterConditions(sql, filter, keys);
  return tx.query<BucketCount>(
    `select ${utcText(`date_bin(${sql.p(`${intervalMs} milliseconds`)}::interval, e.received_at, ${sql.p(origin)}::text::timestamptz)`)} as bucket,
            count(*) as count
       from events e where ${sql.conditions} group by 1 order by 1`,
    sql.params,
  );
}

/** The same buckets from `event_minutes` over whole minutes `[fromMs, toMs)`. */
async function countMinutes(
  tx: RawTx,
  filter: EventFilter,
  hotels: readonly string[],
  minutes: { fromMs: number; toMs: number },
  intervalMs: number,
  origin: string,
): Promise<BucketCount[]> {
  const sql = minuteConditions(filter, hotels, minutes);
  return tx.query<BucketCount>(
    `select ${utcText(`date_bin(${sql.p(`${intervalMs} milliseconds`)}::interval, m.minute, ${sql.p(origin)}::text::timestamptz)`)} as bucket,
            sum(m.count) as count
       from event_minutes m where ${sql.conditions} group by 1 order by 1`,
    sql.params,
  );
}

/** One page of a search: the statement for the hotels' keys ({@link hotelKeys}). */
function searchPage(request: SearchRequest, keys: readonly number[]): Statement {
  const sql = new Sql();
  filterConditions(sql, request, keys);
  const dir = request.sort === "asc" ? "asc" : "desc";
  if (request.cursor) {
    const cursor = decodeCursor(request.cursor);
    const op = dir === "asc" ? ">" : "<";
    const at = sql.p(cursor.t);
    sql.and(
      `(e.received_at, e.agent_id, e.seq) ${op} (${at}::text::timestamptz, ${sql.p(cursor.a)}, ${sql.p(cursor.s)}::bigint)`,
    );
    // Implied by the row comparison, and what lets the time index start at the cursor
    // (an export's thousandth page does not read the 999 before it again).
    sql.and(`e.received_at ${op}= ${at}::text::timestamptz`);
  }
  const limit = sql.p(request.limit + 1);
  const order = `e.received_at ${dir}, e.agent_id ${dir}, e.seq ${dir}`;
  // Per hotel, the newest rows walk (hotel_key, received_at) backwards and stop at the limit;
  // `hotel_key = any(list)` cannot give that order, so it sorted every row of the range
  // (220 ms for 110,000 lines on PGlite). The test switch that drops the code's hotel
  // condition keeps the plain form: then only row-level security holds the scope.
  const perHotel = codeScopeFilter.on;
  const keysParam = perHotel ? sql.p(keys) : "";
  if (perHotel) sql.and("e.hotel_key = s.key");
  const newest = `select e.* from events e where ${sql.conditions} order by ${order} limit ${limit}`;
  const page = perHotel
    ? `select e.* from unnest(${keysParam}::int[]) as s(key)
         cross join lateral (${newest}) e order by ${order} limit ${limit}`
    : newest;
  return {
    // The page of events first, then its chunks by primary key: joined inside, the
    // chunks' row-level security made the planner loop over every chunk (bench/query.ts --explain).
    text: `with page as materialized (${page})
       select ${HIT_COLUMNS} from page e join chunks c on c.id = e.chunk_id order by ${order}`,
    params: sql.params,
  };
}

/**
 * The PostgreSQL query engine.
 *
 * @example
 * const engine = new PostgresQueryEngine(store.raw);
 * const page = await engine.search(readScope(["grand"]), searchRequestSchema.parse({ from, to, ip: "10.5.1.23" }));
 */
export class PostgresQueryEngine implements QueryEngine {
  constructor(readonly raw: RawClient) {}

  async search(scope: ReadScope, request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const hotels = narrowScope(scope, request.hotels);
    const rows = await inReadScope(this.raw, scope, async (tx) => {
      const page = searchPage(request, await hotelKeys(tx, hotels));
      return tx.query(page.text, page.params);
    });
    return pageOf(rows.map(hitOf), request.limit, started);
  }

  /**
   * Every hit of a filter, page after page, each page its own scoped
   * transaction (an export of millions of lines holds no transaction open).
   */
  async *export(
    scope: ReadScope,
    request: SearchRequest,
    pageSize = 5000,
  ): AsyncGenerator<EventHit[]> {
    yield* exportPages(this, scope, request, pageSize);
  }

  async histogram(scope: ReadScope, request: HistogramRequest): Promise<HistogramResponse> {
    const started = performance.now();
    const hotels = narrowScope(scope, request.hotels);
    const fromMs = request.from.getTime();
    const toMs = request.to.getTime();
    const intervalMs = histogramInterval(fromMs, toMs, request.buckets);
    const origin = new Date(Math.floor(fromMs / intervalMs) * intervalMs).toISOString();
    const counts = new Map<number, number>();
    const add = (rows: { bucket: string; count: string | number }[]) => {
      for (const row of rows) {
        const at = Date.parse(row.bucket);
        counts.set(at, (counts.get(at) ?? 0) + Number(row.count));
      }
    };
    const minutes = minuteSpan(request, intervalMs);
    await inReadScope(this.raw, scope, async (tx) => {
      const keys = await hotelKeys(tx, hotels);
      if (!minutes) {
        add(await countEvents(tx, request, keys, intervalMs, origin));
        return;
      }
      // Whole minutes from the per-minute counts; the part-minutes at either end from the events.
      add(await countMinutes(tx, request, hotels, minutes, intervalMs, origin));
      if (fromMs < minutes.fromMs) {
        const edge = { ...request, to: new Date(minutes.fromMs) };
        add(await countEvents(tx, edge, keys, intervalMs, origin));
      }
      if (minutes.toMs < toMs) {
        const edge = { ...request, from: new Date(minutes.toMs) };
        add(await countEvents(tx, edge, keys, intervalMs, origin));
      }
    });
    const buckets = histogramBuckets(fromMs, toMs, intervalMs, counts);
    return {
      interval_ms: intervalMs,
      buckets,
      total: buckets.reduce((sum, bucket) => sum + bucket.count, 0),
      took_ms: Math.round(performance.now() - started),
    };
  }

  async top(scope: ReadScope, request: TopRequest): Promise<TopResponse> {
    const started = performance.now();
    const hotels = narrowScope(scope, request.hotels);
    // Hotels and agents with no other filter are counted as the histogram is: whole
    // minutes from `event_minutes`, the part-minutes at either end from the events.
    const minuteColumn = MINUTE_TOP_COLUMN[request.field];
    const minutes =
      minuteColumn && countsByMinute(request) ? wholeMinutes(request.from, request.to) : undefined;
    const values = await inReadScope(this.raw, scope, async (tx) => {
      const keys = await hotelKeys(tx, hotels);
      if (!minuteColumn || !minutes) {
        const rows = await countValues(tx, request, keys, request.field, request.limit);
        return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
      }
      const counts = new Map<string | null, number>();
      const add = (rows: ValueCount[]) => {
        for (const row of rows)
          counts.set(row.value, (counts.get(row.value) ?? 0) + Number(row.count));
      };
      add(await countMinuteValues(tx, request, hotels, minutes, minuteColumn));
      if (request.from.getTime() < minutes.fromMs)
        add(
          await countValues(tx, { ...request, to: new Date(minutes.fromMs) }, keys, request.field),
        );
      if (minutes.toMs < request.to.getTime())
        add(
          await countValues(tx, { ...request, from: new Date(minutes.toMs) }, keys, request.field),
        );
      return [...counts]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || byCodePoint(String(a.value), String(b.value)))
        .slice(0, request.limit);
    });
    return { field: request.field, values, took_ms: Math.round(performance.now() - started) };
  }

  /** The lines before and after a hit from the same agent, by seq (a day either side at most). */
  async context(scope: ReadScope, request: ContextRequest): Promise<ContextResponse> {
    const at = request.at.getTime();
    const window = (sql: Sql, keys: readonly number[]) => {
      sql.and(eventHotelIn("e", sql.p(keys)));
      sql.and(`e.agent_id = ${sql.p(request.agent)}`);
      sql.and(`e.received_at >= ${sql.p(new Date(at - 86_400_000).toISOString())}::timestamptz`);
      sql.and(`e.received_at <= ${sql.p(new Date(at + 86_400_000).toISOString())}::timestamptz`);
    };
    const side = async (
      tx: RawTx,
      keys: readonly number[],
      op: string,
      dir: string,
      count: number,
    ) => {
      if (count === 0 && op !== "=") return [];
      const sql = new Sql();
      window(sql, keys);
      sql.and(`e.seq ${op} ${sql.p(request.seq)}::bigint`);
      const rows = await tx.query(
        `select ${HIT_COLUMNS} from events e join chunks c on c.id = e.chunk_id
          where ${sql.conditions} order by e.seq ${dir} limit ${sql.p(Math.max(count, 1))}`,
        sql.params,
      );
      return rows.map(hitOf);
    };
    return inReadScope(this.raw, scope, async (tx) => {
      const keys = await hotelKeys(tx, scope.hotels);
      const before = (await side(tx, keys, "<", "desc", request.before)).reverse();
      const [hit] = await side(tx, keys, "=", "asc", 1);
      const after = await side(tx, keys, ">", "asc", request.after);
      return { before, hit: hit ?? null, after };
    });
  }
}
