/**
 * The TAG of an RFC 3164 message (`su:`, `sshd[1234]:`, `%ASA-6-302013:`) and the
 * `prefix:` / `identity:` RouterOS puts in front of a message: `NAME[PID]:` or
 * `NAME:`, then a space or the end.
 *
 * Like beats and go-syslog (not rsyslog), a first word without `:` or `[pid]` is not
 * a tag but the start of the message: RouterOS' BSD format has no tag at all, and
 * taking `login` of `MikroTik login failure for user ...` as a program would cut the
 * message. A `name:` that is a RouterOS subject (`pppoe-out1: connected`,
 * `<pppoe-oda-412>: authenticated`, a firewall chain `input: in:ether1 ...`) stays in
 * the message too.
 */
import type { SyslogEvent } from "../event.ts";
import { type HeaderBody, isRouterOsSubject, readTopics, type TopicsPosition } from "./routeros.ts";

export interface TagRead {
  appname: string;
  procid?: string;
  /** Index of the message: after the tag and one space. */
  bodyStart: number;
}

/** Longest tag accepted; RFC 3164 says 32, real senders go beyond (rsyslog takes 40+). */
const MAX_TAG_CHARS = 128;

function endsToken(c: number): boolean {
  return c === 32 || Number.isNaN(c);
}

/** Reads a tag at `start`, or undefined when the text there is not one. */
export function readTag(text: string, start: number): TagRead | undefined {
  let i = start;
  const limit = Math.min(text.length, start + MAX_TAG_CHARS);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 58 || c === 91) break;
    i++;
  }
  if (i === start || i === limit) return undefined;
  const stop = text.charCodeAt(i);
  if (stop === 91) {
    const close = text.indexOf("]", i + 1);
    if (close < 0 || close === i + 1 || close - i > 130) return undefined;
    const procid = text.slice(i + 1, close);
    if (procid.includes(" ")) return undefined;
    let end = close + 1;
    if (text.charCodeAt(end) === 58) end++;
    if (!endsToken(text.charCodeAt(end))) return undefined;
    const bodyStart = text.charCodeAt(end) === 32 ? end + 1 : end;
    return { appname: text.slice(start, i), procid, bodyStart };
  }
  if (stop !== 58 || !endsToken(text.charCodeAt(i + 1))) return undefined;
  const bodyStart = text.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
  if (isRouterOsSubject(text, start, i, bodyStart)) return undefined;
  return { appname: text.slice(start, i), bodyStart };
}

/**
 * After RouterOS topics, a logging rule's `prefix` (often the identity) reads
 * `name: message`. It becomes the appname and is cut from the body. A firewall
 * chain (`input: in:ether1 ...`) is not a prefix (see readTag); a firewall
 * log-prefix has no colon of its own (`drop-in input: in:...`).
 */
function readRouterOsPrefix(text: string, bodyStart: number, event: SyslogEvent): number {
  const tag = readTag(text, bodyStart);
  if (tag === undefined || tag.procid !== undefined) return bodyStart;
  event["log.syslog.appname"] = tag.appname;
  return tag.bodyStart;
}

/** RouterOS topics at `pos` and the rule prefix after them; undefined when there are no topics. */
export function readRouterOsTopics(
  text: string,
  pos: number,
  position: TopicsPosition,
  event: SyslogEvent,
): HeaderBody | undefined {
  const read = readTopics(text, pos, position);
  if (read !== undefined) read.bodyStart = readRouterOsPrefix(text, read.bodyStart, event);
  return read;
}
