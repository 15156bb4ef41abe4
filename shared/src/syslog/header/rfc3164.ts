/**
 * RFC 3164 (BSD) after the optional PRI: `TIMESTAMP HOSTNAME TAG[PID]: MSG`, read
 * the lenient way rsyslog and Vector do: BSD or RFC 3339 timestamp (see
 * timestamp.ts), a hostname that may be missing, a tag that may be missing, and the
 * RouterOS variations: topics after the hostname (`add-topics-string=yes`), a rule
 * prefix in the tag position, and a CEF body after the hostname.
 */

import { normalizeIpIn } from "../address.ts";
import type { SyslogEvent } from "../event.ts";
import { addRelated } from "../related.ts";
import type { HeaderBody } from "./routeros.ts";
import { readRouterOsTopics, readTag } from "./tag.ts";
import { parseBsdTimestamp, parseRfc3339, type TimeContext } from "./timestamp.ts";

const SP = 32;
const MAX_HOSTNAME_CHARS = 255;

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === SP) i++;
  return i;
}

/** Letters, digits, `.-_` and what IPv6 and bracketed addresses add (`:%[]`). */
function isHostnameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 58) ||
    c === 46 ||
    c === 45 ||
    c === 95 ||
    c === 37 ||
    c === 91 ||
    c === 93
  );
}

/** End of a hostname token at `start` (exclusive), or -1 when the token is not a hostname. */
function hostnameEnd(text: string, start: number): number {
  let i = start;
  while (isHostnameChar(text.charCodeAt(i))) i++;
  const after = text.charCodeAt(i);
  return i > start && (after === SP || Number.isNaN(after)) ? i : -1;
}

/**
 * The header from `start` (after the PRI, if any) into `event`, what breaks it into
 * `errors`. Undefined when no BSD or RFC 3339 timestamp starts there, so the caller
 * can try other shapes.
 */
export function parseRfc3164(
  text: string,
  start: number,
  event: SyslogEvent,
  ctx: TimeContext,
  errors: string[],
): HeaderBody | undefined {
  const tsStart = skipSpaces(text, start);
  const timestamp =
    parseBsdTimestamp(text, tsStart, ctx) ??
    parseRfc3339(text, tsStart, ctx, { allowSpaceSeparator: true });
  if (timestamp === undefined) return undefined;
  const afterTs = text.charCodeAt(timestamp.end);
  if (afterTs !== SP && !Number.isNaN(afterTs)) return undefined;
  event["log.syslog.timestamp_raw"] = text.slice(tsStart, timestamp.end);
  if (timestamp.iso !== undefined) event["@timestamp"] = timestamp.iso;
  if (timestamp.error !== undefined) errors.push(timestamp.error);
  return readAfterTimestamp(text, skipSpaces(text, timestamp.end), event, errors);
}

/**
 * HOSTNAME, then topics or TAG, from `start`. Shared with syslog-server file lines,
 * whose sender stands where the hostname does.
 */
export function readAfterTimestamp(
  text: string,
  start: number,
  event: SyslogEvent,
  errors: string[],
): HeaderBody {
  let pos = start;
  if (pos >= text.length) return { bodyStart: text.length, topics: [] };
  const early = readTopicsOrTag(text, pos, event);
  if (early !== undefined) return early;
  const end = hostnameEnd(text, pos);
  if (end < 0) return { bodyStart: pos, topics: [] }; // `#001 ...`: no hostname, no tag
  const hostname = text.slice(pos, end);
  if (hostname.length > MAX_HOSTNAME_CHARS) errors.push("HOSTNAME longer than 255 characters");
  event["log.syslog.hostname"] = hostname;
  const ip = normalizeIpIn(text, pos, end);
  if (ip !== undefined) addRelated(event, "related.ip", ip);
  pos = skipSpaces(text, end);
  return readTopicsOrTag(text, pos, event) ?? { bodyStart: pos, topics: [] };
}

/**
 * RouterOS topics (then maybe a `prefix:`), a CEF body, or a TAG at `pos`; undefined
 * when none of them starts there.
 */
function readTopicsOrTag(text: string, pos: number, event: SyslogEvent): HeaderBody | undefined {
  const topics = readRouterOsTopics(text, pos, "possible", event);
  if (topics !== undefined) return topics;
  if (text.startsWith("CEF:", pos)) return { bodyStart: pos, topics: [] };
  const tag = readTag(text, pos);
  if (tag === undefined) return undefined;
  event["log.syslog.appname"] = tag.appname;
  if (tag.procid !== undefined) event["log.syslog.procid"] = tag.procid;
  return { bodyStart: tag.bodyStart, topics: [] };
}
