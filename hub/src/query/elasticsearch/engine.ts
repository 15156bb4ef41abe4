/**
 * The query engine on Elasticsearch: the bodies of builders.ts sent to the
 * daily event indices, the answers shaped as hub/src/query/postgres.ts
 * shapes them (same hits, cursors, buckets), so the API and dashboard do
 * not know which engine answered. It is also the lookups' event reader: the
 * 5651 lookups take leases and sessions from PostgreSQL and their evidence
 * lines and NAT connections from here.
 */
import type { estypes } from "@elastic/elasticsearch";
import {
  type EventReader,
  type EvidenceRef,
  exportPages,
  histogramBuckets,
  type NatQuestion,
  pageOf,
  type QueryEngine,
} from "../engine.ts";
import { hitOf } from "../postgres.ts";
import type { ContextRequest, HistogramRequest, SearchRequest, TopRequest } from "../request.ts";
import type {
  ContextResponse,
  EventHit,
  HistogramResponse,
  SearchResponse,
  TopResponse,
} from "../response.ts";
import { narrowScope, type ReadScope } from "../scope.ts";
import {
  contextBodies,
  evidenceBody,
  histogramBody,
  natBodies,
  searchBody,
  topBody,
} from "./builders.ts";
import type { ElasticsearchClient } from "./client.ts";
import {
  DEFAULT_INDEX_PREFIX,
  type EventDocument,
  eventsIndexPattern,
  utcMicros,
} from "./mapping.ts";

type SearchBody = Omit<estypes.SearchRequest, "index">;

/** A document as a hit (the same function as PostgreSQL's rows: the field names are its columns). */
export function hitOfDocument(source: EventDocument): EventHit {
  return hitOf({ ...source, device: source.device_ip });
}

/** `2026-03-12T11:32:00.123456Z` as a number of µs, for comparing receive times. */
function micros(iso: string): bigint {
  const utc = utcMicros(iso);
  return BigInt(Date.parse(utc)) * 1000n + BigInt(utc.slice(-4, -1));
}

/**
 * @example
 * const engine = new ElasticsearchQueryEngine(openElasticsearch(url));
 * const page = await engine.search(readScope(["grand"]), searchRequestSchema.parse({ from, to, text: "İZMİR" }));
 */
export class ElasticsearchQueryEngine implements QueryEngine, EventReader {
  readonly #index: string;

  constructor(
    readonly client: ElasticsearchClient,
    options: { indexPrefix?: string } = {},
  ) {
    this.#index = eventsIndexPattern(options.indexPrefix ?? DEFAULT_INDEX_PREFIX);
  }

  #search(body: SearchBody) {
    return this.client.search<EventDocument>({
      index: this.#index,
      ignore_unavailable: true,
      allow_no_indices: true,
      ...body,
    });
  }

  async #hits(body: SearchBody): Promise<EventHit[]> {
    const response = await this.#search(body);
    return response.hits.hits.flatMap((hit) => (hit._source ? [hitOfDocument(hit._source)] : []));
  }

  async search(scope: ReadScope, request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const found = await this.#hits(searchBody(request, narrowScope(scope, request.hotels)));
    return pageOf(found, request.limit, started);
  }

  /** Every hit of a filter, page after page (`search_after`, no search context held open). */
  async *export(
    scope: ReadScope,
    request: SearchRequest,
    pageSize = 5000,
  ): AsyncGenerator<EventHit[]> {
    yield* exportPages(this, scope, request, pageSize);
  }

  async histogram(scope: ReadScope, request: HistogramRequest): Promise<HistogramResponse> {
    const started = performance.now();
    const { body, intervalMs } = histogramBody(request, narrowScope(scope, request.hotels));
    const response = await this.#search(body);
    const agg = response.aggregations?.buckets as
      | estypes.AggregationsDateHistogramAggregate
      | undefined;
    const counts = new Map<number, number>();
    for (const bucket of Array.isArray(agg?.buckets) ? agg.buckets : []) {
      const start = bucket.key_as_string ? Date.parse(bucket.key_as_string) : Number(bucket.key);
      counts.set(start, (counts.get(start) ?? 0) + bucket.doc_count);
    }
    const buckets = histogramBuckets(
      request.from.getTime(),
      request.to.getTime(),
      intervalMs,
      counts,
    );
    return {
      interval_ms: intervalMs,
      buckets,
      total: buckets.reduce((sum, bucket) => sum + bucket.count, 0),
      took_ms: Math.round(performance.now() - started),
    };
  }

  async top(scope: ReadScope, request: TopRequest): Promise<TopResponse> {
    const started = performance.now();
    const response = await this.#search(topBody(request, narrowScope(scope, request.hotels)));
    const terms = response.aggregations?.values as
      | estypes.AggregationsStringTermsAggregate
      | estypes.AggregationsLongTermsAggregate
      | undefined;
    const none = response.aggregations?.none as estypes.AggregationsMissingAggregate | undefined;
    const values: TopResponse["values"] = (Array.isArray(terms?.buckets) ? terms.buckets : []).map(
      (bucket) => ({ value: String(bucket.key), count: bucket.doc_count }),
    );
    // PostgreSQL groups the events without the field as one null value, ordered last among equals.
    if (none && none.doc_count > 0) {
      const at = values.findIndex((entry) => entry.count < none.doc_count);
      values.splice(at === -1 ? values.length : at, 0, { value: null, count: none.doc_count });
    }
    return {
      field: request.field,
      values: values.slice(0, request.limit),
      took_ms: Math.round(performance.now() - started),
    };
  }

  async context(scope: ReadScope, request: ContextRequest): Promise<ContextResponse> {
    const bodies = contextBodies(request, scope.hotels);
    const [before, hit, after] = await Promise.all([
      bodies.before ? this.#hits(bodies.before) : [],
      this.#hits(bodies.hit),
      bodies.after ? this.#hits(bodies.after) : [],
    ]);
    return { before: before.reverse(), hit: hit[0] ?? null, after };
  }

  async evidence(hotels: readonly string[], refs: readonly EvidenceRef[]): Promise<EventHit[]> {
    if (refs.length === 0) return [];
    const wanted = new Map(refs.map((ref) => [`${ref.agent}#${ref.seq}`, micros(ref.at)]));
    const hits = await this.#hits(evidenceBody(hotels, refs));
    // As in PostgreSQL: the line of that agent and seq at that very time.
    return hits.filter((hit) => wanted.get(`${hit.agent}#${hit.seq}`) === micros(hit.received_at));
  }

  async natConnections(
    hotels: readonly string[],
    question: NatQuestion,
  ): Promise<{ candidates: EventHit[]; nearby: EventHit[] }> {
    const bodies = natBodies(hotels, question);
    const [before, after, nearby] = await Promise.all([
      this.#hits(bodies.before),
      this.#hits(bodies.after),
      this.#hits(bodies.nearby),
    ]);
    return { candidates: [...before, ...after], nearby };
  }

  /** Close the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }
}
