/**
 * The Elasticsearch query bodies against the bodies they must be: every
 * filter of postgres.ts `filterConditions` in its Elasticsearch form, the
 * hotel filter in every body from the scope's hotels only, free text folded
 * as the index folds it. No server needed (elasticsearch.test.ts runs them
 * against one).
 */
import { describe, expect, test } from "bun:test";
import { decodeCursor, encodeCursor, histogramInterval } from "../postgres.ts";
import {
  contextRequestSchema,
  histogramRequestSchema,
  searchRequestSchema,
  topRequestSchema,
} from "../request.ts";
import type { EventHit } from "../response.ts";
import { narrowScope, readScope, ScopeError } from "../scope.ts";
import {
  contextBodies,
  evidenceBody,
  filterQuery,
  histogramBody,
  natBodies,
  searchBody,
  textQuery,
  topBody,
} from "./builders.ts";

const FROM = "2026-03-12T11:00:00Z";
const TO = "2026-03-12T14:00:00Z";
const H1 = { terms: { hotel_id: ["h1"] } };
const TIME = {
  range: { received_at: { gte: "2026-03-12T11:00:00.000Z", lt: "2026-03-12T14:00:00.000Z" } },
};
const WORDS = { exists: { field: "words" } };
const HIT_SOURCE = { excludes: ["words"] };

describe("filters", () => {
  test("every filter in its Elasticsearch form", () => {
    const request = searchRequestSchema.parse({
      from: FROM,
      to: TO,
      agents: "a1,a2",
      devices: "10.1.0.1",
      severity: "warning",
      topics: "dhcp",
      datasets: "firewall,dhcp",
      ip: "10.1.0.0/16",
      mac: "A4-C3-F0-36-4A-02",
      port: "56687",
      user: "oda-105",
      nat: "198.51.100.1:56687",
    });
    expect(filterQuery(request, ["h1"])).toEqual({
      bool: {
        filter: [
          H1,
          TIME,
          { terms: { agent_id: ["a1", "a2"] } },
          { terms: { device_ip: ["10.1.0.1"] } },
          { range: { severity: { lte: 4 } } },
          { terms: { topics: ["dhcp"] } },
          { terms: { dataset: ["firewall", "dhcp"] } },
          {
            bool: {
              should: [
                { term: { src_ip: "10.1.0.0/16" } },
                { term: { dst_ip: "10.1.0.0/16" } },
                { term: { nat_ip: "10.1.0.0/16" } },
              ],
              minimum_should_match: 1,
            },
          },
          { term: { src_mac: "a4:c3:f0:36:4a:02" } },
          {
            bool: {
              should: [
                { term: { src_port: 56687 } },
                { term: { dst_port: 56687 } },
                { term: { nat_port: 56687 } },
              ],
              minimum_should_match: 1,
            },
          },
          { term: { user_name: "oda-105" } },
          { term: { nat_ip: "198.51.100.1" } },
          { term: { nat_port: 56687 } },
        ],
      },
    });
  });

  test("a NAT address without a port filters on the address only", () => {
    const request = searchRequestSchema.parse({ from: FROM, to: TO, nat: "198.51.100.1" });
    expect(filterQuery(request, ["h1"])).toEqual({
      bool: { filter: [H1, TIME, { term: { nat_ip: "198.51.100.1" } }] },
    });
  });
});

describe("free text", () => {
  test("Turkish folds as the index folds: İZMİR is the word izmir", () => {
    expect(textQuery("İZMİR")).toEqual({
      filter: [WORDS, { term: { words: "izmir" } }],
      mustNot: [],
    });
    expect(textQuery("ŞİŞLİ ılık")).toEqual({
      filter: [WORDS, { term: { words: "sisli" } }, { term: { words: "ilik" } }],
      mustNot: [],
    });
  });

  test("OR, -not, phrases, prefixes and numbers", () => {
    expect(textQuery('dhcp OR hotspot -wireless "logged out" redmi* 56687 -10.2.2.157')).toEqual({
      filter: [
        WORDS,
        {
          bool: {
            should: [{ term: { words: "dhcp" } }, { term: { words: "hotspot" } }],
            minimum_should_match: 1,
          },
        },
        { bool: { must_not: [{ term: { words: "wireless" } }] } },
        { bool: { filter: [{ term: { words: "logged" } }, { term: { words: "out" } }] } },
        { prefix: { words: "redmi" } },
        { wildcard: { raw: { value: "*56687*", case_insensitive: true } } },
      ],
      mustNot: [{ wildcard: { raw: { value: "*10.2.2.157*", case_insensitive: true } } }],
    });
  });

  test("a number alone is a substring of the line; wildcard characters in it are literal", () => {
    expect(textQuery("56*87?")).toEqual({
      filter: [{ wildcard: { raw: { value: "*56\\*87\\?*", case_insensitive: true } } }],
      mustNot: [],
    });
  });

  test("in a search, text goes beside the other filters", () => {
    const request = searchRequestSchema.parse({ from: FROM, to: TO, text: "İzmir -5" });
    expect(filterQuery(request, ["h1"])).toEqual({
      bool: {
        filter: [H1, TIME, WORDS, { term: { words: "izmir" } }],
        must_not: [{ wildcard: { raw: { value: "*5*", case_insensitive: true } } }],
      },
    });
  });
});

const hit = (over: Partial<EventHit>): EventHit =>
  ({ received_at: "2026-03-12T12:00:00.000250Z", agent: "a1", seq: 42, ...over }) as EventHit;

describe("search", () => {
  test("a page: newest first by receive time, agent, seq; one more than the limit", () => {
    const request = searchRequestSchema.parse({ from: FROM, to: TO, limit: 50 });
    expect(searchBody(request, ["h1"])).toEqual({
      query: { bool: { filter: [H1, TIME] } },
      sort: [
        { received_at: { order: "desc", format: "strict_date_optional_time_nanos" } },
        { agent_id: { order: "desc" } },
        { seq: { order: "desc" } },
      ],
      size: 51,
      track_total_hits: false,
      _source: HIT_SOURCE,
    });
  });

  test("the cursor postgres.ts gives out is search_after here (µs time, agent, seq)", () => {
    const cursor = encodeCursor(hit({}));
    const request = searchRequestSchema.parse({ from: FROM, to: TO, sort: "asc", cursor });
    const body = searchBody(request, ["h1"]);
    expect(body.search_after).toEqual(["2026-03-12T12:00:00.000250Z", "a1", 42]);
    expect(body.sort).toEqual([
      { received_at: { order: "asc", format: "strict_date_optional_time_nanos" } },
      { agent_id: { order: "asc" } },
      { seq: { order: "asc" } },
    ]);
    expect(decodeCursor(cursor)).toEqual({ t: "2026-03-12T12:00:00.000250Z", a: "a1", s: 42 });
  });

  test("a cursor this hub did not give out is refused", () => {
    const request = searchRequestSchema.parse({ from: FROM, to: TO, cursor: "bm9wZQ" });
    expect(() => searchBody(request, ["h1"])).toThrow("cursor is not one this hub gave out");
  });
});

test("histogram: the interval postgres.ts picks, aligned to the epoch", () => {
  const request = histogramRequestSchema.parse({ from: FROM, to: TO, buckets: 60 });
  const { body, intervalMs } = histogramBody(request, ["h1"]);
  expect(intervalMs).toBe(histogramInterval(Date.parse(FROM), Date.parse(TO), 60));
  expect(intervalMs).toBe(300_000);
  expect(body).toEqual({
    query: { bool: { filter: [H1, TIME] } },
    size: 0,
    track_total_hits: false,
    aggs: {
      buckets: {
        date_histogram: {
          field: "received_at",
          fixed_interval: "300000ms",
          min_doc_count: 1,
          format: "strict_date_optional_time",
        },
      },
    },
  });
});

test("top: a terms aggregation on the field's column, and the events without it", () => {
  const request = topRequestSchema.parse({ from: FROM, to: TO, field: "user", limit: 5 });
  expect(topBody(request, ["h1"])).toEqual({
    query: { bool: { filter: [H1, TIME] } },
    size: 0,
    track_total_hits: false,
    aggs: {
      values: {
        terms: {
          field: "user_name",
          size: 5,
          shard_size: 100,
          order: [{ _count: "desc" }, { _key: "asc" }],
        },
      },
      none: { missing: { field: "user_name" } },
    },
  });
});

test("context: the same agent by seq, a day either side of the hit", () => {
  const request = contextRequestSchema.parse({
    agent: "a1",
    seq: 100,
    at: "2026-03-12T12:00:00Z",
    before: 3,
    after: 0,
  });
  const bodies = contextBodies(request, ["h1", "h2"]);
  const side = (seq: object, order: "asc" | "desc", size: number): Record<string, unknown> => ({
    query: {
      bool: {
        filter: [
          { terms: { hotel_id: ["h1", "h2"] } },
          { term: { agent_id: "a1" } },
          {
            range: {
              received_at: { gte: "2026-03-11T12:00:00.000Z", lte: "2026-03-13T12:00:00.000Z" },
            },
          },
          { range: { seq } },
        ],
      },
    },
    sort: [{ seq: { order } }],
    size,
    track_total_hits: false,
    _source: HIT_SOURCE,
  });
  expect(bodies.before).toEqual(side({ lt: 100 }, "desc", 3));
  expect(bodies.hit).toEqual(side({ gte: 100, lte: 100 }, "asc", 1));
  expect(bodies.after).toBeUndefined();
});

test("evidence: by agent:seq ids, bounded by the references' receive times", () => {
  const body = evidenceBody(
    ["h1"],
    [
      { agent: "a1", seq: 7, at: "2026-03-12T12:00:00.000250Z" },
      { agent: "a1", seq: 3, at: "2026-03-12T11:00:00.000001Z" },
      { agent: "a1", seq: 7, at: "2026-03-12T12:00:00.000250Z" },
    ],
  );
  expect(body).toEqual({
    query: {
      bool: {
        filter: [
          H1,
          { ids: { values: ["a1:7", "a1:3"] } },
          {
            range: {
              received_at: {
                gte: "2026-03-12T11:00:00.000001Z",
                lte: "2026-03-12T12:00:00.000250Z",
              },
            },
          },
        ],
      },
    },
    size: 3,
    track_total_hits: false,
    _source: HIT_SOURCE,
  });
});

test("NAT: last before T within a day, first within a minute after, those within 5 minutes", () => {
  const bodies = natBodies(["h1"], {
    ip: "198.51.100.1",
    port: 56687,
    at: new Date("2026-03-12T12:00:00Z"),
  });
  const search = (range: object, order: "asc" | "desc", size: number): Record<string, unknown> => ({
    query: {
      bool: {
        filter: [
          H1,
          { term: { nat_ip: "198.51.100.1" } },
          { term: { nat_port: 56687 } },
          { range: { received_at: range } },
        ],
      },
    },
    sort: [
      { received_at: { order, format: "strict_date_optional_time_nanos" } },
      { agent_id: { order } },
      { seq: { order } },
    ],
    size,
    track_total_hits: false,
    _source: HIT_SOURCE,
  });
  expect(bodies.before).toEqual(
    search({ gt: "2026-03-11T12:00:00.000Z", lte: "2026-03-12T12:00:00.000Z" }, "desc", 1),
  );
  expect(bodies.after).toEqual(
    search({ gt: "2026-03-12T12:00:00.000Z", lte: "2026-03-12T12:01:00.000Z" }, "asc", 1),
  );
  expect(bodies.nearby).toEqual(
    search({ gte: "2026-03-12T11:55:00.000Z", lte: "2026-03-12T12:05:00.000Z" }, "asc", 20),
  );
});

describe("hotel scope", () => {
  const scope = readScope(["h1"]);
  const hotelFilters = (body: unknown): unknown[] =>
    JSON.stringify(body)
      .match(/\{"terms":\{"hotel_id":\[[^\]]*\]\}\}/g)
      ?.map((text) => JSON.parse(text)) ?? [];

  test("every body of every query type carries the scope's hotels, and only them", () => {
    // The request asks for hotel h2 as well: narrowScope refuses it before any body is built...
    const asked = searchRequestSchema.parse({ from: FROM, to: TO, hotels: "h1,h2" });
    expect(() => narrowScope(scope, asked.hotels)).toThrow(ScopeError);
    // ...and a builder never reads the request's hotels: only the list it is given.
    const hotels = narrowScope(scope, undefined);
    const histogram = histogramRequestSchema.parse({ from: FROM, to: TO, hotels: "h2" });
    const top = topRequestSchema.parse({ from: FROM, to: TO, field: "hotel", hotels: "h2" });
    const context = contextRequestSchema.parse({ agent: "h2-agent", seq: 5, at: FROM });
    const bodies = [
      searchBody(asked, hotels),
      histogramBody(histogram, hotels).body,
      topBody(top, hotels),
      ...Object.values(contextBodies(context, scope.hotels)),
      evidenceBody(hotels, [{ agent: "h2-agent", seq: 1, at: "2026-03-12T11:00:00.000000Z" }]),
      ...Object.values(natBodies(hotels, { ip: "198.51.100.1", port: 1, at: new Date(FROM) })),
    ];
    expect(bodies).toHaveLength(10);
    for (const body of bodies) {
      expect(hotelFilters(body)).toEqual([H1]);
      expect(JSON.stringify(body)).not.toContain('"h2"');
    }
  });

  test("no hotels is refused, never a query over every hotel", () => {
    const request = searchRequestSchema.parse({ from: FROM, to: TO });
    expect(() => searchBody(request, [])).toThrow(ScopeError);
    expect(() => evidenceBody([], [])).toThrow(ScopeError);
    expect(() => natBodies([], { ip: "198.51.100.1", port: 1, at: new Date(FROM) })).toThrow(
      ScopeError,
    );
  });
});
