/**
 * The `<PRI>` that starts a syslog message (RFC 5424 §6.2.1, RFC 3164 §4.1.1) and the
 * facility and severity names common tools print (the names Vector and rsyslog use).
 */
import type { SyslogEvent } from "../event.ts";

/** Facility names by code (RFC 5424 table 1). */
export const FACILITY_NAMES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "solaris-cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;

/** Severity names by code (RFC 5424 table 2). */
export const SEVERITY_NAMES = [
  "emerg",
  "alert",
  "crit",
  "err",
  "warning",
  "notice",
  "info",
  "debug",
] as const;

/** The largest valid PRI: facility 23 (local7) x 8 + severity 7 (debug). */
export const MAX_PRIORITY = 191;

export interface PriRead {
  /** Index just after `>` (or where reading stopped when there is none). */
  end: number;
  /** 0..191 when valid. */
  priority?: number;
  error?: string;
}

/**
 * Reads `<PRI>` at `start`; undefined when the text there does not start with `<`.
 * Out-of-range, empty, non-numeric and zero-padded values are reported in `error`;
 * the value is still kept when it is a valid number with leading zeros (`<002>`).
 */
export function readPri(text: string, start = 0): PriRead | undefined {
  if (text.charCodeAt(start) !== 60) return undefined;
  // A PRI has at most 3 digits; look a little further so `<19000021>` is skipped whole.
  let close = -1;
  const limit = Math.min(text.length, start + 13);
  for (let i = start + 1; i < limit; i++) {
    if (text.charCodeAt(i) === 62) {
      close = i;
      break;
    }
  }
  if (close < 0) return { end: start, error: "PRI has no closing '>'" };
  if (close === start + 1) return { end: close + 1, error: "PRI is empty" };
  let value = 0;
  for (let i = start + 1; i < close; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return { end: close + 1, error: "PRI is not a number" };
    value = value * 10 + d;
  }
  const digitCount = close - start - 1;
  if (digitCount > 3 || value > MAX_PRIORITY) {
    return { end: close + 1, error: `PRI ${text.slice(start + 1, close)} is out of range 0..191` };
  }
  if (digitCount > 1 && text.charCodeAt(start + 1) === 48) {
    return { end: close + 1, priority: value, error: "PRI has leading zeros" };
  }
  return { end: close + 1, priority: value };
}

/** Writes priority, facility and severity (codes and names) into the event. */
export function setPriorityFields(event: SyslogEvent, priority: number): void {
  const facility = priority >> 3;
  const severity = priority & 7;
  event["log.syslog.priority"] = priority;
  event["log.syslog.facility.code"] = facility;
  event["log.syslog.facility.name"] = FACILITY_NAMES[facility];
  event["log.syslog.severity.code"] = severity;
  event["log.syslog.severity.name"] = SEVERITY_NAMES[severity];
}
