/**
 * Query bodies for Elasticsearch, as pure functions: a filter means here
 * what it means in hub/src/query/postgres.ts `filterConditions`, and every
 * body carries the hotel filter made from the hotels of the caller's scope
 * (mapping.ts `hotelFilter`) — never from the request, whose `hotels` has
 * already been checked against the scope by `narrowScope`.
 */
import type { estypes } from "@elastic/elasticsearch";
import { decodeCursor, histogramInterval } from "../postgres.ts";
import type {
  ContextRequest,
  EventFilter,
  HistogramRequest,
  SearchRequest,
  TopField,
  TopRequest,
} from "../request.ts";
import { parseTextQuery, type WordClause } from "../text.ts";
import { hotelFilter } from "./mapping.ts";

type Query = estypes.QueryDslQueryContainer;
type SearchBody = Omit<estypes.SearchRequest, "index">;

const DAY_MS = 86_400_000;
/** Hits leave out the words: nothing shows them, and they are half a document. */
const HIT_SOURCE = { excludes: ["words"] };

/** Either of these fields holds `value` (`ip` fields take a CIDR block in a term query). */
const anyOf = (fields: readonly string[], value: string | number): Query => ({
  bool: { should: fields.map((field) => ({ term: { [field]: value } })), minimum_should_match: 1 },
});

/** A clause of free text (hub/src/query/text.ts) as a query over the `words` keyword array. */
function clauseQuery(clause: WordClause): Query {
  if ("word" in clause)
    return clause.prefix ? { prefix: { words: clause.word } } : { term: { words: clause.word } };
  if ("not" in clause) return { bool: { must_not: [clauseQuery(clause.not)] } };
  if ("all" in clause) return { bool: { filter: clause.all.map(clauseQuery) } };
  return { bool: { should: clause.any.map(clauseQuery), minimum_should_match: 1 } };
}

/** `*text*` for a wildcard query: the user's `*`, `?` and `\` are literal. */
const containing = (text: string) => `*${text.replace(/[\\*?]/g, (c) => `\\${c}`)}*`;

/**
 * Free text as hub/src/query/text.ts parses it: words are terms of the
 * `words` keyword array (folded the same way: `İZMİR` is `izmir`), numbers
 * and addresses are substrings of `raw`, case-insensitive like `lower(raw)`.
 */
export function textQuery(text: string): { filter: Query[]; mustNot: Query[] } {
  const parsed = parseTextQuery(text);
  const filter: Query[] = [];
  if (parsed.clauses.length > 0) {
    // As in PostgreSQL, a line without words matches no word query (`-wireless` included).
    filter.push({ exists: { field: "words" } }, ...parsed.clauses.map(clauseQuery));
  }
  const wildcard = (part: string): Query => ({
    wildcard: { raw: { value: containing(part), case_insensitive: true } },
  });
  filter.push(...parsed.contains.map(wildcard));
  return { filter, mustNot: parsed.excludes.map(wildcard) };
}

/**
 * The bool query of a filter for these hotels (the scope's, narrowed).
 *
 * @example
 * filterQuery(searchRequestSchema.parse({ from, to, ip: "10.5.0.0/16" }), ["grand"]);
 */
export function filterQuery(filter: EventFilter, hotels: readonly string[]): Query {
  const must: Query[] = [
    hotelFilter(hotels),
    {
      range: {
        received_at: { gte: filter.from.toISOString(), lt: filter.to.toISOString() },
      },
    },
  ];
  const mustNot: Query[] = [];
  if (filter.agents?.length) must.push({ terms: { agent_id: filter.agents } });
  if (filter.devices?.length) must.push({ terms: { device_ip: filter.devices } });
  if (filter.severity !== undefined) must.push({ range: { severity: { lte: filter.severity } } });
  if (filter.topics?.length) must.push({ terms: { topics: filter.topics } });
  if (filter.datasets?.length) must.push({ terms: { dataset: filter.datasets } });
  if (filter.ip) must.push(anyOf(["src_ip", "dst_ip", "nat_ip"], filter.ip));
  if (filter.mac) must.push({ term: { src_mac: filter.mac } });
  if (filter.port !== undefined)
    must.push(anyOf(["src_port", "dst_port", "nat_port"], filter.port));
  if (filter.user) must.push({ term: { user_name: filter.user } });
  if (filter.host) must.push({ term: { host: filter.host } });
  if (filter.nat) {
    must.push({ term: { nat_ip: filter.nat.ip } });
    if (filter.nat.port !== undefined) must.push({ term: { nat_port: filter.nat.port } });
  }
  if (filter.text?.trim()) {
    const text = textQuery(filter.text);
    must.push(...text.filter);
    mustNot.push(...text.mustNot);
  }
  return { bool: { filter: must, ...(mustNot.length > 0 ? { must_not: mustNot } : {}) } };
}

/** The cursor of hub/src/query/postgres.ts, read: one format, whichever engine gave it out. */
type Direction = "asc" | "desc";

/** Receive time (as text with nanoseconds, so `search_after` takes the cursor's µs text), agent, seq. */
function hitSort(dir: Direction): estypes.SortCombinations[] {
  return [
    { received_at: { order: dir, format: "strict_date_optional_time_nanos" } },
    { agent_id: { order: dir } },
    { seq: { order: dir } },
  ];
}

/**
 * A page of hits: `limit + 1` asked for, to know whether a next page exists.
 *
 * @example
 * const body = searchBody(request, narrowScope(scope, request.hotels));
 */
export function searchBody(request: SearchRequest, hotels: readonly string[]): SearchBody {
  const dir: Direction = request.sort === "asc" ? "asc" : "desc";
  const cursor = request.cursor ? decodeCursor(request.cursor) : undefined;
  return {
    query: filterQuery(request, hotels),
    sort: hitSort(dir),
    size: request.limit + 1,
    track_total_hits: false,
    _source: HIT_SOURCE,
    ...(cursor ? { search_after: [cursor.t, cursor.a, cursor.s] } : {}),
  };
}

/**
 * Counts per bucket of the interval postgres.ts `histogramInterval` picks
 * (fixed intervals are aligned to the epoch, as `date_bin` is there).
 */
export function histogramBody(
  request: HistogramRequest,
  hotels: readonly string[],
): { body: SearchBody; intervalMs: number } {
  const intervalMs = histogramInterval(
    request.from.getTime(),
    request.to.getTime(),
    request.buckets,
  );
  return {
    intervalMs,
    body: {
      query: filterQuery(request, hotels),
      size: 0,
      track_total_hits: false,
      aggs: {
        buckets: {
          date_histogram: {
            field: "received_at",
            fixed_interval: `${intervalMs}ms`,
            min_doc_count: 1,
            format: "strict_date_optional_time",
          },
        },
      },
    },
  };
}

/** The document field of each top field. */
export const TOP_FIELD: Record<TopField, string> = {
  hotel: "hotel_id",
  agent: "agent_id",
  device: "device_ip",
  host: "host",
  severity: "severity",
  dataset: "dataset",
  action: "action",
  src_ip: "src_ip",
  src_mac: "src_mac",
  dst_ip: "dst_ip",
  dst_port: "dst_port",
  nat_ip: "nat_ip",
  protocol: "protocol",
  user: "user_name",
};

/** The most frequent values of a field, and how many events have none (PostgreSQL counts a null group too). */
export function topBody(request: TopRequest, hotels: readonly string[]): SearchBody {
  const field = TOP_FIELD[request.field];
  return {
    query: filterQuery(request, hotels),
    size: 0,
    track_total_hits: false,
    aggs: {
      values: {
        terms: {
          field,
          size: request.limit,
          // Exact enough for a day index of one shard; wider shard lists make counts exact across days.
          shard_size: Math.max(100, request.limit * 10),
          order: [{ _count: "desc" }, { _key: "asc" }],
        },
      },
      none: { missing: { field } },
    },
  };
}

/**
 * The three searches of a hit's context: the lines before (nearest first),
 * the hit, the lines after, from the same agent by seq, a day either side of
 * the hit's time. `hotels` is the whole scope (a context names no hotel).
 */
export function contextBodies(
  request: ContextRequest,
  hotels: readonly string[],
): { before: SearchBody | undefined; hit: SearchBody; after: SearchBody | undefined } {
  const at = request.at.getTime();
  const side = (seq: estypes.QueryDslNumberRangeQuery, dir: Direction, size: number) => ({
    query: {
      bool: {
        filter: [
          hotelFilter(hotels),
          { term: { agent_id: request.agent } },
          {
            range: {
              received_at: {
                gte: new Date(at - DAY_MS).toISOString(),
                lte: new Date(at + DAY_MS).toISOString(),
              },
            },
          },
          { range: { seq } },
        ],
      },
    },
    sort: [{ seq: { order: dir } }],
    size,
    track_total_hits: false,
    _source: HIT_SOURCE,
  });
  return {
    before: request.before > 0 ? side({ lt: request.seq }, "desc", request.before) : undefined,
    hit: side({ gte: request.seq, lte: request.seq }, "asc", 1),
    after: request.after > 0 ? side({ gt: request.seq }, "asc", request.after) : undefined,
  };
}

/**
 * The lines of evidence references: by document id (agent:seq) in these
 * hotels, the receive-time range of the references bounding the days read.
 */
export function evidenceBody(
  hotels: readonly string[],
  refs: readonly { agent: string; seq: number; at: string }[],
): SearchBody {
  const times = refs.map((ref) => ref.at).sort();
  return {
    query: {
      bool: {
        filter: [
          hotelFilter(hotels),
          { ids: { values: [...new Set(refs.map((ref) => `${ref.agent}:${ref.seq}`))] } },
          { range: { received_at: { gte: times[0], lte: times.at(-1) } } },
        ],
      },
    },
    size: refs.length,
    track_total_hits: false,
    _source: HIT_SOURCE,
  };
}

/**
 * The NAT lookup's searches of public `ip:port` at T: the last line at or
 * before T (a day back at most), the first within a minute after (a clock a
 * little ahead of the router's), and those within 5 minutes of T.
 */
export function natBodies(
  hotels: readonly string[],
  question: { ip: string; port: number; at: Date },
): { before: SearchBody; after: SearchBody; nearby: SearchBody } {
  const at = question.at.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const search = (
    range: estypes.QueryDslDateRangeQuery,
    dir: Direction,
    size: number,
  ): SearchBody => ({
    query: {
      bool: {
        filter: [
          hotelFilter(hotels),
          { term: { nat_ip: question.ip } },
          { term: { nat_port: question.port } },
          { range: { received_at: range } },
        ],
      },
    },
    sort: hitSort(dir),
    size,
    track_total_hits: false,
    _source: HIT_SOURCE,
  });
  return {
    before: search({ gt: iso(at - DAY_MS), lte: iso(at) }, "desc", 1),
    after: search({ gt: iso(at), lte: iso(at + 60_000) }, "asc", 1),
    nearby: search({ gte: iso(at - 300_000), lte: iso(at + 300_000) }, "asc", 20),
  };
}
