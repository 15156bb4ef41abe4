/**
 * The Elasticsearch backend of the read side (ELASTICSEARCH_URL): the index
 * template, the query bodies, the engine. Events only: leases, hotspot
 * sessions, gaps, devices and the watermark stay in PostgreSQL, written in
 * the index step's transaction (docs/decisions.md "Elasticsearch backend").
 */
import {
  describeElasticsearchUrl,
  type ElasticsearchClient,
  ElasticsearchUnavailableError,
  openElasticsearch,
} from "./client.ts";
import { ElasticsearchQueryEngine } from "./engine.ts";
import { DEFAULT_INDEX_PREFIX, installEventsTemplate } from "./mapping.ts";

export * from "./builders.ts";
export * from "./client.ts";
export * from "./engine.ts";
export * from "./mapping.ts";

/**
 * Open the cluster of ELASTICSEARCH_URL and install the events template.
 * Fails at once, naming the setting, when the cluster does not answer or
 * refuses (a hub that cannot index must not start as if it could).
 *
 * @example
 * const { client, engine } = await connectElasticsearch(config.elasticsearchUrl);
 */
export async function connectElasticsearch(
  url: string,
  options: { indexPrefix?: string; timeoutMs?: number } = {},
): Promise<{ client: ElasticsearchClient; engine: ElasticsearchQueryEngine }> {
  const indexPrefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const client = openElasticsearch(url);
  try {
    await installEventsTemplate(client, indexPrefix, {
      requestTimeout: options.timeoutMs ?? 10_000,
      maxRetries: 1,
    });
  } catch (error) {
    await client.close().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new ElasticsearchUnavailableError(
      `ELASTICSEARCH_URL ${describeElasticsearchUrl(url)}: could not install the index template ${indexPrefix} (${reason}). Start Elasticsearch (9.x) there, or unset ELASTICSEARCH_URL to index events in PostgreSQL.`,
      { cause: error },
    );
  }
  return { client, engine: new ElasticsearchQueryEngine(client, { indexPrefix }) };
}
