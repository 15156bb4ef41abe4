/**
 * Event rows into Elasticsearch, one daily index per UTC day of receive
 * time. The index step calls `write` inside its PostgreSQL transaction and
 * moves the watermark after it: a document is written before the step
 * commits, so a failed or retried step writes the same documents again.
 * Ids make that harmless (`agent:seq` is unique for ever: seq is never
 * reused), and a step whose documents did not all land throws, so its
 * transaction rolls back and the same bytes are indexed again. Nothing is
 * lost; nothing is doubled.
 */
import type { ElasticsearchClient } from "../query/elasticsearch/client.ts";
import {
  DEFAULT_INDEX_PREFIX,
  dailyIndexName,
  documentId,
  type EventDocument,
  eventDocument,
  eventsIndexPattern,
} from "../query/elasticsearch/mapping.ts";
import type { EventSink } from "./sink.ts";

/** Some documents of a step were refused (after retries for 429): the step must not commit. */
export class ElasticsearchBulkError extends Error {
  override readonly name = "ElasticsearchBulkError";
}

export interface ElasticsearchSinkOptions {
  indexPrefix?: string;
  /** Times a document refused with 429 (cluster busy) is sent again. Default 3. */
  retries?: number;
  /** Wait between those tries. Default 1 s. */
  retryWaitMs?: number;
  /** Make written documents searchable before `write` returns (tests). */
  refresh?: boolean;
  /** Chunk ids per delete-by-query of `remove` (a terms query takes at most 65,536). */
  removeBatch?: number;
}

/**
 * @example
 * const sink = elasticsearchEventSink(openElasticsearch(config.elasticsearchUrl));
 * startIndexer({ db, raw, events, queue, tail, sink });
 */
export function elasticsearchEventSink(
  client: ElasticsearchClient,
  options: ElasticsearchSinkOptions = {},
): EventSink {
  const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  return {
    kind: "elasticsearch",
    async write(_tx, rows) {
      if (rows.length === 0) return;
      const refused: string[] = [];
      let refusedCount = 0;
      const stats = await client.helpers.bulk<EventDocument>({
        datasource: rows.map(eventDocument),
        onDocument: (doc) => ({
          index: {
            _index: dailyIndexName(prefix, doc.received_at),
            _id: documentId(doc.agent_id, doc.seq),
          },
        }),
        retries: options.retries ?? 3,
        wait: options.retryWaitMs ?? 1000,
        refreshOnCompletion: options.refresh ? eventsIndexPattern(prefix) : false,
        onDrop: (dropped) => {
          refusedCount++;
          if (refused.length < 3) {
            const reason = dropped.error
              ? `${dropped.error.type}: ${dropped.error.reason ?? ""}`
              : "cluster busy (429)";
            refused.push(
              `${documentId(dropped.document.agent_id, dropped.document.seq)} (${dropped.status} ${reason})`,
            );
          }
        },
      });
      if (stats.failed > 0 || refusedCount > 0 || stats.aborted) {
        throw new ElasticsearchBulkError(
          `Elasticsearch refused ${Math.max(stats.failed, refusedCount)} of ${rows.length} events: ${refused.join("; ")}`,
        );
      }
    },
    async remove({ hotelId, chunkIds }) {
      const batch = options.removeBatch ?? 10_000;
      for (let at = 0; at < chunkIds.length; at += batch) {
        await client.deleteByQuery(
          {
            index: eventsIndexPattern(prefix),
            ignore_unavailable: true,
            allow_no_indices: true,
            conflicts: "proceed",
            refresh: true,
            query: {
              bool: {
                filter: [
                  { term: { hotel_id: hotelId } },
                  { terms: { chunk_id: chunkIds.slice(at, at + batch) } },
                ],
              },
            },
          },
          // A hotel's two years can be millions of documents: wait for it.
          { requestTimeout: 3_600_000 },
        );
      }
    },
  };
}
