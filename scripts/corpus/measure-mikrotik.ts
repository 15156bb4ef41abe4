/**
 * Measures the syslog parser against a corpus of real MikroTik lines that lives
 * outside the repository (the team kit's `corpus/mikrotik.jsonl`):
 *
 *   bun scripts/corpus/measure-mikrotik.ts <corpus-dir> [--verbose]
 *
 * (a) agreement with each record's `expect`, key by key;
 * (b) every IPv4/IPv6/MAC/port in the raw text that did not land in a field of its
 *     own: "missed" (in no field at all) or "related only" (only in `related.*`).
 *
 * The addresses are found here with regexes and `node:net`, independently of the
 * parser's own scanner, so the check does not grade itself.
 */
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { join } from "node:path";
import { parseSyslog, type SyslogEvent } from "../../shared/src/syslog/index.ts";

interface CorpusRecord {
  raw: string;
  source?: string;
  raw_packet?: string;
  expect?: Record<string, string | number>;
}

/** Corpus `expect` key -> event field. Keys not listed (meta_*) are the source's own. */
const FIELD_BY_EXPECT_KEY: Readonly<Record<string, keyof SyslogEvent>> = {
  topics: "routeros.topics",
  prefix: "rule.name",
  chain: "routeros.firewall.chain",
  in_interface: "observer.ingress.interface.name",
  out_interface: "observer.egress.interface.name",
  connection_state: "routeros.firewall.connection_state",
  src_mac: "source.mac",
  proto: "routeros.firewall.protocol",
  src_ip: "source.ip",
  src_port: "source.port",
  dst_ip: "destination.ip",
  dst_port: "destination.port",
  len: "routeros.firewall.len",
  user: "user.name",
  action: "event.action",
};

/**
 * Addresses that name no host, which the parser leaves out of `related.ip` by
 * convention (docs/fields.md): the unspecified address and IPv4 netmasks.
 */
function isConventionallyIgnored(found: Found): boolean {
  return found.kind === "ipv4" && (found.text === "0.0.0.0" || found.text.startsWith("255."));
}

/** Fields that hold the line itself, not something extracted from it. */
const TEXT_FIELDS = new Set(["event.original", "message"]);

type Kind = "ipv4" | "ipv6" | "mac" | "port";
interface Found {
  kind: Kind;
  text: string;
  value: string | number;
}

function main(): void {
  const args = process.argv.slice(2);
  const verbose = args.includes("--verbose");
  const corpusDir = args.find((arg) => !arg.startsWith("--"));
  if (corpusDir === undefined) {
    console.error("usage: bun scripts/corpus/measure-mikrotik.ts <corpus-dir> [--verbose]");
    process.exit(2);
  }
  const records = readRecords(join(corpusDir, "mikrotik.jsonl"));
  const agreement = new Map<string, { agree: number; total: number }>();
  const disagreements: string[] = [];
  const missed: string[] = [];
  const relatedOnly: string[] = [];
  const counts = { found: 0, ownField: 0, relatedOnly: 0, ignored: 0, missed: 0 };
  const datasets = new Map<string, number>();

  records.forEach((record, index) => {
    const event = parseSyslog(record.raw, { receivedAt: new Date("2026-01-01T00:00:00Z") });
    const dataset = event["event.dataset"] ?? "(none)";
    datasets.set(dataset, (datasets.get(dataset) ?? 0) + 1);
    for (const [key, expected] of Object.entries(record.expect ?? {})) {
      const outcome = compareExpected(key, expected, event);
      if (outcome === undefined) continue;
      const tally = agreement.get(key) ?? { agree: 0, total: 0 };
      tally.total++;
      if (outcome.agree) tally.agree++;
      else
        disagreements.push(
          `#${index + 1} ${key}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(outcome.actual)}`,
        );
      agreement.set(key, tally);
    }
    const { own, related } = fieldValues(event);
    for (const found of findAddresses(record.raw)) {
      counts.found++;
      const line = `#${index + 1} [${dataset}] ${found.kind} ${found.text}`;
      if (own.has(found.value)) counts.ownField++;
      else if (isConventionallyIgnored(found)) counts.ignored++;
      else if (related.has(found.value)) {
        counts.relatedOnly++;
        relatedOnly.push(line);
      } else {
        counts.missed++;
        missed.push(`${line}\n      ${record.raw}`);
      }
    }
    if (verbose) console.log(`#${index + 1} ${record.raw}\n   ${JSON.stringify(event)}`);
  });

  console.log(`MikroTik corpus: ${records.length} lines from ${corpusDir}`);
  console.log("\n(a) agreement with `expect`, per key");
  for (const [key, { agree, total }] of [...agreement].sort()) {
    console.log(`  ${key.padEnd(18)} ${agree}/${total}`);
  }
  for (const line of disagreements) console.log(`  ! ${line}`);
  console.log("\nevent.dataset of the lines");
  for (const [dataset, count] of [...datasets].sort())
    console.log(`  ${dataset.padEnd(20)} ${count}`);
  console.log("\n(b) addresses, MACs and ports in the raw text");
  console.log(
    `  found ${counts.found}: in a field of their own ${counts.ownField}, only in related.* ${counts.relatedOnly}, not a host by convention ${counts.ignored}, missed ${counts.missed}`,
  );
  console.log(`\n  only in related.* (${relatedOnly.length}):`);
  for (const line of relatedOnly) console.log(`    ${line}`);
  console.log(`\n  missed (${missed.length}):`);
  for (const line of missed) console.log(`    ${line}`);
}

function readRecords(path: string): CorpusRecord[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CorpusRecord);
}

function compareExpected(
  key: string,
  expected: string | number,
  event: SyslogEvent,
): { agree: boolean; actual: unknown } | undefined {
  if (key === "timestamp") {
    const actual = event["@timestamp"];
    const received = event["log.file.received_at"];
    const wanted = Date.parse(String(expected));
    const agree = [actual, received].some(
      (value) => value !== undefined && Date.parse(value) === Math.floor(wanted),
    );
    return { agree, actual: actual ?? received };
  }
  const field = FIELD_BY_EXPECT_KEY[key];
  if (field === undefined) return undefined;
  let actual: unknown = event[field];
  if (Array.isArray(actual)) actual = actual.join(",");
  const normalise = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);
  return { agree: normalise(actual) === normalise(expected), actual };
}

/** Every extracted value of the event, split into own fields and `related.*`. */
function fieldValues(event: SyslogEvent): {
  own: Set<string | number>;
  related: Set<string | number>;
} {
  const own = new Set<string | number>();
  const related = new Set<string | number>();
  for (const [key, value] of Object.entries(event)) {
    if (TEXT_FIELDS.has(key)) continue;
    const target = key.startsWith("related.") ? related : own;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === "number") target.add(item);
      if (typeof item !== "string") continue;
      target.add(item.toLowerCase());
      // A CIDR prefix field holds its network address too.
      const slash = item.indexOf("/");
      if (slash > 0) target.add(item.slice(0, slash).toLowerCase());
    }
  }
  return { own, related };
}

const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d)/g;
const MAC = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![0-9A-Fa-f:]*[0-9A-Fa-f])/g;
const IPV6_CANDIDATE = /[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*/g;
/** A port after an IPv4, an IPv4-mapped IPv6, or `]`: `1.2.3.4:80`, `[::1]:443`, `1.2.3.4[500]`. */
const PORT = /(?:\d{1,3}(?:\.\d{1,3}){3}|\])(?::|\[)(\d{1,5})(?!\d)/g;

function findAddresses(raw: string): Found[] {
  const found: Found[] = [];
  for (const match of raw.matchAll(IPV4)) {
    if (isIPv4(match[0])) found.push({ kind: "ipv4", text: match[0], value: match[0] });
  }
  for (const match of raw.matchAll(MAC)) {
    found.push({ kind: "mac", text: match[0], value: match[0].toLowerCase() });
  }
  for (const match of raw.matchAll(IPV6_CANDIDATE)) {
    const address = ipv6Of(match[0]);
    if (address !== undefined) found.push({ kind: "ipv6", text: match[0], value: address });
  }
  for (const match of raw.matchAll(PORT)) {
    const port = Number(match[1]);
    if (port <= 65535) found.push({ kind: "port", text: match[0], value: port });
  }
  return found;
}

/** The normalised IPv6 of a candidate run, or undefined; IPv4-mapped ones are left to the IPv4 search. */
function ipv6Of(candidate: string): string | undefined {
  let text = candidate.replace(/\.+$/, "");
  if (!isIPv6(text)) {
    // "::ffff:10.11.12.1:5246": a port after an IPv4-mapped address.
    text = text.replace(/:\d+$/, "");
    if (!isIPv6(text)) return undefined;
  }
  if (/^::ffff:\d/i.test(text)) return undefined;
  return text.toLowerCase();
}

main();
