/**
 * The words of a line that free-text search matches, made here rather than by
 * PostgreSQL's to_tsvector: measured on the hotel mix, to_tsvector plus a
 * folding function in the index expression cut the load rate from 78,000 to
 * 10,000 events/s; lexemes made in the hub and loaded as a `tsvector` cost
 * a fraction of that (docs/decisions.md "Free text").
 *
 * A word is a run of letters, digits and `. : _ @ / -` that holds at least
 * one letter (addresses, ports and numbers have typed columns and filters),
 * folded: lower case, Turkish letters to ASCII (`İ I ı i` are all `i`,
 * `ş` is `s`...), so "IZMIR", "İzmir", "izmir" and "ızmır" are one word and
 * "sisli" finds "Şişli". The query side folds with the same function.
 */

const TURKISH = /[İIıÇçĞğÖöŞşÜüÂâÎîÛû]/g;
const ASCII_OF: Record<string, string> = {
  İ: "i",
  I: "i",
  ı: "i",
  Ç: "c",
  ç: "c",
  Ğ: "g",
  ğ: "g",
  Ö: "o",
  ö: "o",
  Ş: "s",
  ş: "s",
  Ü: "u",
  ü: "u",
  Â: "a",
  â: "a",
  Î: "i",
  î: "i",
  Û: "u",
  û: "u",
};
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point.
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Fold text for matching: Turkish letters to ASCII, then lower case.
 *
 * @example
 * foldForSearch("İZMİR Şişli ılık"); // "izmir sisli ilik"
 */
export function foldForSearch(text: string): string {
  // `I` is ASCII but folds with the Turkish i's: replace before lower-casing.
  const turkish =
    NON_ASCII.test(text) || text.includes("I")
      ? text.replace(TURKISH, (c) => ASCII_OF[c] ?? c)
      : text;
  return turkish.toLowerCase();
}

/** A character of folded text, by class: a letter, a digit, a joiner or a separator. */
const LETTER_CHAR = 1;
const DIGIT_CHAR = 2;
const JOINER_CHAR = 3;
const SEPARATOR_CHAR = 0;
/** The class of each ASCII code. Joiners may be inside a word besides letters and digits: `. : _ @ / -`. */
const ASCII_CLASS = new Uint8Array(128);
for (let code = 0x61; code <= 0x7a; code++) ASCII_CLASS[code] = LETTER_CHAR;
for (let code = 0x30; code <= 0x39; code++) ASCII_CLASS[code] = DIGIT_CHAR;
for (const joiner of ".:_@/-") ASCII_CLASS[joiner.charCodeAt(0)] = JOINER_CHAR;
const LETTER = /\p{L}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Up to this many words a list is searched for a repeat; past it a set is kept. */
const FEW_WORDS = 32;

/**
 * The folded words of a text, each once, in first-seen order. One pass over
 * the characters with a table for ASCII (a regex split and per-word trims
 * cost 3x as much, a set of joiners and a set per line 1.6x).
 *
 * @example
 * searchWords("dhcp-guest assigned 10.2.2.157 for A4:C3:F0:36:4A:02 Redmi-Note-12");
 * // ["dhcp-guest", "assigned", "for", "a4:c3:f0:36:4a:02", "redmi-note-12"]
 */
export function searchWords(text: string): string[] {
  const folded = foldForSearch(text);
  const words: string[] = [];
  let many: Set<string> | undefined;
  const length = folded.length;
  let start = -1;
  let lastWordChar = -1;
  let hasLetter = false;
  for (let i = 0; i <= length; i++) {
    let kind = SEPARATOR_CHAR;
    if (i < length) {
      const code = folded.charCodeAt(i);
      if (code < 0x80) kind = ASCII_CLASS[code] as number;
      else {
        const char = folded[i] as string;
        kind = LETTER.test(char) ? LETTER_CHAR : WORD_CHAR.test(char) ? DIGIT_CHAR : SEPARATOR_CHAR;
      }
    }
    if (kind === LETTER_CHAR || kind === DIGIT_CHAR) {
      if (start === -1) start = i;
      if (kind === LETTER_CHAR) hasLetter = true;
      lastWordChar = i;
    } else if (kind === SEPARATOR_CHAR) {
      // Joiners at the edges are not part of the word: `timeout.` is `timeout`.
      if (start !== -1 && hasLetter && lastWordChar - start < 100) {
        const word = folded.slice(start, lastWordChar + 1);
        if (many ? !many.has(word) : !words.includes(word)) {
          words.push(word);
          if (many) many.add(word);
          else if (words.length > FEW_WORDS) many = new Set(words);
        }
      }
      start = -1;
      hasLetter = false;
    }
    // A joiner only joins: it neither starts a word nor ends one.
  }
  return words;
}

/** A word as a tsvector or tsquery lexeme literal: quoted, quotes and backslashes escaped. */
export function lexeme(word: string): string {
  if (!word.includes("'") && !word.includes("\\")) return `'${word}'`;
  return `'${word.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/**
 * Words RouterOS writes in nearly every firewall line whatever the router's
 * configuration: the chain, the protocol and its flags, the fixed labels of
 * the line's form. They are in most rows, so a GIN entry for each cost a
 * fifth of PostgreSQL's indexing CPU while narrowing no search. The index
 * keeps them out of `events.words` (what the GIN holds) as bits of
 * `events.stop_words` (bit `i` is `STOP_WORDS[i]`), and the query side tests
 * those bits (hub/src/query/postgres.ts). Names the hotel chose (rule
 * prefixes, interfaces) and anything rarer stay words, since a search for a
 * stop word alone reads rows in time order until it has its page.
 *
 * Append only: a row keeps the split it was indexed with, so a word taken
 * out of this list (or moved) would no longer be found in the rows that hold
 * it as a bit. At most 31 (`stop_words` is an `integer`).
 */
export const STOP_WORDS = [
  "in",
  "out",
  "unknown",
  "src-mac",
  "proto",
  "len",
  "nat",
  "tcp",
  "udp",
  "icmp",
  "syn",
  "ack",
  "fin",
  "rst",
  "psh",
  "srcnat",
  "forward",
  "input",
  "connection-state:new",
  "connection-state:established",
  "connection-state:related",
] as const;

const STOP_BIT = new Map<string, number>(STOP_WORDS.map((word, i) => [word, 1 << i]));

/** The bit of a stop word in `events.stop_words`, or 0 for any other word. */
export function stopWordBit(word: string): number {
  return STOP_BIT.get(word) ?? 0;
}

/** The bits of the stop words a prefix search (`word*`) matches. */
export function stopWordPrefixBits(prefix: string): number {
  let bits = 0;
  for (const [word, bit] of STOP_BIT) if (word.startsWith(prefix)) bits |= bit;
  return bits;
}

/**
 * A row's words as `events` holds them: the words the GIN indexes and the
 * bits of the stop words among them.
 *
 * @example
 * splitStopWords(["nat-guest", "srcnat", "proto", "tcp"]); // { indexed: ["nat-guest"], stopBits: 0b1000_0000_1001_0000 }
 */
export function splitStopWords(words: readonly string[]): { indexed: string[]; stopBits: number } {
  const indexed: string[] = [];
  let stopBits = 0;
  for (const word of words) {
    const bit = STOP_BIT.get(word);
    if (bit === undefined) indexed.push(word);
    else stopBits |= bit;
  }
  return { indexed, stopBits };
}
