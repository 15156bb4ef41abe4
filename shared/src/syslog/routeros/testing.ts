/** Helpers for the family parsers' tests. */
import type { RouterOsFields } from "../event.ts";

/** What a family parser writes for `body`, as one object; undefined when it does not read it. */
export function fieldsOf(
  parse: (body: string, out: RouterOsFields) => boolean,
  body: string,
): RouterOsFields | undefined {
  const out: RouterOsFields = {};
  return parse(body, out) ? out : undefined;
}
