/**
 * DHCP lines (topic `dhcp`): the server's lease log, which is what answers "which
 * device had this IP", and the router's own DHCP client.
 *
 *   <server> assigned <ip> to <MAC>                (RouterOS v6)
 *   <server> assigned <ip> for <MAC> [<hostname>]  (RouterOS v7)
 *   <server> deassigned <ip> from|for <MAC> [<hostname>]
 *   <server> offering lease <ip> for <MAC> without success
 *   dhcp-client on <interface> got|lost IP address <ip>
 *       chaddr = 00:0C:AA:9B:EA:66            (packet dumps of `dhcp,debug,packet`)
 */

import { normalizeIp, normalizeMac, scanAddresses } from "../address.ts";
import type { RouterOsFields } from "../event.ts";
import { addRelated } from "../related.ts";

const LEASE_VERBS = [" assigned ", " deassigned "] as const;
const OFFER_FAILED = " offering lease ";
const CLIENT_PREFIX = "dhcp-client on ";
const CLIENT_ADDRESS_MARKER = " IP address ";

/**
 * Writes the fields of a DHCP lease or DHCP client line into `out`; false, writing
 * nothing, when `body` is neither.
 * @example parseDhcp("guest-dhcp assigned 10.20.4.17 for 3C:22:FB:11:22:33 iPhone-Oda-412", fields)
 */
export function parseDhcp(body: string, out: RouterOsFields): boolean {
  return (
    parseLease(body, out) ||
    parseOfferFailed(body, out) ||
    parseClient(body, out) ||
    parsePacketField(body, out) ||
    parsePrefix(body, out)
  );
}

function parseLease(body: string, out: RouterOsFields): boolean {
  for (const verb of LEASE_VERBS) {
    const at = body.indexOf(verb);
    if (at <= 0) continue;
    if (body.indexOf(" ") < at) return false; // the server name is one word
    // <ip> <to|for|from> <MAC-or-DUID> [hostname...], read by word ends: no split.
    const addressStart = at + verb.length;
    const addressEnd = wordEnd(body, addressStart);
    const prepositionEnd = wordEnd(body, addressEnd + 1);
    if (prepositionEnd >= body.length) return false; // no client id
    const preposition = body.slice(addressEnd + 1, prepositionEnd);
    if (preposition !== "to" && preposition !== "for" && preposition !== "from") return false;
    const lease = readAddressOrPrefix(body.slice(addressStart, addressEnd));
    if (lease === undefined) return false;
    const clientEnd = wordEnd(body, prepositionEnd + 1);
    out["event.dataset"] = "routeros.dhcp";
    out["event.action"] = verb.trim();
    out["event.outcome"] = "success";
    out["routeros.dhcp.server"] = body.slice(0, at);
    writeAddressOrPrefix(lease, out);
    const mac = normalizeMac(body.slice(prepositionEnd + 1, clientEnd));
    if (mac !== undefined) out["client.mac"] = mac;
    if (clientEnd < body.length) {
      const hostname = body.slice(clientEnd + 1).trim();
      if (hostname.length > 0) out["client.hostname"] = hostname;
    }
    return true;
  }
  return false;
}

/** Where the word at `at` ends: the next space, or the end of the text. */
function wordEnd(body: string, at: number): number {
  const space = body.indexOf(" ", at);
  return space < 0 ? body.length : space;
}

function parseOfferFailed(body: string, out: RouterOsFields): boolean {
  const at = body.indexOf(OFFER_FAILED);
  if (at <= 0 || !body.endsWith(" without success")) return false;
  const [address, preposition, clientId] = body.slice(at + OFFER_FAILED.length).split(" ");
  if (address === undefined || preposition !== "for" || clientId === undefined) return false;
  const lease = readAddressOrPrefix(address);
  if (lease === undefined) return false;
  out["event.dataset"] = "routeros.dhcp";
  out["event.action"] = "offer-failed";
  out["event.outcome"] = "failure";
  out["routeros.dhcp.server"] = body.slice(0, at);
  writeAddressOrPrefix(lease, out);
  const mac = normalizeMac(clientId);
  if (mac !== undefined) out["client.mac"] = mac;
  return true;
}

/** The router as a DHCP client: the address its uplink got, e.g. from the ISP. */
function parseClient(body: string, out: RouterOsFields): boolean {
  if (!body.startsWith(CLIENT_PREFIX)) return false;
  const rest = body.slice(CLIENT_PREFIX.length);
  const space = rest.indexOf(" ");
  if (space <= 0) return false;
  const event = rest.slice(space + 1);
  const verb = event.startsWith("got ")
    ? "acquired"
    : event.startsWith("lost ")
      ? "lost"
      : undefined;
  const addressAt = event.indexOf(CLIENT_ADDRESS_MARKER);
  if (verb === undefined || addressAt < 0) return false;
  const [address = ""] = event.slice(addressAt + CLIENT_ADDRESS_MARKER.length).split(" ");
  const ip = normalizeIp(address);
  if (ip === undefined) return false;
  out["event.dataset"] = "routeros.dhcp";
  out["event.action"] = `client-address-${verb}`;
  out["event.outcome"] = "success";
  out["observer.ingress.interface.name"] = rest.slice(0, space);
  out["client.ip"] = ip;
  return true;
}

/** Packet-dump fields that name the client; the rest (options, server fields) stay text. */
const PACKET_FIELDS: Readonly<Record<string, "client.mac" | "client.ip" | "client.hostname">> = {
  chaddr: "client.mac",
  ciaddr: "client.ip",
  yiaddr: "client.ip",
  "Host-Name": "client.hostname",
};

/** One `<name> = <value>` line of a DHCP packet dump. */
function parsePacketField(body: string, out: RouterOsFields): boolean {
  const equals = body.indexOf(" = ");
  if (equals <= 0) return false;
  const field = PACKET_FIELDS[body.slice(0, equals)];
  if (field === undefined) return false;
  const raw = body.slice(equals + 3).trim();
  const value =
    field === "client.mac"
      ? normalizeMac(raw)
      : field === "client.ip"
        ? normalizeIp(raw)
        : raw.replace(/^"(.*)"$/, "$1");
  if (value === undefined || value.length === 0 || value === "0.0.0.0") return false;
  out["event.dataset"] = "routeros.dhcp";
  out[field] = value;
  return true;
}

/**
 * DHCPv6 prefix lines (`address received from the server differs from 2001:db8:aa::/56`,
 * `... expired prefix: 2001:db8:aa:2::/64`): the prefix is the fact worth a field.
 */
function parsePrefix(body: string, out: RouterOsFields): boolean {
  if (body.indexOf("/") < 0) return false;
  const found = scanAddresses(body);
  const [prefix] = found.prefixes;
  if (prefix === undefined) return false;
  out["event.dataset"] = "routeros.dhcp";
  out["routeros.dhcp.prefix"] = prefix;
  if (body.includes("expired prefix")) out["event.action"] = "prefix-expired";
  for (const ip of found.ips) addRelated(out, "related.ip", ip);
  for (const mac of found.macs) addRelated(out, "related.mac", mac);
  return true;
}

/** A lease's address: an IP, or a DHCPv6 `addr/len` prefix. */
interface LeaseAddress {
  ip: string;
  /** `/56` of a prefix, empty for an address. */
  length: string;
}

function readAddressOrPrefix(text: string): LeaseAddress | undefined {
  const slash = text.indexOf("/");
  const ip = normalizeIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  return { ip, length: slash < 0 ? "" : text.slice(slash) };
}

/** `client.ip` for an address, `routeros.dhcp.prefix` (and `related.ip`) for a prefix. */
function writeAddressOrPrefix(lease: LeaseAddress, out: RouterOsFields): void {
  if (lease.length === "") {
    out["client.ip"] = lease.ip;
  } else {
    out["routeros.dhcp.prefix"] = `${lease.ip}${lease.length}`;
    addRelated(out, "related.ip", lease.ip);
  }
}
