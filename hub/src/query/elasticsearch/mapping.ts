/**
 * How an event is held in Elasticsearch: daily indices
 * `<prefix>-YYYY.MM.DD` (by the receive time's UTC day) made from one index
 * template with an explicit, strict mapping. Field names are the columns of
 * PostgreSQL's `events` (hub/src/index/rows.ts `EVENT_COLUMNS`) plus `chunk`,
 * the custody chunk id, so a document reads like a row and
 * hub/src/query/postgres.ts `hitOf` turns both into the same hit.
 * docs/decisions.md "Elasticsearch backend" says why each type.
 */

import type { estypes } from "@elastic/elasticsearch";
import type { EventRow } from "../../index/rows.ts";
import { ScopeError } from "../scope.ts";
import type { ElasticsearchClient } from "./client.ts";

/** The default index prefix; tests use one of their own. */
export const DEFAULT_INDEX_PREFIX = "logmaster-events";

/** Bumped when the mapping changes (new daily indices take the new one; old ones keep theirs). */
export const MAPPING_VERSION = 1;

/** An event document, as sent and as found in `_source`. */
export interface EventDocument {
  received_at: string;
  hotel_id: string;
  agent_id: string;
  chunk_id: number;
  chunk: string;
  seq: number;
  logged_at: string | null;
  device_ip: string;
  host: string | null;
  severity: number | null;
  dataset: string | null;
  topics: string[] | null;
  action: string | null;
  src_ip: string | null;
  src_port: number | null;
  src_mac: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  nat_ip: string | null;
  nat_port: number | null;
  protocol: string | null;
  user_name: string | null;
  raw: string;
  /** The folded words of the message (hub/src/index/words.ts), each once. */
  words: string[];
}

/** Keywords a parser might fill with something long: past this they are kept but not indexed (never a failed document). */
const LONG_KEYWORD = { type: "keyword", ignore_above: 1024 } as const;

const PROPERTIES: Record<keyof EventDocument, estypes.MappingProperty> = {
  // Microseconds matter (evidence is found by the exact receive time): date_nanos keeps them.
  received_at: { type: "date_nanos" },
  hotel_id: { type: "keyword" },
  agent_id: { type: "keyword" },
  chunk_id: { type: "long" },
  chunk: { type: "keyword" },
  seq: { type: "long" },
  // A router's own clock: any year it may claim; `_source` keeps the µs text.
  logged_at: { type: "date" },
  device_ip: { type: "ip" },
  host: LONG_KEYWORD,
  severity: { type: "byte" },
  dataset: LONG_KEYWORD,
  topics: { type: "keyword", ignore_above: 256 },
  action: LONG_KEYWORD,
  src_ip: { type: "ip" },
  src_port: { type: "integer" },
  src_mac: { type: "keyword" },
  dst_ip: { type: "ip" },
  dst_port: { type: "integer" },
  nat_ip: { type: "ip" },
  nat_port: { type: "integer" },
  protocol: LONG_KEYWORD,
  user_name: LONG_KEYWORD,
  // Substrings (`56687`, `10.2.2.157`) are found in the line itself: the
  // wildcard type indexes n-grams for `*term*` queries, as strpos does in PostgreSQL.
  raw: { type: "wildcard" },
  words: { type: "keyword", ignore_above: 512 },
};

/**
 * The index template of a prefix (the request body of `PUT _index_template/<prefix>`).
 *
 * @example
 * await client.indices.putIndexTemplate(eventsIndexTemplate("logmaster-events"));
 */
export function eventsIndexTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: prefix,
    index_patterns: [`${prefix}-*`],
    // Above the built-in templates (100 and below) that match broad patterns.
    priority: 500,
    version: MAPPING_VERSION,
    _meta: { description: "LogMaster events, one index per UTC day", managed_by: "logmaster-hub" },
    allow_auto_create: true,
    template: {
      settings: {
        number_of_shards: 1,
        refresh_interval: "5s",
        codec: "best_compression",
      },
      mappings: {
        dynamic: "strict",
        properties: PROPERTIES,
      },
    },
  };
}

/**
 * Install (or replace with the same) template: idempotent, run at every start.
 *
 * @example
 * await installEventsTemplate(client, "logmaster-events");
 */
export async function installEventsTemplate(
  client: ElasticsearchClient,
  prefix: string,
  options: { requestTimeout?: number; maxRetries?: number } = {},
): Promise<void> {
  await client.indices.putIndexTemplate(eventsIndexTemplate(prefix), options);
}

/** Every daily index of a prefix (what queries read; the receive-time range lets Elasticsearch skip the other days). */
export const eventsIndexPattern = (prefix: string) => `${prefix}-*`;

/** The daily index of a receive time: `<prefix>-YYYY.MM.DD` of its UTC day. */
export function dailyIndexName(prefix: string, receivedAt: string): string {
  return `${prefix}-${new Date(receivedAt).toISOString().slice(0, 10).replaceAll("-", ".")}`;
}

/** A document's `_id`: one per agent and seq, so a retried index step rewrites, never duplicates. */
export const documentId = (agentId: string, seq: number) => `${agentId}:${seq}`;

/**
 * Any ISO 8601 time as UTC with six fraction digits, the form PostgreSQL
 * renders (hub/src/query/time.ts `utcText`) and evidence is compared in.
 */
export function utcMicros(iso: string): string {
  const ms = Date.parse(iso);
  const fraction = /T[\d:]+\.(\d+)/.exec(iso)?.[1] ?? "";
  const subMs = fraction.padEnd(6, "0").slice(3, 6);
  return `${new Date(ms).toISOString().slice(0, -1)}${subMs}Z`;
}

/**
 * The document of an event row.
 *
 * @example
 * const doc = eventDocument(row); // { received_at: "2026-03-12T11:30:00.000250Z", hotel_id: "grand", ... }
 */
export function eventDocument(row: EventRow): EventDocument {
  return {
    received_at: utcMicros(row.receivedAt),
    hotel_id: row.hotelId,
    agent_id: row.agentId,
    chunk_id: row.chunkId,
    chunk: row.chunk,
    seq: row.seq,
    logged_at: row.loggedAt === null ? null : utcMicros(row.loggedAt),
    device_ip: row.deviceIp,
    host: row.host,
    severity: row.severity,
    dataset: row.dataset,
    topics: row.topics,
    action: row.action,
    src_ip: row.srcIp,
    src_port: row.srcPort,
    src_mac: row.srcMac,
    dst_ip: row.dstIp,
    dst_port: row.dstPort,
    nat_ip: row.natIp,
    nat_port: row.natPort,
    protocol: row.protocol,
    user_name: row.userName,
    raw: row.raw,
    words: row.words ?? [],
  };
}

/**
 * The hotel filter every query carries: built here from the hotels of the
 * caller's scope (already narrowed), never from a request body. An empty
 * list is refused: a query without hotels would read every hotel.
 */
export function hotelFilter(hotels: readonly string[]): estypes.QueryDslQueryContainer {
  if (hotels.length === 0) throw new ScopeError("a read needs at least one hotel in scope");
  return { terms: { hotel_id: [...new Set(hotels)] } };
}
