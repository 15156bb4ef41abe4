/**
 * The live tail's side of the query engine: the same filters as search,
 * tested in memory against each new event the index worker publishes, and
 * the same hit shape as search answers.
 */
import { BlockList, isIP } from "node:net";
import type { EventRow } from "../index/rows.ts";
import type { TailFilter } from "./request.ts";
import type { EventHit } from "./response.ts";
import { parseTextQuery, type WordClause } from "./text.ts";
import { istanbulTime } from "./time.ts";

/** The hit of a published row (search's shape; times with µs as the record has them). */
export function hitOfRow(row: EventRow): EventHit {
  return {
    received_at: row.receivedAt,
    received_at_istanbul: istanbulTime(row.receivedAt),
    hotel: row.hotelId,
    agent: row.agentId,
    chunk: row.chunk,
    seq: row.seq,
    device: row.deviceIp,
    logged_at: row.loggedAt,
    host: row.host,
    severity: row.severity,
    dataset: row.dataset,
    topics: row.topics,
    action: row.action,
    src_ip: row.srcIp,
    src_port: row.srcPort,
    src_mac: row.srcMac,
    dst_ip: row.dstIp,
    dst_port: row.dstPort,
    nat_ip: row.natIp,
    nat_port: row.natPort,
    protocol: row.protocol,
    user: row.userName,
    raw: row.raw,
  };
}

function addressTest(ipOrCidr: string): (ip: string | null) => boolean {
  const [address = "", bits] = ipOrCidr.split("/");
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  const list = new BlockList();
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
  return (ip) => ip !== null && list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
}

/** A clause of free text (hub/src/query/text.ts) as a test over a line's words. */
function clauseTest(clause: WordClause): (words: Set<string>) => boolean {
  if ("word" in clause) {
    const { word } = clause;
    return clause.prefix
      ? (words) => [...words].some((w) => w.startsWith(word))
      : (words) => words.has(word);
  }
  if ("not" in clause) {
    const test = clauseTest(clause.not);
    return (words) => !test(words);
  }
  const tests = ("all" in clause ? clause.all : clause.any).map(clauseTest);
  return "all" in clause
    ? (words) => tests.every((test) => test(words))
    : (words) => tests.some((test) => test(words));
}

/**
 * The in-memory form of a tail filter.
 *
 * @example
 * const matches = tailMatcher({ ip: "10.5.0.0/16", text: "logged" });
 * if (matches(row)) send(hitOfRow(row));
 */
export function tailMatcher(filter: TailFilter): (row: EventRow) => boolean {
  const tests: ((row: EventRow) => boolean)[] = [];
  if (filter.hotels?.length) tests.push((row) => filter.hotels?.includes(row.hotelId) ?? true);
  if (filter.agents?.length) tests.push((row) => filter.agents?.includes(row.agentId) ?? true);
  if (filter.devices?.length) tests.push((row) => filter.devices?.includes(row.deviceIp) ?? true);
  const severity = filter.severity;
  if (severity !== undefined)
    tests.push((row) => row.severity !== null && row.severity <= severity);
  if (filter.topics?.length)
    tests.push((row) => (row.topics ?? []).some((topic) => filter.topics?.includes(topic)));
  if (filter.datasets?.length)
    tests.push((row) => row.dataset !== null && (filter.datasets?.includes(row.dataset) ?? true));
  if (filter.ip) {
    const test = addressTest(filter.ip);
    tests.push((row) => test(row.srcIp) || test(row.dstIp) || test(row.natIp));
  }
  if (filter.mac) tests.push((row) => row.srcMac === filter.mac);
  const port = filter.port;
  if (port !== undefined)
    tests.push((row) => row.srcPort === port || row.dstPort === port || row.natPort === port);
  if (filter.user) tests.push((row) => row.userName === filter.user);
  if (filter.host) tests.push((row) => row.host === filter.host);
  const nat = filter.nat;
  if (nat)
    tests.push(
      (row) => row.natIp === nat.ip && (nat.port === undefined || row.natPort === nat.port),
    );
  if (filter.text?.trim()) {
    const text = parseTextQuery(filter.text);
    const words = text.clauses.length > 0 ? clauseTest({ all: text.clauses }) : undefined;
    tests.push((row) => {
      const raw = row.raw.toLowerCase();
      if (text.contains.some((part) => !raw.includes(part))) return false;
      if (text.excludes.some((part) => raw.includes(part))) return false;
      // The same words the index holds for the row.
      return !words || words(new Set(row.words));
    });
  }
  return (row) => tests.every((test) => test(row));
}
