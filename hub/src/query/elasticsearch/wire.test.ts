/**
 * What the hub sends over the wire through the real client (HttpConnection
 * under Bun) and how it reads the answers, against a stand-in HTTP server
 * that records requests and answers as Elasticsearch 9 does. It proves the
 * requests, not Elasticsearch's behaviour: elasticsearch.test.ts does that
 * when ELASTICSEARCH_URL names a real cluster.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { parseSyslog } from "../../../../shared/src/syslog/index.ts";
import { hubConfigSchema } from "../../config/index.ts";
import { openIndexParts } from "../../hub.ts";
import { ElasticsearchBulkError, elasticsearchEventSink } from "../../index/elasticsearch-sink.ts";
import { type EventRow, eventRow } from "../../index/rows.ts";
import type { RawTx } from "../../store/index.ts";
import { searchRequestSchema, topRequestSchema } from "../request.ts";
import { readScope } from "../scope.ts";
import { searchBody, topBody } from "./builders.ts";
import {
  connectElasticsearch,
  ElasticsearchQueryEngine,
  ElasticsearchUnavailableError,
  eventDocument,
  eventsIndexTemplate,
  openElasticsearch,
} from "./index.ts";

interface Seen {
  method: string;
  path: string;
  body: string;
}

const seen: Seen[] = [];
let answer: (request: Seen) => unknown = () => ({});
let server: ReturnType<typeof Bun.serve>;
let url: string;

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const entry = {
        method: request.method,
        path: decodeURIComponent(path),
        body: await request.text(),
      };
      seen.push(entry);
      const reply = answer(entry);
      const [status, body] = Array.isArray(reply) ? reply : [200, reply];
      return Response.json(body, { status, headers: { "x-elastic-product": "Elasticsearch" } });
    },
  });
  url = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server?.stop(true));

beforeEach(() => {
  seen.length = 0;
  answer = () => ({});
});

const PREFIX = "lmwire";
const RAW = "<30>Mar 12 20:00:01 otel-1-gw hotspot,info oda-105 (10.1.2.3): logged in İZMİR";
const rowOf = (seq: number, receivedAt: string): EventRow =>
  eventRow(parseSyslog(RAW, { receivedAt: new Date(receivedAt) }), {
    hotelId: "h1",
    hotelKey: 1,
    agentId: "h1-agent",
    chunkId: 9,
    chunk: "2026-03-12T23",
    seq,
    receivedAt,
    deviceIp: "10.1.0.1",
  });
const rows = [rowOf(1, "2026-03-12T23:59:59.999999Z"), rowOf(2, "2026-03-13T00:00:00.000001Z")];
const noTx = {} as RawTx;
const ndjson = (body: string) =>
  body
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

describe("start", () => {
  test("an unreachable cluster stops the start with ELASTICSEARCH_URL named, without its password", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = closed.port;
    closed.stop(true);
    const dead = `http://hub:s3cret@127.0.0.1:${port}`;
    const failure = await connectElasticsearch(dead, { timeoutMs: 2000 }).catch((e) => e);
    expect(failure).toBeInstanceOf(ElasticsearchUnavailableError);
    expect(failure.message).toContain(`ELASTICSEARCH_URL http://127.0.0.1:${port}`);
    expect(failure.message).not.toContain("s3cret");
    const config = hubConfigSchema.parse({ elasticsearchUrl: dead });
    await expect(openIndexParts(config)).rejects.toThrow(/ELASTICSEARCH_URL/);
  });

  test("the template is put at start, and the hub's parts use Elasticsearch", async () => {
    answer = () => ({ acknowledged: true });
    const parts = await openIndexParts(hubConfigSchema.parse({ elasticsearchUrl: url }));
    try {
      expect(parts.sink.kind).toBe("elasticsearch");
      expect(parts.elasticsearch).toBeInstanceOf(ElasticsearchQueryEngine);
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        "PUT /_index_template/logmaster-events",
      ]);
      const { name: _name, ...body } = eventsIndexTemplate("logmaster-events");
      expect(JSON.parse(seen[0]?.body ?? "")).toEqual(body);
    } finally {
      await parts.elasticsearch?.close();
      await parts.tail.close();
    }
  });
});

describe("sink", () => {
  let client: ReturnType<typeof openElasticsearch>;
  beforeAll(() => {
    client = openElasticsearch(url);
  });
  afterAll(() => client.close());
  const sinkAt = (options: Parameters<typeof elasticsearchEventSink>[1] = {}) =>
    elasticsearchEventSink(client, { indexPrefix: PREFIX, retryWaitMs: 10, ...options });

  test("one bulk request: each row indexed by agent:seq into its UTC day's index", async () => {
    answer = () => ({
      errors: false,
      items: rows.map(() => ({ index: { status: 201, result: "created" } })),
    });
    await sinkAt().write(noTx, rows);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /_bulk"]);
    expect(ndjson(seen[0]?.body ?? "")).toEqual([
      { index: { _index: `${PREFIX}-2026.03.12`, _id: "h1-agent:1" } },
      eventDocument(rows[0] as EventRow),
      { index: { _index: `${PREFIX}-2026.03.13`, _id: "h1-agent:2" } },
      eventDocument(rows[1] as EventRow),
    ]);
  });

  test("a document refused is an error (the step rolls back), naming it and why", async () => {
    answer = () => ({
      errors: true,
      items: [
        { index: { status: 201, result: "created" } },
        {
          index: {
            status: 400,
            error: { type: "document_parsing_exception", reason: "failed to parse field [src_ip]" },
          },
        },
      ],
    });
    const failure = await sinkAt()
      .write(noTx, rows)
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ElasticsearchBulkError);
    expect(failure.message).toContain(
      "refused 1 of 2 events: h1-agent:2 (400 document_parsing_exception",
    );
  });

  test("a busy cluster (429) gets the refused documents again", async () => {
    let calls = 0;
    answer = () =>
      ++calls === 1
        ? {
            errors: true,
            items: [
              { index: { status: 201, result: "created" } },
              { index: { status: 429, error: { type: "es_rejected_execution_exception" } } },
            ],
          }
        : { errors: false, items: [{ index: { status: 201, result: "created" } }] };
    await sinkAt().write(noTx, rows);
    expect(seen).toHaveLength(2);
    expect(ndjson(seen[1]?.body ?? "")[0]).toEqual({
      index: { _index: `${PREFIX}-2026.03.13`, _id: "h1-agent:2" },
    });
  });

  test("busy past the retries is an error", async () => {
    answer = () => ({
      errors: true,
      items: [{ index: { status: 429, error: { type: "es_rejected_execution_exception" } } }],
    });
    const sink = sinkAt({ retries: 1 });
    await expect(sink.write(noTx, rows.slice(0, 1))).rejects.toBeInstanceOf(ElasticsearchBulkError);
  });

  test("remove: delete by query of the hotel's chunks, in batches", async () => {
    answer = () => ({ deleted: 0 });
    const sink = sinkAt({ removeBatch: 2 });
    await sink.remove?.({ hotelId: "h1", chunkIds: [1, 2, 3] });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      `POST /${PREFIX}-*/_delete_by_query`,
      `POST /${PREFIX}-*/_delete_by_query`,
    ]);
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual({
      query: { bool: { filter: [{ term: { hotel_id: "h1" } }, { terms: { chunk_id: [3] } }] } },
    });
  });
});

describe("engine", () => {
  const scope = readScope(["h1"]);
  let engine: ElasticsearchQueryEngine;
  beforeAll(() => {
    engine = new ElasticsearchQueryEngine(openElasticsearch(url), { indexPrefix: PREFIX });
  });
  afterAll(() => engine.close());
  const hitsOf = (docs: EventRow[]) => ({
    hits: { hits: docs.map((row) => ({ _source: eventDocument(row) })) },
  });

  test("search sends the builder's body to the daily indices and pages with a cursor", async () => {
    answer = () => hitsOf(rows);
    const request = searchRequestSchema.parse({
      from: "2026-03-12T00:00:00Z",
      to: "2026-03-14T00:00:00Z",
      limit: 1,
    });
    const page = await engine.search(scope, request);
    expect(seen[0]?.path).toBe(`/${PREFIX}-*/_search`);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(
      JSON.parse(JSON.stringify(searchBody(request, ["h1"]))),
    );
    expect(page.hits.map((hit) => [hit.agent, hit.seq, hit.device])).toEqual([
      ["h1-agent", 1, "10.1.0.1"],
    ]);
    expect(page.next_cursor).toBeString();
    await engine.search(scope, { ...request, cursor: page.next_cursor });
    expect(JSON.parse(seen[1]?.body ?? "").search_after).toEqual([
      "2026-03-12T23:59:59.999999Z",
      "h1-agent",
      1,
    ]);
  });

  test("top merges the events without the field as a null value, last among equals", async () => {
    answer = () => ({
      hits: { hits: [] },
      aggregations: {
        values: {
          buckets: [
            { key: "a", doc_count: 9 },
            { key: "b", doc_count: 4 },
            { key: "c", doc_count: 2 },
          ],
        },
        none: { doc_count: 4 },
      },
    });
    const request = topRequestSchema.parse({
      from: "2026-03-12T00:00:00Z",
      to: "2026-03-14T00:00:00Z",
      field: "user",
      limit: 3,
    });
    const top = await engine.top(scope, request);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(
      JSON.parse(JSON.stringify(topBody(request, ["h1"]))),
    );
    expect(top.values).toEqual([
      { value: "a", count: 9 },
      { value: "b", count: 4 },
      { value: null, count: 4 },
    ]);
  });

  test("histogram fills the buckets Elasticsearch leaves out", async () => {
    answer = () => ({
      hits: { hits: [] },
      aggregations: {
        buckets: {
          buckets: [
            { key: 1773313200000, key_as_string: "2026-03-12T11:00:00.000Z", doc_count: 5 },
          ],
        },
      },
    });
    const answerOf = await engine.histogram(scope, {
      ...searchRequestSchema.parse({ from: "2026-03-12T11:00:00Z", to: "2026-03-12T11:20:00Z" }),
      buckets: 10,
    });
    expect(answerOf.interval_ms).toBe(300_000);
    expect(answerOf.buckets.map((b) => b.count)).toEqual([5, 0, 0, 0]);
    expect(answerOf.total).toBe(5);
  });

  test("evidence keeps only the line of that agent and seq at that very time", async () => {
    answer = () => hitsOf(rows);
    const lines = await engine.evidence(
      ["h1"],
      [
        { agent: "h1-agent", seq: 1, at: "2026-03-12T23:59:59.999999Z" },
        { agent: "h1-agent", seq: 2, at: "2026-03-13T00:00:00.000002Z" },
      ],
    );
    expect(lines.map((hit) => hit.seq)).toEqual([1]);
  });
});
