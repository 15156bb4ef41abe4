/**
 * The one place that recognises IP addresses, MAC addresses and ports, in headers (a
 * hostname or a syslog server's sender that is an address, CEF `src`/`dst`) and in
 * RouterOS messages, and normalises them as event.ts says: IPs without brackets or
 * zone, IPv6 lower-case, IPv4-mapped IPv6 as IPv4, MACs lower-case with colons,
 * ports as numbers.
 *
 * Hand-written scanners instead of regexes: these run on every firewall line, and a
 * few `indexOf`/`charCodeAt` calls cost far less than a regex with alternation.
 */

/** An address as RouterOS prints it in `src->dst` pairs, NAT mappings and peers. */
export interface Endpoint {
  ip: string;
  port?: number;
}

/** What a free-text scan found: addresses, MACs and IPv6/IPv4 prefixes (`2001:db8::/56`). */
export interface ScannedAddresses {
  ips: string[];
  macs: string[];
  prefixes: string[];
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DOT = 46;
const CHAR_COLON = 58;
const HAS_UPPER_CASE = /[A-F]/;

function isDigitCode(code: number): boolean {
  return code >= CHAR_0 && code <= CHAR_9;
}

function isHexCode(code: number): boolean {
  return (
    isDigitCode(code) ||
    (code >= 97 && code <= 102) || // a-f
    (code >= 65 && code <= 70) // A-F
  );
}

/** A decimal port 0..65535 in `text[start..end)`, or -1. */
function portIn(text: string, start: number, end: number): number {
  if (end <= start || end - start > 5) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isDigitCode(code)) return -1;
    value = value * 10 + (code - CHAR_0);
  }
  return value <= 65535 ? value : -1;
}

/** A decimal port 0..65535, or undefined. */
export function parsePort(text: string): number | undefined {
  const port = portIn(text, 0, text.length);
  return port < 0 ? undefined : port;
}

/**
 * Where a dotted-quad IPv4 address that starts at `start` ends (at most `end`), or
 * -1. Octets are 1-3 digits up to 255; the caller checks what follows.
 */
function ipv4End(text: string, start: number, end: number): number {
  let i = start;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= end || text.charCodeAt(i) !== CHAR_DOT) return -1;
      i++;
    }
    const first = i;
    let value = 0;
    while (i < end && i - first < 3) {
      const code = text.charCodeAt(i);
      if (!isDigitCode(code)) break;
      value = value * 10 + (code - CHAR_0);
      i++;
    }
    if (i === first || value > 255) return -1;
  }
  return i;
}

function isIpv4(text: string): boolean {
  return ipv4End(text, 0, text.length) === text.length;
}

/**
 * True for an IPv6 literal: hex groups of 1-4 digits, at most one `::`, eight groups
 * (or fewer with `::`), optionally ending in a dotted IPv4 that counts as two groups.
 */
function isIpv6(text: string): boolean {
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0 || text.length < 2) return false;
  let groupsText = text;
  let groups = 0;
  if (text.indexOf(".", lastColon) > 0) {
    if (!isIpv4(text.slice(lastColon + 1))) return false;
    groups = 2;
    // The colon before the IPv4 separates it from the groups, unless it is half of "::".
    groupsText = text.slice(0, text.endsWith("::", lastColon + 1) ? lastColon + 1 : lastColon);
  }
  const compressed = groupsText.indexOf("::");
  if (compressed >= 0 && groupsText.indexOf("::", compressed + 1) >= 0) return false;
  const leadingSingleColon = groupsText.startsWith(":") && compressed !== 0;
  const trailingSingleColon = groupsText.endsWith(":") && compressed !== groupsText.length - 2;
  if (leadingSingleColon || trailingSingleColon) return false;
  let hexDigits = 0;
  for (let i = 0; i < groupsText.length; i++) {
    const code = groupsText.charCodeAt(i);
    if (code === CHAR_COLON) {
      if (hexDigits > 0) groups++;
      hexDigits = 0;
    } else if (isHexCode(code) && hexDigits < 4) {
      hexDigits++;
    } else {
      return false;
    }
  }
  if (hexDigits > 0) groups++;
  return compressed >= 0 ? groups <= 7 : groups === 8;
}

/**
 * The normalised form of an IP literal, or undefined when `text` is not one.
 * Brackets and an IPv6 zone (`%ether1`) are dropped, IPv6 is lower-cased, and an
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as CAPsMAN prints peers) becomes the
 * IPv4 address, so that a search for the IPv4 finds it.
 */
export function normalizeIp(text: string): string | undefined {
  // Most hostnames stop here.
  if (!mayStartIp(text.charCodeAt(0))) return undefined;
  let candidate = text;
  if (candidate.startsWith("[") && candidate.endsWith("]")) candidate = candidate.slice(1, -1);
  if (isIpv4(candidate)) return candidate;
  const zone = candidate.indexOf("%");
  if (zone > 0) candidate = candidate.slice(0, zone);
  if (!isIpv6(candidate)) return undefined;
  const lower = HAS_UPPER_CASE.test(candidate) ? candidate.toLowerCase() : candidate;
  if (lower.startsWith("::ffff:") && lower.indexOf(".") > 0) {
    const mapped = lower.slice(7);
    if (isIpv4(mapped)) return mapped;
  }
  return lower;
}

/** Only a hex digit, `:` or `[` starts an IP literal. */
function mayStartIp(code: number): boolean {
  return isHexCode(code) || code === CHAR_COLON || code === 91 /* [ */;
}

/**
 * {@link normalizeIp} of `text[start..end)`. A header hostname is nearly always a
 * name, refused here by its first character before any substring is made or read.
 */
export function normalizeIpIn(text: string, start: number, end: number): string | undefined {
  return mayStartIp(text.charCodeAt(start)) ? normalizeIp(text.slice(start, end)) : undefined;
}

/**
 * `aa:bb:cc:dd:ee:ff` for the MAC in `text[start..end)`, in any case with `:` or `-`,
 * or undefined. One pass checks the digits and notes upper case, so the lower-case
 * MACs RouterOS prints in firewall lines are returned without a copy.
 */
export function normalizeMacIn(text: string, start: number, end: number): string | undefined {
  if (end - start !== 17) return undefined;
  const separator = text.charCodeAt(start + 2);
  if (separator !== CHAR_COLON && separator !== 45 /* - */) return undefined;
  let upperCase = false;
  for (let i = 0; i < 17; i++) {
    const code = text.charCodeAt(start + i);
    if (i % 3 === 2) {
      if (code !== separator) return undefined;
    } else if (code >= 65 && code <= 70) {
      upperCase = true;
    } else if (!isDigitCode(code) && !(code >= 97 && code <= 102)) {
      return undefined;
    }
  }
  const mac = start === 0 && end === text.length ? text : text.slice(start, end);
  const lower = upperCase ? mac.toLowerCase() : mac;
  return separator === CHAR_COLON ? lower : lower.replaceAll("-", ":");
}

/** `aa:bb:cc:dd:ee:ff` for a MAC in any case with `:` or `-`, or undefined. */
export function normalizeMac(text: string): string | undefined {
  return normalizeMacIn(text, 0, text.length);
}

/**
 * {@link parseEndpoint} of `text[start..end)`. The shape of nearly every firewall
 * endpoint, `1.2.3.4` or `1.2.3.4:80`, is read in place; anything else goes the
 * general way.
 */
export function parseEndpointIn(text: string, start: number, end: number): Endpoint | undefined {
  const ipEnd = ipv4End(text, start, end);
  if (ipEnd === end) return { ip: text.slice(start, end) };
  if (ipEnd >= 0 && text.charCodeAt(ipEnd) === CHAR_COLON) {
    const port = portIn(text, ipEnd + 1, end);
    if (port >= 0) return { ip: text.slice(start, ipEnd), port };
  }
  return parseEndpoint(text.slice(start, end));
}

/**
 * One endpoint as RouterOS prints it: `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:443`,
 * bare `2001:db8::1` (ICMP, no port), `::ffff:10.0.0.1:5246` (IPv4-mapped with port)
 * and the IPsec style `1.2.3.4[4500]`. Undefined when it is none of these.
 */
export function parseEndpoint(text: string): Endpoint | undefined {
  if (text.length === 0) return undefined;
  if (text.charCodeAt(0) === 91 /* [ */) {
    const close = text.indexOf("]");
    if (close < 0) return undefined;
    const ip = normalizeIp(text.slice(1, close));
    if (ip === undefined) return undefined;
    if (close === text.length - 1) return { ip };
    if (text.charCodeAt(close + 1) !== CHAR_COLON) return undefined;
    const port = parsePort(text.slice(close + 2));
    return port === undefined ? undefined : { ip, port };
  }
  const bracket = text.indexOf("[");
  if (bracket > 0) {
    if (!text.endsWith("]")) return undefined;
    const ip = normalizeIp(text.slice(0, bracket));
    const port = parsePort(text.slice(bracket + 1, -1));
    return ip === undefined || port === undefined ? undefined : { ip, port };
  }
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) {
    const ip = normalizeIp(text);
    return ip === undefined ? undefined : { ip };
  }
  const lastDot = text.lastIndexOf(".");
  // A port follows the last colon when the address is dotted (IPv4, or IPv4-mapped
  // IPv6) and that colon comes after the last dot. Bare IPv6 never carries a port.
  if (lastDot > 0 && lastColon > lastDot) {
    const ip = normalizeIp(text.slice(0, lastColon));
    const port = parsePort(text.slice(lastColon + 1));
    return ip === undefined || port === undefined ? undefined : { ip, port };
  }
  const ip = normalizeIp(text);
  return ip === undefined ? undefined : { ip };
}

/** Characters that can be part of an address token in free text. */
function isAddressChar(code: number): boolean {
  return isHexCode(code) || code === CHAR_COLON || code === CHAR_DOT || code === 91 || code === 93;
}

/**
 * Addresses that name no host and would only add noise to `related.ip`: the
 * unspecified address and IPv4 netmasks such as `255.255.254.0` in DHCP packet dumps.
 */
function isNoiseIp(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::" || ip.startsWith("255.");
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/**
 * Every IPv4/IPv6 address (also as `addr:port`, `[addr]:port`, `addr[port]`), MAC
 * (also inside a DHCP client id `1:aa:bb:..`) and IP prefix in free text, normalised
 * and deduplicated, in order of appearance. For lines no family parser understands,
 * so that a search by IP or MAC still finds them.
 */
export function scanAddresses(text: string): ScannedAddresses {
  const found: ScannedAddresses = { ips: [], macs: [], prefixes: [] };
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inToken = i < text.length && isAddressChar(text.charCodeAt(i));
    if (inToken) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      classifyToken(text, start, i, found);
      start = -1;
    }
  }
  return found;
}

function classifyToken(text: string, start: number, end: number, found: ScannedAddresses): void {
  let token = text.slice(start, end);
  if (token.length < 3 || (token.indexOf(":") < 0 && token.indexOf(".") < 0)) return;
  // Sentence punctuation after an address ("failed from 10.0.0.1." / "peer 10.0.0.1:").
  while (token.endsWith(".") || (token.endsWith(":") && !token.endsWith("::"))) {
    token = token.slice(0, -1);
  }
  if (token.endsWith("]") && !token.startsWith("[") && token.indexOf("[") < 0) {
    token = token.slice(0, -1);
  }
  if (token.startsWith("[") && token.indexOf("]") < 0) token = token.slice(1);
  const mac =
    normalizeMac(token) ?? (token.startsWith("1:") ? normalizeMac(token.slice(2)) : undefined);
  if (mac !== undefined) {
    pushUnique(found.macs, mac);
    return;
  }
  const endpoint = parseEndpoint(token);
  if (endpoint === undefined || isNoiseIp(endpoint.ip)) return;
  pushUnique(found.ips, endpoint.ip);
  const prefixLength = readPrefixLength(text, end);
  if (prefixLength !== undefined && endpoint.port === undefined) {
    pushUnique(found.prefixes, `${endpoint.ip}/${prefixLength}`);
  }
}

/** The `56` of `/56` right after an address, or undefined. */
function readPrefixLength(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) !== 47 /* / */) return undefined;
  let end = at + 1;
  while (end < text.length && end - at <= 3 && isDigitCode(text.charCodeAt(end))) end++;
  if (end === at + 1) return undefined;
  const length = Number(text.slice(at + 1, end));
  return length <= 128 ? length : undefined;
}
