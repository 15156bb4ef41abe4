/**
 * ArcSight Common Event Format, which RouterOS 7.18+ sends with
 * `remote-log-format=cef`: `CEF:Version|Vendor|Product|Version|SignatureID|Name|
 * Severity|ext`, where `\|` and `\\` are escapes in the header and `key=value` pairs
 * (values may hold spaces; `\=`, `\\`, `\n`, `\r` escaped) form the extension.
 *
 * The extension keys that name addresses, ports, MACs, users and interfaces are
 * also written to their ECS fields; every address goes to `related.ip`.
 */

import { normalizeIp, normalizeMac, parsePort } from "../address.ts";
import type { SyslogEvent } from "../event.ts";
import { addRelated } from "../related.ts";
import { readTopics } from "./routeros.ts";

export interface CefResult {
  /** The CEF `msg` extension, else the event name: what the event's `message` becomes. */
  message: string;
  vendor: string;
  /** RouterOS puts the entry's topics in the Name field. */
  topics: readonly string[];
}

const HEADER_FIELDS = 7;

type CefStringKey =
  | "cef.device_vendor"
  | "cef.device_product"
  | "cef.device_version"
  | "cef.signature_id"
  | "cef.name"
  | "cef.severity";

const HEADER_KEYS: readonly CefStringKey[] = [
  "cef.device_vendor",
  "cef.device_product",
  "cef.device_version",
  "cef.signature_id",
  "cef.name",
  "cef.severity",
];

/** Header field text with `\|` and `\\` unescaped. */
function unescapeHeader(raw: string): string {
  return raw.indexOf("\\") < 0 ? raw : raw.replace(/\\([\\|])/g, "$1");
}

const EXTENSION_ESCAPES: Record<string, string> = { n: "\n", r: "\r" };

/** Extension value text with `\=`, `\\`, `\|`, `\n`, `\r` unescaped. */
function unescapeValue(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  return raw.replace(/\\([\\=|nr])/g, (_, c: string) => EXTENSION_ESCAPES[c] ?? c);
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 91 ||
    c === 93
  );
}

/**
 * `key=value` pairs. A key is the word right before an unescaped `=` that follows a
 * space (or starts the extension); anything else, `=` included, belongs to the value.
 */
export function parseCefExtension(text: string, start: number): Map<string, string> {
  const pairs = new Map<string, string>();
  let key: string | undefined;
  let valueStart = start;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i++;
      continue;
    }
    if (c !== 61) continue;
    let k = i - 1;
    while (k >= valueStart && isKeyChar(text.charCodeAt(k))) k--;
    const keyStart = k + 1;
    const boundary = k < valueStart || text.charCodeAt(k) === 32;
    if (keyStart === i || !boundary || (key !== undefined && keyStart === valueStart)) continue;
    if (key !== undefined) {
      let valueEnd = keyStart;
      while (valueEnd > valueStart && text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
      pairs.set(key, unescapeValue(text.slice(valueStart, valueEnd)));
    }
    key = text.slice(keyStart, i);
    valueStart = i + 1;
  }
  if (key !== undefined) pairs.set(key, unescapeValue(text.slice(valueStart).trimEnd()));
  return pairs;
}

type IpKey = "source.ip" | "destination.ip" | "source.nat.ip" | "destination.nat.ip";
type PortKey = "source.port" | "destination.port" | "source.nat.port" | "destination.nat.port";
type TextKey =
  | "observer.ingress.interface.name"
  | "observer.egress.interface.name"
  | "network.transport";

/** CEF keys (short and full dictionary names) -> ECS fields. */
const IP_FIELDS: Record<string, IpKey> = {
  src: "source.ip",
  sourceAddress: "source.ip",
  dst: "destination.ip",
  destinationAddress: "destination.ip",
  sourceTranslatedAddress: "source.nat.ip",
  destinationTranslatedAddress: "destination.nat.ip",
};
const PORT_FIELDS: Record<string, PortKey> = {
  spt: "source.port",
  sourcePort: "source.port",
  dpt: "destination.port",
  destinationPort: "destination.port",
  sourceTranslatedPort: "source.nat.port",
  destinationTranslatedPort: "destination.nat.port",
};
const TEXT_FIELDS: Record<string, TextKey> = {
  deviceInboundInterface: "observer.ingress.interface.name",
  deviceOutboundInterface: "observer.egress.interface.name",
};
/** Addresses that name no ECS field of ours but still belong in `related.ip`. */
const OTHER_IP_KEYS = new Set(["dvc", "deviceAddress", "c6a1", "c6a2", "c6a3", "c6a4"]);

function mapExtension(key: string, value: string, event: SyslogEvent): void {
  const ipField = IP_FIELDS[key];
  if (ipField !== undefined) {
    const ip = normalizeIp(value);
    if (ip !== undefined) {
      event[ipField] = ip;
      addRelated(event, "related.ip", ip);
    }
    return;
  }
  const portField = PORT_FIELDS[key];
  if (portField !== undefined) {
    const port = parsePort(value);
    if (port !== undefined) event[portField] = port;
    return;
  }
  const textField = TEXT_FIELDS[key];
  if (textField !== undefined) {
    if (value !== "") event[textField] = value;
    return;
  }
  switch (key) {
    case "smac":
    case "sourceMacAddress":
    case "dmac":
    case "destinationMacAddress": {
      const mac = normalizeMac(value);
      if (mac !== undefined) {
        event[key === "smac" || key === "sourceMacAddress" ? "source.mac" : "destination.mac"] =
          mac;
        addRelated(event, "related.mac", mac);
      }
      return;
    }
    case "proto":
    case "transportProtocol":
      if (value !== "") event["network.transport"] = value.toLowerCase();
      return;
    case "suser":
    case "sourceUserName":
    case "duser":
    case "destinationUserName":
      // A login names the account in duser (RouterOS) or suser (others): either is the user.
      if (value !== "") {
        event["user.name"] ??= value;
        addRelated(event, "related.user", value);
      }
      return;
    case "outcome": {
      const outcome = value.toLowerCase();
      if (outcome === "success" || outcome === "failure") event["event.outcome"] = outcome;
      return;
    }
    case "dvchost":
    case "deviceHostName":
      if (value !== "") event["log.syslog.hostname"] ??= value;
      return;
    default:
      if (OTHER_IP_KEYS.has(key)) {
        const ip = normalizeIp(value);
        if (ip !== undefined) addRelated(event, "related.ip", ip);
      }
  }
}

/** Reads CEF at `start` (which begins with `CEF:`) into `event`, what is wrong into `errors`. */
export function parseCef(
  text: string,
  start: number,
  event: SyslogEvent,
  errors: string[],
): CefResult {
  const fields: string[] = [];
  let fieldStart = start + 4;
  let i = fieldStart;
  for (; i < text.length && fields.length < HEADER_FIELDS; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 124) {
      fields.push(unescapeHeader(text.slice(fieldStart, i)));
      fieldStart = i + 1;
    }
  }
  const extensionStart = fieldStart;
  if (fields.length < HEADER_FIELDS) {
    errors.push(`CEF header has ${fields.length} of ${HEADER_FIELDS} '|'-separated fields`);
    if (fieldStart < text.length) fields.push(unescapeHeader(text.slice(fieldStart)));
  }
  const version = Number(fields[0]);
  if (fields[0] !== undefined && fields[0] !== "" && Number.isInteger(version)) {
    event["cef.version"] = version;
  } else errors.push("CEF version is not a number");
  for (let f = 1; f < fields.length && f <= HEADER_KEYS.length; f++) {
    const key = HEADER_KEYS[f - 1];
    if (key !== undefined) event[key] = fields[f] ?? "";
  }
  let message = event["cef.name"] ?? "";
  if (fields.length >= HEADER_FIELDS) {
    const extension = parseCefExtension(text, extensionStart);
    if (extension.size > 0) {
      const extensions: Record<string, string> = {};
      for (const [key, value] of extension) {
        Object.defineProperty(extensions, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        mapExtension(key, value, event);
      }
      event["cef.extensions"] = extensions;
      message = extension.get("msg") ?? message;
    }
  }
  const name = event["cef.name"] ?? "";
  const topics = readTopics(name, 0, "expected");
  return {
    message,
    vendor: event["cef.device_vendor"] ?? "",
    topics: topics !== undefined && topics.bodyStart === name.length ? topics.topics : [],
  };
}
