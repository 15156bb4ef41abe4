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

/**
 * A clause of free text over the words: a word (or a prefix, `redmi*`), a
 * negation (`-wireless`), words that must all be there (a phrase) or
 * alternatives (`dhcp OR hotspot`). The query is the AND of its clauses.
 */
export type WordClause =
  | { word: string; prefix: boolean }
  | { not: WordClause }
  | { all: WordClause[] }
  | { any: WordClause[] };

export interface TextQuery {
  /** The words' clauses, ANDed (none when no word was given); {@link tsqueryOf} renders them. */
  clauses: WordClause[];
  /** Lower-case substrings the raw line must contain (numbers and addresses have no words). */
  contains: string[];
  /** Lower-case substrings the raw line must not contain. */
  excludes: string[];
}

/** A clause as tsquery text (`'a' & !('b' | 'c':*)`). */
export function renderClause(clause: WordClause): string {
  if ("word" in clause) return `${lexeme(clause.word)}${clause.prefix ? ":*" : ""}`;
  if ("not" in clause) return `!${renderClause(clause.not)}`;
  if ("all" in clause) return `(${clause.all.map(renderClause).join(" & ")})`;
  return `(${clause.any.map(renderClause).join(" | ")})`;
}

/** Clauses ANDed, as a tsquery literal over a line's words. */
export function tsqueryOf(clauses: readonly WordClause[]): string {
  return clauses.map(renderClause).join(" & ");
}

/** Split on spaces, keeping "quoted phrases" together. */
function tokens(text: string): string[] {
  return [...text.matchAll(/-?"[^"]*"|\S+/g)].map((m) => m[0]);
}

/** Alternatives as one clause (one alone is itself). */
const anyOf = (clauses: WordClause[]): WordClause =>
  clauses.length > 1 ? { any: clauses } : (clauses[0] as WordClause);

/**
 * @example
 * parseTextQuery('dhcp OR hotspot -wireless "logged out" 56687');
 * // { clauses: [...], contains: ["56687"], excludes: [] }
 * tsqueryOf(parseTextQuery("dhcp OR hotspot -wireless").clauses); // "('dhcp' | 'hotspot') & !'wireless'"
 */
export function parseTextQuery(text: string): TextQuery {
  const groups: WordClause[][] = [[]];
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
    const terms = words.map((word, i) => ({ word, prefix: prefix && i === words.length - 1 }));
    const grouped: WordClause = terms.length > 1 ? { all: terms } : (terms[0] as WordClause);
    (groups.at(-1) as WordClause[]).push(negate ? { not: grouped } : grouped);
  }
  // `a OR b c`: the OR joins the term before it and the term after it.
  const clauses: WordClause[] = [];
  let pendingOr: WordClause[] = [];
  groups.forEach((group, index) => {
    if (index > 0 && group.length > 0) {
      pendingOr.push(group[0] as WordClause);
      group = group.slice(1);
    }
    if (index < groups.length - 1 && group.length > 0) {
      clauses.push(...group.slice(0, -1));
      if (pendingOr.length > 0) clauses.push(anyOf(pendingOr));
      pendingOr = [group.at(-1) as WordClause];
      return;
    }
    if (pendingOr.length > 0) {
      clauses.push(anyOf(pendingOr));
      pendingOr = [];
    }
    clauses.push(...group);
  });
  if (pendingOr.length > 0) clauses.push(anyOf(pendingOr));
  return { clauses, contains, excludes };
}
