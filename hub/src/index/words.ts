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

/** Characters that may be inside a word besides letters and digits: `. : _ @ / -`. */
const JOINERS = new Set([0x2e, 0x3a, 0x5f, 0x40, 0x2f, 0x2d]);
const LETTER = /\p{L}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * The folded words of a text, each once, in first-seen order. One pass over
 * the characters (a regex split and per-word trims cost 3x as much).
 *
 * @example
 * searchWords("dhcp-guest assigned 10.2.2.157 for A4:C3:F0:36:4A:02 Redmi-Note-12");
 * // ["dhcp-guest", "assigned", "for", "a4:c3:f0:36:4a:02", "redmi-note-12"]
 */
export function searchWords(text: string): string[] {
  const folded = foldForSearch(text);
  const seen = new Set<string>();
  const length = folded.length;
  let start = -1;
  let lastWordChar = -1;
  let hasLetter = false;
  const end = () => {
    // Joiners at the edges are not part of the word: `timeout.` is `timeout`.
    if (start !== -1 && hasLetter && lastWordChar - start < 100)
      seen.add(folded.slice(start, lastWordChar + 1));
    start = -1;
    hasLetter = false;
  };
  for (let i = 0; i < length; i++) {
    const code = folded.charCodeAt(i);
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) {
      if (start === -1) start = i;
      if (code >= 0x61) hasLetter = true;
      lastWordChar = i;
    } else if (JOINERS.has(code)) {
      // A joiner only joins: it neither starts a word nor ends one.
    } else if (code >= 0x80 && WORD_CHAR.test(folded[i] as string)) {
      if (start === -1) start = i;
      if (LETTER.test(folded[i] as string)) hasLetter = true;
      lastWordChar = i;
    } else {
      end();
    }
  }
  end();
  return [...seen];
}

/** A word as a tsvector or tsquery lexeme literal: quoted, quotes and backslashes escaped. */
export function lexeme(word: string): string {
  if (!word.includes("'") && !word.includes("\\")) return `'${word}'`;
  return `'${word.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** The `tsvector` text of a message's words (null when it has none). */
export function wordsVector(message: string): string | null {
  const words = searchWords(message);
  return words.length === 0 ? null : words.map(lexeme).join(" ");
}

/** The words of a `tsvector` literal, the inverse of {@link wordsVector}: `'a' 'b''c'` -> `["a", "b'c"]`. */
export function wordsOfVector(vector: string | null): string[] {
  if (!vector) return [];
  const words: string[] = [];
  for (const match of vector.matchAll(/'((?:[^'\\]|''|\\.)*)'/g)) {
    words.push((match[1] as string).replace(/''/g, "'").replace(/\\(.)/g, "$1"));
  }
  return words;
}
