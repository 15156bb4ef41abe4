/**
 * Lines that a syslog server or RouterOS wrote to a file, which hotels import:
 *
 * - `RFC3339-receive-time [SENDER] rest` (rsyslog's file formats): `rest` is a raw
 *   datagram (`<PRI>...`) or `[topics|tag] message`.
 * - RouterOS `/log print` lines: `hh:mm:ss topics message`, `mmm/dd hh:mm:ss ...`,
 *   `mmm/dd/yyyy hh:mm:ss ...`, `yyyy-mm-dd hh:mm:ss ...`.
 */
import type { SyslogEvent } from "../event.ts";
import type { HeaderBody } from "./routeros.ts";
import { readRouterOsTopics } from "./tag.ts";
import {
  parseRfc3339,
  parseRouterOsPrintTimestamp,
  rfc3339OffsetMinutes,
  type TimeContext,
} from "./timestamp.ts";

export interface ReceiveTimePrefix {
  /** The receiver's time, ISO UTC. */
  receivedAt: string;
  /** Context for the timestamps inside: the year comes from the receive time, not from now. */
  innerContext: TimeContext;
  /** Index after the receive time and its spaces. */
  restStart: number;
}

/**
 * The receive time at the start of a syslog-server file line, if the line has one:
 * an RFC 3339 time (with `T`), then a space. When the caller has not said the
 * device's zone, zone-less times inside take the receiver's offset: the device and
 * the syslog server of a hotel share the local clock far more often than not.
 */
export function readReceiveTimePrefix(
  text: string,
  ctx: TimeContext,
  offsetGiven: boolean,
): ReceiveTimePrefix | undefined {
  const parsed = parseRfc3339(text, 0, ctx);
  if (parsed?.iso === undefined || text.charCodeAt(parsed.end) !== 32) return undefined;
  const raw = text.slice(0, parsed.end);
  const receivedMs = Date.parse(parsed.iso);
  let restStart = parsed.end;
  while (text.charCodeAt(restStart) === 32) restStart++;
  return {
    receivedAt: parsed.iso,
    innerContext: {
      receivedAtMs: Number.isNaN(receivedMs) ? ctx.receivedAtMs : receivedMs,
      offsetMinutes: offsetGiven
        ? ctx.offsetMinutes
        : (rfc3339OffsetMinutes(raw) ?? ctx.offsetMinutes),
    },
    restStart,
  };
}

/**
 * A RouterOS `/log print` line: its time, topics and prefix go into `event`. Returns
 * the body start and topics, or undefined when the line does not start with such a time.
 */
export function parseLogPrintLine(
  text: string,
  event: SyslogEvent,
  ctx: TimeContext,
  errors: string[],
): HeaderBody | undefined {
  const timestamp = parseRouterOsPrintTimestamp(text, 0, ctx);
  if (timestamp === undefined) return undefined;
  event["log.syslog.timestamp_raw"] = text.slice(0, timestamp.end);
  if (timestamp.iso !== undefined) event["@timestamp"] = timestamp.iso;
  if (timestamp.error !== undefined) errors.push(timestamp.error);
  let pos = timestamp.end;
  while (text.charCodeAt(pos) === 32) pos++;
  return readRouterOsTopics(text, pos, "expected", event) ?? { bodyStart: pos, topics: [] };
}
