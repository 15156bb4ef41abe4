/**
 * RouterOS message fields: the door. Picks the family parser by topic (or, when the
 * header carried no topics, by content), tolerates a leading `identity: ` tag, and
 * fills `related.*` and `routeros.topics` in one place for every family.
 */
import type { RouterOsFields } from "../event.ts";
import { addRelated, type RelatedKey } from "../related.ts";
import { parseAccount } from "./account.ts";
import { parseDhcp } from "./dhcp.ts";
import { parseFirewall } from "./firewall.ts";
import { parseHotspot } from "./hotspot.ts";
import { extractRelatedOnly } from "./other.ts";
import { parsePpp } from "./ppp.ts";
import { parseWireless } from "./wireless.ts";

/** Writes a family's fields into `out` and says true, or writes nothing and says false. */
type FamilyParser = (body: string, out: RouterOsFields) => boolean;

interface Family {
  parse: FamilyParser;
  /** The dataset of a line of this family's topic that its parser does not understand. */
  fallbackDataset: string;
}

const FIREWALL: Family = { parse: parseFirewall, fallbackDataset: "routeros.firewall" };
const DHCP: Family = { parse: parseDhcp, fallbackDataset: "routeros.dhcp" };
const HOTSPOT: Family = { parse: parseHotspot, fallbackDataset: "routeros.hotspot" };
const WIRELESS: Family = { parse: parseWireless, fallbackDataset: "routeros.wireless" };
const PPP: Family = { parse: parsePpp, fallbackDataset: "routeros.ppp" };
// `system` and `account` carry much besides logins (reboots, NTP, scripts): those are "other".
const ACCOUNT: Family = { parse: parseAccount, fallbackDataset: "routeros.other" };

/**
 * The first topic found here decides the family (`hotspot,account` is hotspot). Each
 * is a list of one, the candidates to try, so that a line allocates none.
 */
const FAMILY_BY_TOPIC: ReadonlyMap<string, readonly [Family]> = new Map([
  ["firewall", [FIREWALL]],
  ["dhcp", [DHCP]],
  ["hotspot", [HOTSPOT]],
  ["wireless", [WIRELESS]],
  ["caps", [WIRELESS]],
  ["wifi", [WIRELESS]],
  ["wifiwave2", [WIRELESS]],
  ["ppp", [PPP]],
  ["pppoe", [PPP]],
  ["l2tp", [PPP]],
  ["pptp", [PPP]],
  ["sstp", [PPP]],
  ["ovpn", [PPP]],
  ["system", [ACCOUNT]],
  ["account", [ACCOUNT]],
]);

/** Without topics, every parser is tried; each rejects a foreign line after a few indexOf calls. */
const CONTENT_ORDER: readonly Family[] = [FIREWALL, ACCOUNT, HOTSPOT, DHCP, WIRELESS, PPP];
const NO_FAMILY: readonly Family[] = [];

/** An identity tag is short and has no parentheses, `@` or `:` (which hotspot and wireless lines have). */
const MAX_IDENTITY_LENGTH = 64;
const NOT_IN_IDENTITY = /[()@:]/;

/**
 * Fields of a RouterOS message body (the text after the syslog header and the topics),
 * by topic and, when `topics` is empty, by content. Never throws.
 *
 * A leading `identity: ` tag is skipped when the line does not parse with it, except
 * before a firewall chain, where it cannot be told from a log prefix (the header
 * parser strips it there).
 *
 * @example
 * extractRouterOsFields(
 *   "guest-dhcp assigned 10.20.4.17 for 3C:22:FB:11:22:33 iPhone-Oda-412",
 *   ["dhcp", "info"],
 * );
 * // => { "event.dataset": "routeros.dhcp", "event.action": "assigned", "client.ip": "10.20.4.17",
 * //      "client.mac": "3c:22:fb:11:22:33", "client.hostname": "iPhone-Oda-412", ... }
 */
export function extractRouterOsFields(message: string, topics: readonly string[]): RouterOsFields {
  const fields: RouterOsFields = {};
  try {
    writeRouterOsFields(fields, message, topics);
    return fields;
  } catch {
    // A parser bug must not lose the line: it is still stored and searchable by text.
    const other: RouterOsFields = { "event.dataset": "routeros.other" };
    if (topics.length > 0) other["routeros.topics"] = [...topics];
    return other;
  }
}

/**
 * {@link extractRouterOsFields} written straight into `out`, which is how the parser
 * fills its event without a second object and a merge. `related.*` lists already in
 * `out` (a hostname that is an address) are kept first and added to. A bug throws,
 * possibly after some fields were written: the caller decides what to keep.
 */
export function writeRouterOsFields(
  out: RouterOsFields,
  message: string,
  topics: readonly string[],
): void {
  const body = message.trim();
  const ipsBefore = out["related.ip"]?.length ?? 0;
  const macsBefore = out["related.mac"]?.length ?? 0;
  const family = familyOfTopics(topics);
  // Content decides only when the header carried no topics: a `script` or `interface`
  // line that happens to read like a lease is still a script's words.
  const candidates = family ?? (topics.length === 0 ? CONTENT_ORDER : NO_FAMILY);
  const parsed = parseWithAny(body, candidates, out) || parseWithoutIdentity(body, candidates, out);
  if (!parsed) extractRelatedOnly(body, family?.[0].fallbackDataset ?? "routeros.other", out);
  if (topics.length > 0) out["routeros.topics"] = topics.slice();
  if (parsed) addRelatedOfNamedFields(out, ipsBefore, macsBefore);
}

function familyOfTopics(topics: readonly string[]): readonly [Family] | undefined {
  for (let i = 0; i < topics.length; i++) {
    const family = FAMILY_BY_TOPIC.get(topics[i] as string);
    if (family !== undefined) return family;
  }
  return undefined;
}

function parseWithAny(body: string, candidates: readonly Family[], out: RouterOsFields): boolean {
  for (const family of candidates) {
    if (family.parse(body, out)) return true;
  }
  return false;
}

function parseWithoutIdentity(
  body: string,
  candidates: readonly Family[],
  out: RouterOsFields,
): boolean {
  const colon = body.indexOf(": ");
  if (colon <= 0 || colon > MAX_IDENTITY_LENGTH) return false;
  const identity = body.slice(0, colon);
  if (NOT_IN_IDENTITY.test(identity)) return false;
  return parseWithAny(body.slice(colon + 2).trimStart(), candidates, out);
}

/**
 * `related.*` from the named fields first, then the addresses the family parser found
 * elsewhere in the line (added to the lists since `ipsBefore`/`macsBefore`), each once.
 */
function addRelatedOfNamedFields(out: RouterOsFields, ipsBefore: number, macsBefore: number): void {
  const foundIps = takeFrom(out["related.ip"], ipsBefore);
  addIfSet(out, "related.ip", out["source.ip"]);
  addIfSet(out, "related.ip", out["source.nat.ip"]);
  addIfSet(out, "related.ip", out["destination.ip"]);
  addIfSet(out, "related.ip", out["destination.nat.ip"]);
  addIfSet(out, "related.ip", out["client.ip"]);
  if (foundIps !== undefined) for (const ip of foundIps) addRelated(out, "related.ip", ip);
  const foundMacs = takeFrom(out["related.mac"], macsBefore);
  addIfSet(out, "related.mac", out["source.mac"]);
  addIfSet(out, "related.mac", out["destination.mac"]);
  addIfSet(out, "related.mac", out["client.mac"]);
  if (foundMacs !== undefined) for (const mac of foundMacs) addRelated(out, "related.mac", mac);
  addIfSet(out, "related.user", out["user.name"]);
}

/** The entries of `list` from `start` on, removed from it; undefined when there are none. */
function takeFrom(list: string[] | undefined, start: number): string[] | undefined {
  return list !== undefined && list.length > start ? list.splice(start) : undefined;
}

function addIfSet(out: RouterOsFields, key: RelatedKey, value: string | undefined): void {
  if (value !== undefined) addRelated(out, key, value);
}
