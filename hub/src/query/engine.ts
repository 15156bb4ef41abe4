/**
 * What a query engine answers, whichever store holds the events: PostgreSQL
 * (hub/src/query/postgres.ts) or Elasticsearch (hub/src/query/elasticsearch/).
 * The API and the CLI see only these two interfaces. Every call takes the
 * caller's {@link ReadScope}, or the hotels already narrowed from it.
 */
import type { ContextRequest, HistogramRequest, SearchRequest, TopRequest } from "./request.ts";
import type {
  ContextResponse,
  EventHit,
  HistogramResponse,
  SearchResponse,
  TopResponse,
} from "./response.ts";
import type { ReadScope } from "./scope.ts";

/**
 * Search, export, histogram, top values and the lines around a hit.
 *
 * @example
 * const engine: QueryEngine = new PostgresQueryEngine(store.raw);
 * const page = await engine.search(readScope(["grand"]), searchRequestSchema.parse({ from, to }));
 */
export interface QueryEngine {
  search(scope: ReadScope, request: SearchRequest): Promise<SearchResponse>;
  /** Every hit of a filter, page after page (a page is one bounded query). */
  export(scope: ReadScope, request: SearchRequest, pageSize?: number): AsyncGenerator<EventHit[]>;
  histogram(scope: ReadScope, request: HistogramRequest): Promise<HistogramResponse>;
  top(scope: ReadScope, request: TopRequest): Promise<TopResponse>;
  context(scope: ReadScope, request: ContextRequest): Promise<ContextResponse>;
}

/** An event line named by a derived row (a lease's start, a session's end): agent, seq, receive time (µs). */
export interface EvidenceRef {
  agent: string;
  seq: number;
  at: string;
}

/** A NAT lookup's question: who held public `ip:port` at `at`. */
export interface NatQuestion {
  ip: string;
  port: number;
  at: Date;
}

/**
 * The events the 5651 lookups read when events are not in PostgreSQL
 * (hub/src/query/lookups.ts); leases and sessions always are. `hotels` is
 * the caller's scope already narrowed (hub/src/query/scope.ts `narrowScope`).
 *
 * @example
 * const lookups = new Lookups(store.raw, elasticsearchEngine);
 */
export interface EventReader {
  /** The lines of evidence references that exist in these hotels. */
  evidence(hotels: readonly string[], refs: readonly EvidenceRef[]): Promise<EventHit[]>;
  /**
   * The srcnat lines of `ip:port`: `candidates` holds the last one at or before
   * T (a day back at most), then the first within a minute after T; `nearby`
   * those within 5 minutes of T, oldest first, 20 at most.
   */
  natConnections(
    hotels: readonly string[],
    question: NatQuestion,
  ): Promise<{ candidates: EventHit[]; nearby: EventHit[] }>;
}

/**
 * A page of hits from one more row than asked for: the extra row only says
 * there is a next page, whose cursor is the last hit's. Both engines' `search`.
 */
export function pageOf(
  found: readonly EventHit[],
  limit: number,
  startedMs: number,
): SearchResponse {
  const hits = found.slice(0, limit);
  const last = hits.at(-1);
  return {
    hits,
    ...(found.length > limit && last ? { next_cursor: encodeCursor(last) } : {}),
    took_ms: Math.round(performance.now() - startedMs),
  };
}

/**
 * Every hit of a filter, page after page through the engine's `search` (each
 * page its own request: nothing held open for an export of millions of lines).
 */
export async function* exportPages(
  engine: Pick<QueryEngine, "search">,
  scope: ReadScope,
  request: SearchRequest,
  pageSize: number,
): AsyncGenerator<EventHit[]> {
  let cursor = request.cursor;
  for (;;) {
    const page = await engine.search(scope, { ...request, limit: pageSize, cursor });
    if (page.hits.length > 0) yield page.hits;
    if (!page.next_cursor) return;
    cursor = page.next_cursor;
  }
}

/** A page position: the last hit's receive time, agent and seq. */
export interface Cursor {
  t: string;
  a: string;
  s: number;
}

export class CursorError extends Error {
  override readonly name = "CursorError";
}

export function encodeCursor(hit: EventHit): string {
  return Buffer.from(JSON.stringify({ t: hit.received_at, a: hit.agent, s: hit.seq })).toString(
    "base64url",
  );
}

export function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Cursor;
    if (typeof value.t === "string" && typeof value.a === "string" && Number.isSafeInteger(value.s))
      return value;
  } catch {}
  throw new CursorError("cursor is not one this hub gave out");
}

/**
 * Every start of a histogram bucket from the one holding `fromMs` to before
 * `toMs`, with its count (0 where the store returned none): both engines' histograms.
 */
export function histogramBuckets(
  fromMs: number,
  toMs: number,
  intervalMs: number,
  counts: ReadonlyMap<number, number>,
): HistogramResponse["buckets"] {
  const buckets: HistogramResponse["buckets"] = [];
  for (let at = Math.floor(fromMs / intervalMs) * intervalMs; at < toMs; at += intervalMs) {
    buckets.push({ start: new Date(at).toISOString(), count: counts.get(at) ?? 0 });
  }
  return buckets;
}
