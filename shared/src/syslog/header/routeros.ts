/**
 * RouterOS topics (`firewall,info`, `system,error,critical`): the comma-separated
 * list RouterOS puts before a message in `/log print`, in its default remote format
 * (`<PRI>topics message`) and, with `add-topics-string=yes`, after the BSD header.
 *
 * A comma-separated token of lowercase words is taken as topics wherever it may
 * stand when one of its words is a known topic. A single word without a comma is
 * ambiguous (`ipsec rejected ...` vs a message starting with a word), so it is
 * taken only where the format puts topics for sure: right after a `/log print`
 * time or right after a bare `<PRI>`.
 */
import { looksLikeInterfaceName, pppServerUserOf } from "../interface-name.ts";
import { SlotCache } from "./slot-cache.ts";

/** Topic names from the RouterOS manual (System > Log), importance and feature topics. */
export const ROUTEROS_TOPICS: ReadonlySet<string> = new Set([
  // importance
  "critical",
  "debug",
  "error",
  "info",
  "packet",
  "raw",
  "warning",
  // features
  "account",
  "acme-client",
  "amt",
  "async",
  "backup",
  "bfd",
  "bgp",
  "bridge",
  "calc",
  "caps",
  "certificate",
  "clock",
  "container",
  "ddns",
  "dhcp",
  "discover",
  "disk",
  "dns",
  "dot1x",
  "dude",
  "e-mail",
  "event",
  "evpn",
  "fetch",
  "firewall",
  "gps",
  "gsm",
  "health",
  "hotspot",
  "igmp-proxy",
  "interface",
  "ipsec",
  "iscsi",
  "isdn",
  "isis",
  "kvm",
  "l2tp",
  "ldp",
  "lora",
  "lte",
  "manager",
  "mme",
  "mpls",
  "mqtt",
  "mvrp",
  "natpmp",
  "netinstall",
  "netwatch",
  "ntp",
  "ospf",
  "ovpn",
  "pim",
  "poe-in",
  "poe-out",
  "pon",
  "ppp",
  "pppoe",
  "pptp",
  "ptp",
  "queue",
  "radius",
  "radvd",
  "read",
  "rip",
  "route",
  "rpki",
  "rproxy",
  "rsvp",
  "script",
  "sertcp",
  "simulator",
  "smb",
  "snmp",
  "socksify",
  "ssh",
  "ssld",
  "sstp",
  "state",
  "store",
  "stp",
  "system",
  "telephony",
  "tftp",
  "timer",
  "tr069",
  "update",
  "upnp",
  "ups",
  "vpls",
  "vrrp",
  "watchdog",
  "web-proxy",
  "wifi",
  "wiliot",
  "wireguard",
  "wireless",
  "write",
  "zerotier",
]);

/** Where a topics token is being looked for. */
export type TopicsPosition =
  /** The format puts topics here (after a `/log print` time, after a bare `<PRI>`). */
  | "expected"
  /** Topics may or may not be here (after a BSD hostname, a file's sender, line start). */
  | "possible";

/** What a header reader found: where the message body starts, and the RouterOS topics. */
export interface HeaderBody {
  bodyStart: number;
  /** Shared by every line with the same topics token: copy before handing it out. */
  topics: readonly string[];
}

// A router repeats a few dozen topic lists (`firewall,info`...): remember each token's
// verdict by a hash of its characters, so the hot path allocates nothing.
const TOKEN_CACHE_SLOTS = 1024;
/** Longer than any real topics list; also keeps junk out of the cache. */
const MAX_TOKEN_CHARS = 128;

interface CachedToken {
  token: string;
  topics: readonly string[] | null;
}

const tokensByHash = new SlotCache<CachedToken>(TOKEN_CACHE_SLOTS);

/**
 * The words of a topics token when they make a topics list, else null. Not frozen,
 * though shared (the type is readonly): JavaScriptCore reads and copies a frozen
 * array several times slower, on every line.
 */
function topicsOfToken(token: string): readonly string[] | null {
  const words = token.split(",");
  const valid =
    words.every((word) => word !== "") && words.some((word) => ROUTEROS_TOPICS.has(word));
  return valid ? words : null;
}

/** Lowercase letter, digit or `-`: the characters of a topic word. */
function isTopicChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
}

/**
 * The topics token at `start`, if there is one. It must end at a space or the end
 * of the text; its words are lowercase; at least one is a known topic.
 */
export function readTopics(
  text: string,
  start: number,
  position: TopicsPosition,
): HeaderBody | undefined {
  const first = text.charCodeAt(start);
  if (!(first >= 97 && first <= 122)) return undefined;
  let i = start;
  let commas = 0;
  let hash = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || Number.isNaN(c)) break;
    if (i - start >= MAX_TOKEN_CHARS) return undefined;
    if (c === 44) commas++;
    else if (!isTopicChar(c)) return undefined;
    hash = (Math.imul(hash, 31) + c) | 0;
    i++;
  }
  if (commas === 0 && position === "possible") return undefined;
  let cached = tokensByHash.get(hash);
  if (
    cached === undefined ||
    cached.token.length !== i - start ||
    !text.startsWith(cached.token, start)
  ) {
    const token = text.slice(start, i);
    cached = { token, topics: topicsOfToken(token) };
    tokensByHash.set(hash, cached);
  }
  if (cached.topics === null) return undefined;
  while (text.charCodeAt(i) === 32) i++;
  return { topics: cached.topics, bodyStart: i };
}

/**
 * The first word of a RouterOS message names the subject (`pppoe-out1: connected`,
 * `<pppoe-oda-412>: authenticated`, `ether2: dropped ...`, a firewall chain
 * `input: in:...`), not a syslog tag. Said of a `name:` candidate without `[pid]`,
 * `text[nameStart..nameEnd)`, whose message would start at `bodyStart`.
 *
 * A router identity (`ANT-GW01:`) reads like an interface name (a word ending in a
 * number), so what follows decides: an interface is followed by its event text
 * (`connected`, `link down`, `expired prefix: ...`), an identity by a whole message
 * with a lead of its own (see {@link opensOwnMessage}).
 */
export function isRouterOsSubject(
  text: string,
  nameStart: number,
  nameEnd: number,
  bodyStart: number,
): boolean {
  if (text.startsWith("in:", bodyStart)) return true; // firewall: `chain: in:iface out:iface`
  if (text.charCodeAt(nameStart) === 37) return false; // `%ASA-6-302013:` is a Cisco tag
  const name = text.slice(nameStart, nameEnd);
  if (pppServerUserOf(name) !== undefined) return true;
  return looksLikeInterfaceName(name) && !opensOwnMessage(text, bodyStart);
}

/**
 * The leads of the RouterOS messages that follow an identity and never an
 * interface's event: a wireless station, a DHCP lease or the router's DHCP client,
 * a router login, a hotspot session (`user (ip): ...`), PPP accounting and discovery.
 * The firewall head and a subject of its own are checked in code.
 */
const MESSAGE_LEAD = new RegExp(
  `(?:${[
    "[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}@",
    String.raw`\S+ (?:assigned|deassigned|offering lease) `,
    "dhcp-client on ",
    String.raw`user \S+ logged (?:in|out)\b`,
    "login failure for user ",
    String.raw`\S+ \([^()\s]+\): `,
    String.raw`\S+ logged (?:in|out), `,
    "PPPoE connection established ",
  ].join("|")})`,
  "y",
);

/** True when the text at `at` opens a RouterOS message of its own (see isRouterOsSubject). */
function opensOwnMessage(text: string, at: number): boolean {
  // A firewall head (`forward: in:`, `winbox-wan input: in:`): no interface event has `: in:`.
  if (text.indexOf(": in:", at) >= 0) return true;
  // Another subject: `GW01: pppoe-out1: connected`, `GW01: <pppoe-oda-412>: authenticated`.
  const colon = text.indexOf(": ", at);
  const space = text.indexOf(" ", at);
  if (colon > at && colon === space - 1) {
    const name = text.slice(at, colon);
    if (pppServerUserOf(name) !== undefined || looksLikeInterfaceName(name)) return true;
  }
  MESSAGE_LEAD.lastIndex = at;
  return MESSAGE_LEAD.test(text);
}
