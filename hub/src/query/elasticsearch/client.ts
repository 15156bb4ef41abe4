/**
 * The one place an Elasticsearch client is made. Under Bun the client's
 * default transport (undici's Pool) does not run: it fails with a TypeError
 * instead of a connection error. `HttpConnection` (node:http) works and
 * reports errors properly (docs/decisions.md "Elasticsearch backend").
 */
import { Client, HttpConnection } from "@elastic/elasticsearch";

export type { Client as ElasticsearchClient } from "@elastic/elasticsearch";

/** ELASTICSEARCH_URL without its credentials, for messages and logs. */
export function describeElasticsearchUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

/**
 * A client of the cluster at `url` (credentials may be in the URL:
 * `https://user:password@es.example:9200`).
 *
 * @example
 * const client = openElasticsearch(config.elasticsearchUrl);
 * await client.info();
 */
export function openElasticsearch(
  url: string,
  options: { requestTimeoutMs?: number; maxRetries?: number } = {},
): Client {
  return new Client({
    node: url,
    Connection: HttpConnection,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
  });
}

/** Elasticsearch did not answer, or refused, when the hub started: names the setting to fix. */
export class ElasticsearchUnavailableError extends Error {
  override readonly name = "ElasticsearchUnavailableError";
}
