// STUB: replaced by the header parser (helper A). Signature is the contract.
import type { ParseOptions, SyslogEvent } from "./event.ts";
import { extractRouterOsFields } from "./routeros/index.ts";

export type { ParseOptions, SyslogEvent } from "./event.ts";

/** Parse one syslog line. Never throws, for any input. */
export function parseSyslog(input: string | Uint8Array, _options: ParseOptions = {}): SyslogEvent {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const match = /^(\S+,\S+|\w+)\s+(.*)$/s.exec(text);
  const topics = match?.[1]?.split(",") ?? [];
  const message = match?.[2] ?? text;
  return {
    "event.original": text,
    message,
    "log.syslog.format": "raw",
    ...extractRouterOsFields(message, topics),
  };
}
