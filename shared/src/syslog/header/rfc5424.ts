/**
 * RFC 5424 after the PRI: `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
 * MSGID SP STRUCTURED-DATA [SP MSG]`.
 *
 * Lenient like rsyslog and Vector: every field that can be read is kept, and what
 * breaks the RFC grammar (lengths, characters, doubled spaces, escapes, duplicate
 * SD-IDs, a non-RFC SD such as Check Point's `[key:"value"; ...]`) is reported in
 * `error.message` instead of rejecting the line.
 */

import { normalizeIp } from "../address.ts";
import type { SyslogEvent } from "../event.ts";
import { addRelated } from "../related.ts";
import { parseRfc3339, type TimeContext } from "./timestamp.ts";

const SP = 32;
const NIL = 45; // '-'
const BOM = 0xfeff;

export interface Rfc5424Result {
  /** Index where MSG starts (the text length when there is none). */
  messageStart: number;
  /** MSG started with a BOM: RFC 5424 then requires valid UTF-8. */
  messageHadBom: boolean;
}

/** How the text after the PRI announces RFC 5424, if it does. */
export type Rfc5424Shape = "version" | "bad-version";

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * `version`: 1..3 digits then a space or the end (`<34>1 ...`). `bad-version`: a
 * non-numeric first word followed by an RFC 3339 date, an RFC 5424 header whose
 * VERSION is broken (`<165>A 2003-10-11T22:14:15.003Z ...`).
 */
export function detectRfc5424(text: string, start: number): Rfc5424Shape | undefined {
  let i = start;
  while (i < start + 4 && isDigit(text.charCodeAt(i))) i++;
  const after = text.charCodeAt(i);
  if (i > start && i <= start + 3 && (after === SP || Number.isNaN(after))) return "version";
  const space = text.indexOf(" ", start);
  if (space <= start || space > start + 8) return undefined;
  const d = space + 1;
  return isDigit(text.charCodeAt(d)) &&
    isDigit(text.charCodeAt(d + 3)) &&
    text.charCodeAt(d + 4) === 45 &&
    text.charCodeAt(d + 7) === 45 &&
    (text.charCodeAt(d + 10) | 0x20) === 116
    ? "bad-version"
    : undefined;
}

/** A header field: printable US-ASCII, 1..max characters. */
function checkField(
  text: string,
  start: number,
  end: number,
  max: number,
  name: string,
  errors: string[],
): void {
  if (end - start > max) errors.push(`${name} longer than ${max} characters`);
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) {
      errors.push(`${name} has characters outside printable US-ASCII`);
      return;
    }
  }
}

interface Cursor {
  pos: number;
}

/**
 * The next space-separated header field at `cursor.pos`; moves past it and its space.
 * Extra spaces are skipped and reported; undefined at the end of the text.
 */
function nextField(text: string, cursor: Cursor, name: string, errors: string[]) {
  let start = cursor.pos;
  if (start >= text.length) {
    errors.push(`header ends before ${name}`);
    return undefined;
  }
  if (text.charCodeAt(start) === SP) {
    errors.push(`empty ${name} (more than one space between fields)`);
    while (text.charCodeAt(start) === SP) start++;
    if (start >= text.length) return undefined;
  }
  let end = text.indexOf(" ", start);
  if (end < 0) end = text.length;
  cursor.pos = end + 1;
  return { start, end };
}

/** Parses the header into `event`, what breaks the grammar into `errors`; returns where MSG starts. */
export function parseRfc5424(
  text: string,
  start: number,
  event: SyslogEvent,
  ctx: TimeContext,
  errors: string[],
): Rfc5424Result {
  const cursor: Cursor = { pos: start };
  const done = (): Rfc5424Result => ({ messageStart: text.length, messageHadBom: false });

  const version = nextField(text, cursor, "VERSION", errors);
  if (version === undefined) return done();
  const versionText = text.slice(version.start, version.end);
  const versionValue = Number(versionText);
  if (!/^[1-9]\d{0,2}$/.test(versionText)) {
    errors.push(`VERSION ${JSON.stringify(versionText)} is not a number 1..999`);
  }
  if (Number.isInteger(versionValue)) event["log.syslog.version"] = versionValue;

  const timestamp = nextField(text, cursor, "TIMESTAMP", errors);
  if (timestamp === undefined) return done();
  readTimestamp(text, timestamp.start, timestamp.end, event, ctx, errors);

  const fields = [
    ["HOSTNAME", 255, "log.syslog.hostname"],
    ["APP-NAME", 48, "log.syslog.appname"],
    ["PROCID", 128, "log.syslog.procid"],
    ["MSGID", 32, "log.syslog.msgid"],
  ] as const;
  for (const [name, max, key] of fields) {
    const field = nextField(text, cursor, name, errors);
    if (field === undefined) return done();
    if (field.end - field.start === 1 && text.charCodeAt(field.start) === NIL) continue;
    checkField(text, field.start, field.end, max, name, errors);
    event[key] = text.slice(field.start, field.end);
  }
  const hostIp = event["log.syslog.hostname"];
  if (hostIp !== undefined) {
    const ip = normalizeIp(hostIp);
    if (ip !== undefined) addRelated(event, "related.ip", ip);
  }

  let pos = cursor.pos;
  if (pos >= text.length) {
    errors.push("header ends before STRUCTURED-DATA");
    return done();
  }
  if (text.charCodeAt(pos) === SP) {
    errors.push("empty STRUCTURED-DATA (more than one space between fields)");
    while (text.charCodeAt(pos) === SP) pos++;
  }
  pos = readStructuredData(text, pos, event, errors);

  if (pos >= text.length) return done();
  if (text.charCodeAt(pos) === SP) pos++;
  else errors.push("no space between STRUCTURED-DATA and MSG");
  const messageHadBom = text.charCodeAt(pos) === BOM;
  return { messageStart: messageHadBom ? pos + 1 : pos, messageHadBom };
}

function readTimestamp(
  text: string,
  start: number,
  end: number,
  event: SyslogEvent,
  ctx: TimeContext,
  errors: string[],
): void {
  if (end - start === 1 && text.charCodeAt(start) === NIL) return;
  event["log.syslog.timestamp_raw"] = text.slice(start, end);
  const parsed = parseRfc3339(text, start, ctx);
  if (parsed === undefined || parsed.end !== end) {
    errors.push("TIMESTAMP is not an RFC 3339 date-time");
    return;
  }
  if (parsed.error !== undefined) errors.push(parsed.error);
  else if (parsed.nonStandard !== undefined) errors.push(`TIMESTAMP: ${parsed.nonStandard}`);
  if (parsed.iso !== undefined) event["@timestamp"] = parsed.iso;
}

/** SD-NAME characters: printable US-ASCII except `=`, space, `]` and `"`. */
function isSdNameChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 61 && c !== 93 && c !== 34;
}

function readSdName(text: string, start: number): number {
  let i = start;
  while (isSdNameChar(text.charCodeAt(i))) i++;
  return i;
}

class SdGrammarError extends Error {}

/**
 * STRUCTURED-DATA at `start` (NILVALUE or one or more `[SD-ID param="value" ...]`).
 * Returns the index after it. When the grammar breaks, the elements read so far are
 * kept and the whole SD text goes to `log.syslog.structured_data_raw`.
 */
function readStructuredData(
  text: string,
  start: number,
  event: SyslogEvent,
  errors: string[],
): number {
  const first = text.charCodeAt(start);
  if (first === NIL) return start + 1;
  if (first !== 91) {
    errors.push("STRUCTURED-DATA is neither '-' nor '[...]'");
    return start;
  }
  // Maps, not objects: an SD-ID or name like `__proto__` must stay a plain key.
  const elements = new Map<string, Map<string, string>>();
  let pos = start;
  try {
    while (text.charCodeAt(pos) === 91) pos = readSdElement(text, pos, elements, errors);
  } catch (error) {
    if (!(error instanceof SdGrammarError)) throw error;
    errors.push(error.message);
    pos = findLenientSdEnd(text, pos);
    event["log.syslog.structured_data_raw"] = text.slice(start, pos);
  }
  if (elements.size > 0) {
    const structured: Record<string, Record<string, string>> = {};
    for (const [id, params] of elements) {
      Object.defineProperty(structured, id, {
        value: Object.fromEntries(params),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    event["log.syslog.structured_data"] = structured;
  }
  return pos;
}

function readSdElement(
  text: string,
  start: number,
  elements: Map<string, Map<string, string>>,
  errors: string[],
): number {
  const idEnd = readSdName(text, start + 1);
  if (idEnd === start + 1) throw new SdGrammarError("SD-ID missing in STRUCTURED-DATA");
  if (idEnd - start - 1 > 32) throw new SdGrammarError("SD-ID longer than 32 characters");
  const id = text.slice(start + 1, idEnd);
  const params = new Map<string, string>();
  let pos = idEnd;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 93) {
      // The first element of a name wins, as in go-syslog's partial results.
      if (elements.has(id)) errors.push(`duplicate SD-ID ${id}`);
      else elements.set(id, params);
      return pos + 1;
    }
    if (c !== SP) throw new SdGrammarError(`SD element ${id} is not closed by ']'`);
    const nameEnd = readSdName(text, pos + 1);
    if (nameEnd === pos + 1) throw new SdGrammarError(`SD-PARAM name missing in ${id}`);
    if (nameEnd - pos - 1 > 32) throw new SdGrammarError("SD-PARAM name longer than 32 characters");
    const name = text.slice(pos + 1, nameEnd);
    if (text.charCodeAt(nameEnd) !== 61) throw new SdGrammarError(`SD-PARAM ${name} has no '='`);
    // `name= "value"` breaks the grammar, but rsyslog and Vector read it without a
    // word, and so do we: nothing is ambiguous about it.
    let quote = nameEnd + 1;
    while (text.charCodeAt(quote) === SP) quote++;
    if (text.charCodeAt(quote) !== 34) throw new SdGrammarError(`SD-PARAM ${name} is not quoted`);
    const value = readParamValue(text, quote + 1, name, errors);
    if (!params.has(name)) params.set(name, value.text);
    pos = value.end;
  }
}

/** PARAM-VALUE after its opening quote: `\"`, `\\` and `\]` are escapes. */
function readParamValue(
  text: string,
  start: number,
  name: string,
  errors: string[],
): { text: string; end: number } {
  let out = "";
  let chunkStart = start;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return { text: out + text.slice(chunkStart, i), end: i + 1 };
    if (c === 92) {
      const next = text.charCodeAt(i + 1);
      if (next === 34 || next === 92 || next === 93) {
        out += text.slice(chunkStart, i);
        chunkStart = i + 1;
        i++;
      } else errors.push(`invalid escape in SD-PARAM ${name} (kept as written)`);
    } else if (c === 93) errors.push(`unescaped ']' in SD-PARAM ${name}`);
  }
  throw new SdGrammarError(`SD-PARAM ${name} value has no closing quote`);
}

/**
 * Where a non-RFC SD ends, read loosely: quotes hide brackets, backslash escapes the
 * next character, and the SD ends at a `]` that is not followed by another `[`.
 */
function findLenientSdEnd(text: string, from: number): number {
  let inQuote = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) inQuote = !inQuote;
    else if (c === 93 && !inQuote && text.charCodeAt(i + 1) !== 91) return i + 1;
  }
  return text.length;
}
