// STUB: replaced by the RouterOS extractors (helper B). Signature is the contract.
import type { RouterOsFields } from "../event.ts";

/**
 * Fields of a RouterOS message body (the text after the topics), by topic and content.
 * Never throws. `topics` may be empty when the header did not carry them.
 */
export function extractRouterOsFields(_message: string, topics: readonly string[]): RouterOsFields {
  return topics.length > 0 ? { "routeros.topics": [...topics] } : {};
}
