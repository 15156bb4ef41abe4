/**
 * Free text as users type it into a log search box, turned into a tsquery
 * over the indexed words (hub/src/index/words.ts) and substring tests for
 * what words leave out (numbers, addresses):
 * - `timeout oda-105`: both;  `"keepalive timeout"`: both words;
 * - `-wireless`: not;  `dhcp OR hotspot`: either;  `redmi*`: prefix;
 * - `56687` or `10.2.2.157`: the line contains it.
 * Turkish letters fold as in the index: `İZMİR` finds `izmir` and `ızmır`.
 */
import { foldForSearch, lexeme, searchWords } from "../index/words.ts";

export interface TextQuery {
  /** A tsquery literal over `events.words`, or undefined when no word was given. */
  tsquery?: string;
  /** Lower-case substrings the raw line must contain (numbers and addresses have no words). */
  contains: string[];
  /** Lower-case substrings the raw line must not contain. */
  excludes: string[];
}

/** Split on spaces, keeping "quoted phrases" together. */
function tokens(text: string): string[] {
  return [...text.matchAll(/-?"[^"]*"|\S+/g)].map((m) => m[0]);
}

/**
 * @example
 * parseTextQuery('dhcp OR hotspot -wireless "logged out" 56687');
 * // { tsquery: "('dhcp' | 'hotspot') & !'wireless' & ('logged' & 'out')", contains: ["56687"], excludes: [] }
 */
export function parseTextQuery(text: string): TextQuery {
  const groups: string[][] = [[]];
  const contains: string[] = [];
  const excludes: string[] = [];
  for (const token of tokens(text)) {
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    const negate = token.startsWith("-") && token.length > 1;
    const body = (negate ? token.slice(1) : token).replace(/^"|"$/g, "");
    const prefix = body.endsWith("*");
    const words = searchWords(prefix ? body.slice(0, -1) : body);
    if (words.length === 0) {
      const literal = foldForSearch(body.replace(/\*$/, "")).trim();
      if (literal) (negate ? excludes : contains).push(literal);
      continue;
    }
    const term = words
      .map((word, i) => `${lexeme(word)}${prefix && i === words.length - 1 ? ":*" : ""}`)
      .join(" & ");
    const grouped = words.length > 1 ? `(${term})` : term;
    (groups.at(-1) as string[]).push(negate ? `!${grouped}` : grouped);
  }
  // `a OR b c`: the OR joins the term before it and the term after it.
  const clauses: string[] = [];
  let pendingOr: string[] = [];
  groups.forEach((group, index) => {
    if (index > 0 && group.length > 0) {
      pendingOr.push(group[0] as string);
      group = group.slice(1);
    }
    if (index < groups.length - 1 && group.length > 0) {
      clauses.push(...group.slice(0, -1));
      if (pendingOr.length > 0) clauses.push(`(${pendingOr.join(" | ")})`);
      pendingOr = [group.at(-1) as string];
      return;
    }
    if (pendingOr.length > 0) {
      clauses.push(pendingOr.length > 1 ? `(${pendingOr.join(" | ")})` : (pendingOr[0] as string));
      pendingOr = [];
    }
    clauses.push(...group);
  });
  if (pendingOr.length > 0)
    clauses.push(pendingOr.length > 1 ? `(${pendingOr.join(" | ")})` : (pendingOr[0] as string));
  return { ...(clauses.length > 0 ? { tsquery: clauses.join(" & ") } : {}), contains, excludes };
}
