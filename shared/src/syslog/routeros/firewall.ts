/**
 * Firewall `action=log` lines (topic `firewall`):
 *
 *   [log-prefix ]chain: in:IF out:IF, [connection-state:S ][src-mac MAC, ]proto P[ (detail)],
 *   SRC[:port]->DST[:port], [NAT mapping, ]len N
 *
 * The hottest path of the parser (most lines a hotel router sends are these), so it
 * walks the text with a cursor, `indexOf` and `charCodeAt`: no regex, no split, and a
 * substring only for a value that goes into a field.
 */

import { normalizeMacIn, type parseEndpoint, parseEndpointIn, scanAddresses } from "../address.ts";
import type { RouterOsFields } from "../event.ts";
import { addRelated } from "../related.ts";
import { parseUnsigned } from "./number.ts";

const IN_MARKER = ": in:";
const OUT_MARKER = " out:";
const SPACE = 32;
const COMMA = 44;

/**
 * Chains every RouterOS has, the usual ones first: matched in place so that the field
 * gets the constant, and used to split a v6-style prefix glued to the chain name.
 */
const BUILTIN_CHAINS = [
  "forward",
  "input",
  "output",
  "prerouting",
  "postrouting",
  "srcnat",
  "dstnat",
];

// Values that most lines carry, matched in place (see knownWordIn).
const PROTOCOL_NAMES = ["TCP", "UDP", "ICMP", "IPV6-ICMP", "GRE"];
const CONNECTION_STATES = ["new", "established", "related", "invalid", "untracked"];

/**
 * `network.transport` by what RouterOS prints after `proto`: its names, and the IANA
 * numbers it prints for protocols it has no name for; undefined for anything else,
 * which is lower-cased. A switch, not a map: it compares the few characters of a
 * fresh string instead of hashing it.
 */
function transportOfProtocol(protocol: string): string | undefined {
  switch (protocol) {
    case "TCP":
    case "6":
      return "tcp";
    case "UDP":
    case "17":
      return "udp";
    case "ICMP":
    case "1":
      return "icmp";
    case "IPV6-ICMP":
    case "58":
      return "ipv6-icmp";
    case "GRE":
    case "47":
      return "gre";
    case "2":
      return "igmp";
    case "4":
      return "ipv4";
    case "41":
      return "ipv6";
    case "50":
      return "esp";
    case "51":
      return "ah";
    case "89":
      return "ospf";
    case "103":
      return "pim";
    case "112":
      return "vrrp";
    case "132":
      return "sctp";
    default:
      return undefined;
  }
}

/**
 * Writes the fields of a firewall log line into `out`; false, writing nothing, when
 * `body` is not one.
 * @example parseFirewall("drop-in input: in:ether1 out:(unknown 0), proto UDP, 1.2.3.4:5->5.6.7.8:53, len 65", fields)
 */
export function parseFirewall(body: string, out: RouterOsFields): boolean {
  const inAt = body.indexOf(IN_MARKER);
  if (inAt < 0) return false;
  const inStart = inAt + IN_MARKER.length;
  const outAt = body.indexOf(OUT_MARKER, inStart);
  if (outAt < 0) return false;
  const chainEnd = trimmedEnd(body, inAt);
  if (chainEnd === 0) return false;

  out["event.dataset"] = "routeros.firewall";
  writePrefixAndChain(body, chainEnd, out);
  out["observer.ingress.interface.name"] = body.slice(inStart, outAt);
  const outStart = outAt + OUT_MARKER.length;
  const outEnd = body.indexOf(", ", outStart);
  out["observer.egress.interface.name"] = body.slice(outStart, outEnd < 0 ? body.length : outEnd);
  if (outEnd >= 0) readPacket(body, outEnd + 2, out);
  setTransport(out);
  return true;
}

/** Where `body[..end)` ends without its trailing whitespace. */
function trimmedEnd(body: string, end: number): number {
  let at = end;
  while (at > 0 && isWhitespace(body.charCodeAt(at - 1))) at--;
  return at;
}

/** Whitespace as `String.prototype.trim` drops it. */
function isWhitespace(code: number): boolean {
  if (code < 128) return code === SPACE || (code >= 9 && code <= 13);
  return WHITESPACE.test(String.fromCharCode(code));
}

const WHITESPACE = /\s/;

/**
 * The log prefix and the chain of the head `body[..chainEnd)`: the chain is its last
 * word. RouterOS v7 puts a space between them (`drop-in input`); v6 glued them
 * (`DROPinput`), which is split only for built-in chains after a character a custom
 * chain name would not use there, so that custom chains such as the hotspot's
 * `hs-input` stay whole.
 */
function writePrefixAndChain(body: string, chainEnd: number, out: RouterOsFields): void {
  let headStart = 0;
  while (isWhitespace(body.charCodeAt(headStart))) headStart++;
  const chainStart = Math.max(body.lastIndexOf(" ", chainEnd - 1) + 1, headStart);
  const chain = builtinChainIn(body, chainStart, chainEnd) ?? body.slice(chainStart, chainEnd);
  out["routeros.firewall.chain"] = chain;
  const prefixEnd = chainEnd - chain.length;
  if (prefixEnd > headStart) {
    const prefix = body.slice(headStart, prefixEnd).trim();
    if (prefix.length > 0) out["rule.name"] = prefix;
  }
}

/**
 * The built-in chain that the word `body[start..end)` is, or ends with after a glued
 * v6 prefix; undefined for a custom chain. At most one built-in name ends a word.
 */
function builtinChainIn(body: string, start: number, end: number): string | undefined {
  for (const name of BUILTIN_CHAINS) {
    const nameStart = end - name.length;
    if (nameStart < start || !keywordAt(body, nameStart, name)) continue;
    const glued = nameStart > start;
    return !glued || isGluedPrefixEnd(body.charCodeAt(nameStart - 1)) ? name : undefined;
  }
  return undefined;
}

/** Uppercase letters, digits and punctuation other than `-` and `_` end a glued v6 prefix. */
function isGluedPrefixEnd(code: number): boolean {
  const isLowerCase = code >= 97 && code <= 122;
  return !isLowerCase && code !== 45 && code !== 95;
}

/**
 * The packet description after `out:IF, `, read with a cursor: each reader returns
 * where its text ends and the loop skips the `, ` or ` ` after it. RouterOS varies
 * the separators (`connection-state:new src-mac ..., proto`), so keywords are
 * recognised wherever they stand, not by position.
 */
function readPacket(body: string, start: number, out: RouterOsFields): void {
  let at = start;
  while (at < body.length) {
    // Dispatch on the first character: most words are tried against one keyword only.
    switch (body.charCodeAt(at)) {
      case 99 /* c */:
        at = keywordAt(body, at, "connection-state:")
          ? readConnectionState(body, at, out)
          : readWord(body, at, out);
        break;
      case 115 /* s */:
        at = keywordAt(body, at, "src-mac ")
          ? readMac(body, at + 8, "source.mac", out)
          : readWord(body, at, out);
        break;
      case 100 /* d */:
        at = keywordAt(body, at, "dst-mac ")
          ? readMac(body, at + 8, "destination.mac", out)
          : readWord(body, at, out);
        break;
      case 112 /* p */:
        at = keywordAt(body, at, "proto ")
          ? readProtocol(body, at + 6, out)
          : readWord(body, at, out);
        break;
      case 78 /* N */:
        at = keywordAt(body, at, "NAT ") ? readNat(body, at + 4, out) : readWord(body, at, out);
        break;
      case 108 /* l */:
        at = keywordAt(body, at, "len ") ? readLength(body, at + 4, out) : readWord(body, at, out);
        break;
      default:
        at = readWord(body, at, out);
    }
    at += body.charCodeAt(at) === COMMA && body.charCodeAt(at + 1) === SPACE ? 2 : 1;
  }
}

/**
 * True when `keyword` stands at `at`. A few char codes compared in JIT code cost less
 * than the native `startsWith` call, six of which every line makes here.
 */
function keywordAt(body: string, at: number, keyword: string): boolean {
  for (let i = 0; i < keyword.length; i++) {
    if (body.charCodeAt(at + i) !== keyword.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The one of `words` that `body[start..end)` is, else undefined. The field then gets
 * the constant: no substring to make now, and none to read back when it is compared
 * (`transportOfProtocol`) or written out.
 */
function knownWordIn(
  words: readonly string[],
  body: string,
  start: number,
  end: number,
): string | undefined {
  for (const word of words) {
    if (word.length === end - start && keywordAt(body, start, word)) return word;
  }
  return undefined;
}

/** End of the word at `at`: the next space, or a comma right before one. */
function wordEnd(body: string, at: number): number {
  const space = body.indexOf(" ", at);
  const end = space < 0 ? body.length : space;
  return body.charCodeAt(end - 1) === COMMA ? end - 1 : end;
}

function readMac(
  body: string,
  at: number,
  field: "source.mac" | "destination.mac",
  out: RouterOsFields,
): number {
  const end = wordEnd(body, at);
  const mac = normalizeMacIn(body, at, end);
  if (mac !== undefined) out[field] = mac;
  return end;
}

/** `TCP (SYN,ACK)` / `ICMP (type 3, code 1)` / `2` at `at`. */
function readProtocol(body: string, at: number, out: RouterOsFields): number {
  let end = at;
  while (end < body.length) {
    const code = body.charCodeAt(end);
    if (code === SPACE || code === COMMA) break;
    end++;
  }
  if (end === at) return end;
  out["routeros.firewall.protocol"] =
    knownWordIn(PROTOCOL_NAMES, body, at, end) ?? body.slice(at, end);
  if (body.charCodeAt(end) !== SPACE || body.charCodeAt(end + 1) !== 40 /* ( */) return end;
  const close = body.indexOf(")", end + 2);
  if (close < 0) return body.length;
  readProtocolDetail(body, end + 2, close, out);
  return close + 1;
}

function readLength(body: string, at: number, out: RouterOsFields): number {
  const end = wordEnd(body, at);
  let length = 0;
  for (let i = at; i < end; i++) {
    const digit = body.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || i - at >= 15) return end;
    length = length * 10 + digit;
  }
  if (end > at) out["routeros.firewall.len"] = length;
  return end;
}

function readConnectionState(body: string, at: number, out: RouterOsFields): number {
  const end = wordEnd(body, at);
  const start = at + "connection-state:".length;
  out["routeros.firewall.connection_state"] =
    knownWordIn(CONNECTION_STATES, body, start, end) ?? body.slice(start, end);
  return end;
}

/** The `src->dst` pair, or a word we have no keyword for (its addresses stay searchable). */
function readWord(body: string, at: number, out: RouterOsFields): number {
  const end = wordEnd(body, at);
  const arrow = indexBefore(body, "->", at, end);
  if (arrow > at && out["source.ip"] === undefined) {
    const source = parseEndpointIn(body, at, arrow);
    const destination = source === undefined ? undefined : parseEndpointIn(body, arrow + 2, end);
    if (source !== undefined && destination !== undefined) {
      out["source.ip"] = source.ip;
      if (source.port !== undefined) out["source.port"] = source.port;
      out["destination.ip"] = destination.ip;
      if (destination.port !== undefined) out["destination.port"] = destination.port;
      return end;
    }
  }
  addRelatedFromText(body.slice(at, end), out);
  return end;
}

/** `body[at..close)` after the protocol: `type 3, code 1` (ICMP) or `SYN,ACK` (TCP flags). */
function readProtocolDetail(body: string, at: number, close: number, out: RouterOsFields): void {
  if (body.startsWith("type ", at) && at + 5 <= close) {
    const detail = body.slice(at, close);
    const comma = detail.indexOf(",");
    const type = parseUnsigned(detail.slice(5, comma < 0 ? detail.length : comma).trim());
    if (type !== undefined) out["routeros.firewall.icmp_type"] = type;
    const codeAt = detail.indexOf("code ");
    if (codeAt >= 0) {
      const code = parseUnsigned(detail.slice(codeAt + 5).trim());
      if (code !== undefined) out["routeros.firewall.icmp_code"] = code;
    }
    return;
  }
  // RouterOS writes flags as `SYN,ACK`, without spaces.
  let flags: string[] | undefined;
  let flagStart = at;
  for (let i = at; i <= close; i++) {
    if (i < close && body.charCodeAt(i) !== COMMA) continue;
    if (i > flagStart) {
      const flag = body.slice(flagStart, i);
      if (flags === undefined) flags = [flag];
      else flags.push(flag);
    }
    flagStart = i + 1;
  }
  if (flags !== undefined) out["routeros.firewall.tcp_flags"] = flags;
}

/**
 * The NAT mapping after `NAT `. srcnat: `(orig-src->new-src)->dst`; dstnat:
 * `src->(orig-dst->new-dst)`; both at once (hairpin): `(a->b)->(c->d)`, which
 * leaves `routeros.firewall.nat_type` absent because the field names one kind.
 */
function readNat(body: string, at: number, out: RouterOsFields): number {
  const end = wordEnd(body, at);
  let rest = at;
  let sourceTranslated = false;
  let destinationTranslated = false;
  if (body.charCodeAt(at) === 40 /* ( */) {
    const close = indexBefore(body, ")", at, end);
    if (close < 0) return end;
    const translated = translatedEndpoint(body, at + 1, close);
    if (translated !== undefined) {
      out["source.nat.ip"] = translated.ip;
      if (translated.port !== undefined) out["source.nat.port"] = translated.port;
      sourceTranslated = true;
    }
    rest = close + 1;
  }
  const open = indexBefore(body, "->(", rest, end);
  if (open >= 0) {
    const close = indexBefore(body, ")", open, end);
    const translated = translatedEndpoint(body, open + 3, close < 0 ? end : close);
    if (translated !== undefined) {
      out["destination.nat.ip"] = translated.ip;
      if (translated.port !== undefined) out["destination.nat.port"] = translated.port;
      destinationTranslated = true;
    }
  }
  if (sourceTranslated !== destinationTranslated) {
    out["routeros.firewall.nat_type"] = sourceTranslated ? "srcnat" : "dstnat";
  }
  return end;
}

/** `body.indexOf(search, from)` when the whole match lies before `end`, else -1. */
function indexBefore(body: string, search: string, from: number, end: number): number {
  const at = body.indexOf(search, from);
  return at >= 0 && at + search.length <= end ? at : -1;
}

/** The right-hand side of `before->after` in `body[start..end)`. */
function translatedEndpoint(
  body: string,
  start: number,
  end: number,
): ReturnType<typeof parseEndpoint> {
  const arrow = indexBefore(body, "->", start, end);
  return arrow < 0 ? undefined : parseEndpointIn(body, arrow + 2, end);
}

/** `network.transport`: the IANA keyword, lower-case; ICMP between IPv6 hosts is `ipv6-icmp`. */
function setTransport(out: RouterOsFields): void {
  const protocol = out["routeros.firewall.protocol"];
  if (protocol === undefined) return;
  let transport = transportOfProtocol(protocol) ?? protocol.toLowerCase();
  if (transport === "icmp" && out["source.ip"]?.includes(":")) transport = "ipv6-icmp";
  out["network.transport"] = transport;
}

function addRelatedFromText(text: string, out: RouterOsFields): void {
  if (text.indexOf(":") < 0 && text.indexOf(".") < 0) return;
  const found = scanAddresses(text);
  for (const ip of found.ips) addRelated(out, "related.ip", ip);
  for (const mac of found.macs) addRelated(out, "related.mac", mac);
}
