/**
 * `related.ip`, `related.mac` and `related.user`: every address and user a line
 * names, whichever field it also went to, so that "who had IP X at time T" is one
 * search. Header readers and the RouterOS extractor add to the same lists.
 */
import type { SyslogEvent } from "./event.ts";

export type RelatedKey = "related.ip" | "related.mac" | "related.user";

/** Adds `value` to a `related.*` list of `event` once. */
export function addRelated(
  event: Pick<SyslogEvent, RelatedKey>,
  key: RelatedKey,
  value: string,
): void {
  const list = event[key];
  if (list === undefined) event[key] = [value];
  else if (!list.includes(value)) list.push(value);
}
