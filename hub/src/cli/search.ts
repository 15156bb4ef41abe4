/**
 * The read side of `logmaster-hub`: `search`, the three Law 5651 lookups
 * (`lookup ip|mac|nat`), `reindex` and `devices`. Options are checked with
 * the API's own schemas (hub/src/query/request.ts) before anything is
 * opened, so a mistake names the option; answers print plainly for a person
 * (times on Europe/Istanbul wall time, zone named) or as the API's JSON.
 */
import type { z } from "zod";
import type { CliCommand } from "../../../shared/src/cli/dispatch.ts";
import { createProgressBar, type ProgressStream } from "../../../shared/src/verify/progress.ts";
import type { ReindexProgress } from "../index/reindex.ts";
import {
  type EvidenceLine,
  type IpLookup,
  type Lease,
  lookupIpRequestSchema,
  lookupMacRequestSchema,
  lookupNatRequestSchema,
  type MacLookup,
  type NatLookup,
  type SearchResponse,
  type Session,
  searchRequestSchema,
} from "../query/index.ts";
import {
  cliActor,
  parse,
  printTable,
  requiredText,
  SEARCH_FILTER_FLAGS,
  withReader,
} from "./common.ts";
import { type ApiQuery, reindexInputSchema } from "./reader.ts";

export const searchUsage = `Usage: logmaster-hub search --from T --to T [--hotel H[,H2]] [filters] [--json]

Find log lines. Times are ISO 8601 with a zone: 2026-03-12T14:32:00+03:00 or 2026-03-12T11:32:00Z.
  --hotel H          hotel id(s), comma-separated (default: every hotel)
  --ip X             source, destination or NAT address: an IP or a CIDR block (10.5.0.0/16)
  --mac M            source MAC (any spelling: a4:c3:f0:36:4a:02, A4-C3-..., a4c3f0...)
  --text Q           words, all of them (Turkish letters fold), -word, a OR b, prefix*;
                     numbers and addresses match as substrings
  --port P           source, destination or NAT port
  --user U           hotspot or router user name
  --host NAME        the device's host name in its lines (e.g. otel-2-gw)
  --nat IP[:PORT]    the public (NAT) address a connection went out on
  --sort desc|asc    newest first (default) or oldest first
  --limit N          lines per page, 1..1000 (default 100)
  --cursor C         the next page, as the previous page printed it
  --json             the API's answer: {hits, next_cursor, took_ms}
A value that starts with '-' takes '=': --text=-debug.`;

export const lookupUsage = `Usage: logmaster-hub lookup ip|mac|nat ... --hotel H [--json]

The three questions of a Law 5651 request, each answered with the log lines that prove it:
  lookup ip ADDR --at T --hotel H            who had the address ADDR at T: the DHCP lease
                                             (MAC, host name) and the hotspot user
  lookup mac MAC --from T --to T --hotel H   every address and hotspot session of a device
  lookup nat ADDR:PORT --at T --hotel H      which guest connection went out on the public
                                             ADDR:PORT at T, and who had its internal address
Times are ISO 8601 with a zone (2026-03-12T14:32:00+03:00). When nothing matches, the
answer says why (no records that hour, a recorded gap, no lease, no NAT line).
  --json             the API's answer (evidence lines: raw, received_at, chunk, seq, ...)`;

export const reindexUsage = `Usage: logmaster-hub reindex --hotel H [--from T] [--to T]

Rebuild a hotel's search index (events, leases, hotspot sessions) from the archived records
of its chunks whose hour starts in [--from, --to) (default: all). The archive is the truth;
the index is rebuilt from it. A progress bar is drawn on stderr when it is a terminal.`;

export const devicesUsage = `Usage: logmaster-hub devices [--hotel H] [--json]
       logmaster-hub devices name AGENT ADDRESS NAME

The log sources of each agent (the address its datagrams come from), with first and last
seen, event counts and the names an admin gave them; 'name' names one ("core router").`;

/** Which option (or positional) a field of an API request comes from, for error messages. */
type OptionNames = Record<string, string>;

/** "--at must be …" for a zod issue of an API request field, in the CLI's words. */
function optionIssue(issue: z.core.$ZodIssue, names: OptionNames): string {
  const field = String(issue.path[0] ?? "");
  const name = names[field] ?? `--${field}`;
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) return `${name} is required`;
      return `${name} must be ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}`;
    case "too_small":
      if (issue.origin === "string")
        return issue.minimum === 1 ? `${name} must not be empty` : `${name} is too short`;
      return `${name} must be at least ${issue.minimum}`;
    case "too_big":
      return `${name} must be at most ${issue.maximum}${issue.origin === "string" ? " characters" : issue.origin === "array" ? " values" : ""}`;
    case "invalid_value":
      return `${name} must be one of ${issue.values.map(String).join(", ")}`;
    default:
      // The schemas' own sentences: "must be an IP address", or "from must be before to".
      if (issue.message.startsWith("must ")) return `${name} ${issue.message}`;
      return issue.message.replace(/\b[a-z]+\b/g, (word) => names[word] ?? word);
  }
}

/**
 * Check a request with the API's schema before it is sent; a failure is an
 * error naming the options (`--from must be an ISO 8601 time …`).
 */
function checkRequest(schema: z.ZodType, query: ApiQuery, names: OptionNames): void {
  const checked = schema.safeParse(query);
  if (!checked.success) {
    const fieldNames = Object.fromEntries(Object.keys(query).map((k) => [k, `--${k}`]));
    throw new Error(
      checked.error.issues
        .map((issue) => optionIssue(issue, { ...fieldNames, ...names }))
        .join("; "),
    );
  }
}

/** The given options as API query parameters (unset ones left out). */
function queryOf(values: Record<string, string | undefined>): ApiQuery {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

// Times: answers carry `…T14:32:00.123456+03:00` (Istanbul) beside `…T11:32:00.123456Z` (UTC).
const WALL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `2026-03-12 14:32:00 +03:00` of an ISO time with an offset. */
function wall(iso: string): string {
  const match = WALL.exec(iso);
  if (!match) return iso;
  return `${match[1]} ${match[2]} ${match[3] === "Z" ? "UTC" : match[3]}`;
}

/** `2026-03-12 14:32:00 +03:00 (11:32:00 UTC)`; the UTC date too when it is another day. */
function bothWall(times: { utc: string; istanbul: string }): string {
  const utc = WALL.exec(times.utc);
  const local = WALL.exec(times.istanbul);
  const utcText = utc && local && utc[1] === local[1] ? `${utc[2]} UTC` : wall(times.utc);
  return `${wall(times.istanbul)} (${utcText})`;
}

/** `from … to …` of a lease; an open one says so. */
function span(from: { istanbul: string }, to: { istanbul: string } | null): string {
  return `from ${wall(from.istanbul)} ${to ? `to ${wall(to.istanbul)}` : "with no release logged yet"}`;
}

function leaseText(lease: Lease): string {
  const name = lease.hostname ? ` (${lease.hostname})` : "";
  const server = lease.server ? ` by DHCP server ${lease.server}` : "";
  return `leased to MAC ${lease.mac}${name}${server} ${span(lease.from, lease.to)}`;
}

function sessionText(session: Session): string {
  const out = session.logout
    ? `, logged out ${wall(session.logout.istanbul)}${session.logout_reason ? ` (${session.logout_reason})` : ""}`
    : ", no logout logged yet";
  return `hotspot user ${session.user} on ${session.ip}${session.mac ? ` (MAC ${session.mac})` : ""} logged in ${wall(session.login.istanbul)}${out}`;
}

function printNoMatch(noMatch: { reason: string; message: string }[]): void {
  for (const why of noMatch) console.log(`  - ${why.message} [${why.reason}]`);
}

/**
 * The evidence lines, then how to export the chunks that prove them (each
 * bundle verifies offline with `logmaster verify`).
 */
function printEvidence(evidence: EvidenceLine[], dataDirFlag: string): void {
  if (evidence.length === 0) return;
  const byLine = new Map(evidence.map((line) => [`${line.agent}#${line.seq}`, line]));
  const lines = [...byLine.values()].sort((a, b) => a.received_at.localeCompare(b.received_at));
  console.log(`\nEvidence (${lines.length} line${lines.length === 1 ? "" : "s"}):`);
  for (const line of lines) {
    console.log(
      `  ${wall(line.received_at_istanbul)}  received ${line.received_at}  hotel ${line.hotel}  agent ${line.agent}  chunk ${line.chunk}  seq ${line.seq}`,
    );
    console.log(`    ${line.raw}`);
  }
  const chunks = new Map<string, EvidenceLine>();
  for (const line of lines) chunks.set(`${line.hotel}/${line.agent}/${line.chunk}`, line);
  console.log(
    `\nTo prove ${chunks.size === 1 ? "it" : "them"}, export the chunk${chunks.size === 1 ? "" : "s"} (each bundle has a VERIFY.md):`,
  );
  for (const line of chunks.values()) {
    console.log(
      `  logmaster-hub export --hotel ${line.hotel} --agent ${line.agent} --chunk ${line.chunk} --out evidence/${dataDirFlag}`,
    );
  }
}

/** ` --data-dir DIR` when the command was given one, so a printed command runs as is. */
const dataDirFlagOf = (values: { "data-dir"?: string }, dataDir: string) =>
  values["data-dir"] ? ` --data-dir ${dataDir}` : "";

async function search(args: string[]): Promise<number> {
  const { config, values, positionals } = parse(args, [
    "hotel",
    ...SEARCH_FILTER_FLAGS,
    "limit",
    "sort",
    "cursor",
    "json",
  ]);
  if (positionals.length > 0)
    throw new Error(`search takes options only (did you mean --text "${positionals.join(" ")}"?)`);
  const query = queryOf({
    from: values.from,
    to: values.to,
    hotels: values.hotel,
    ip: values.ip,
    mac: values.mac,
    text: values.text,
    port: values.port,
    user: values.user,
    host: values.host,
    nat: values.nat,
    limit: values.limit,
    sort: values.sort,
    cursor: values.cursor,
  });
  checkRequest(searchRequestSchema, query, { hotels: "--hotel" });
  const page = await withReader(config, (reader) => reader.search(query));
  if (values.json) {
    printJson(page);
    return 0;
  }
  printSearchPage(page);
  return 0;
}

function printSearchPage(page: SearchResponse): void {
  printTable(
    page.hits.map((hit) => ({
      "time (Europe/Istanbul)": wall(hit.received_at_istanbul),
      hotel: hit.hotel,
      device: hit.host ? `${hit.host} ${hit.device}` : hit.device,
      line: hit.raw,
    })),
  );
  const count = `${page.hits.length} line${page.hits.length === 1 ? "" : "s"} (${page.took_ms} ms)`;
  console.log(page.next_cursor ? `${count}; next page: --cursor ${page.next_cursor}` : count);
}

const hotelOption = (values: { hotel?: string | undefined }) =>
  requiredText("hotel").parse(values.hotel);

async function lookup(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === "ip") {
    const { config, values, positionals } = parse(rest, ["at", "hotel", "json"]);
    const query = queryOf({ ip: positionals[0], at: values.at, hotel: hotelOption(values) });
    checkRequest(lookupIpRequestSchema, query, { ip: "ADDR (lookup ip ADDR)" });
    const answer = await withReader(config, (reader) => reader.lookupIp(query));
    if (values.json) printJson(answer);
    else printIpLookup(answer, dataDirFlagOf(values, config.dataDir));
    return 0;
  }
  if (kind === "mac") {
    const { config, values, positionals } = parse(rest, ["from", "to", "hotel", "json"]);
    const query = queryOf({
      mac: positionals[0],
      from: values.from,
      to: values.to,
      hotel: hotelOption(values),
    });
    checkRequest(lookupMacRequestSchema, query, { mac: "MAC (lookup mac MAC)" });
    const answer = await withReader(config, (reader) => reader.lookupMac(query));
    if (values.json) printJson(answer);
    else printMacLookup(answer, dataDirFlagOf(values, config.dataDir));
    return 0;
  }
  if (kind === "nat") {
    const { config, values, positionals } = parse(rest, ["at", "hotel", "json"]);
    const query = queryOf({ address: positionals[0], at: values.at, hotel: hotelOption(values) });
    checkRequest(lookupNatRequestSchema, query, { address: "ADDR:PORT (lookup nat ADDR:PORT)" });
    const answer = await withReader(config, (reader) => reader.lookupNat(query));
    if (values.json) printJson(answer);
    else printNatLookup(answer, dataDirFlagOf(values, config.dataDir));
    return 0;
  }
  throw new Error("lookup needs 'ip ADDR', 'mac MAC' or 'nat ADDR:PORT'");
}

/** Who had the address: the lease and hotspot sessions, as one or two sentences. */
function holderText(answer: IpLookup): string {
  const parts = [
    answer.lease ? `was ${leaseText(answer.lease)}` : "had no DHCP lease in force",
    ...answer.sessions.map(sessionText),
  ];
  return parts.join("; ");
}

function printIpLookup(answer: IpLookup, dataDirFlag: string): void {
  const { ip, at, hotels } = answer.query;
  const asked = `${ip} at ${bothWall(at)} (hotel ${hotels.join(", ")})`;
  if (answer.lease || answer.sessions.length > 0) console.log(`${asked} ${holderText(answer)}.`);
  else console.log(`${asked}: no answer.`);
  printNoMatch(answer.no_match);
  printEvidence(
    [...(answer.lease?.evidence ?? []), ...answer.sessions.flatMap((s) => s.evidence)],
    dataDirFlag,
  );
}

function printMacLookup(answer: MacLookup, dataDirFlag: string): void {
  const { mac, from, to, hotels } = answer.query;
  const counts = `${answer.leases.length} DHCP lease(s), ${answer.sessions.length} hotspot session(s)`;
  console.log(
    `MAC ${mac} between ${bothWall(from)} and ${bothWall(to)} (hotel ${hotels.join(", ")}): ${counts}`,
  );
  for (const lease of answer.leases) {
    const name = lease.hostname ? ` (${lease.hostname})` : "";
    console.log(`  address ${lease.ip}${name} ${span(lease.from, lease.to)}`);
  }
  for (const session of answer.sessions) console.log(`  ${sessionText(session)}`);
  printNoMatch(answer.no_match);
  printEvidence(
    [...answer.leases.flatMap((l) => l.evidence), ...answer.sessions.flatMap((s) => s.evidence)],
    dataDirFlag,
  );
}

function printNatLookup(answer: NatLookup, dataDirFlag: string): void {
  const { ip, port, at, hotels } = answer.query;
  const asked = `${ip}:${port} at ${bothWall(at)} (hotel ${hotels.join(", ")})`;
  const connection = answer.connection;
  if (!connection) console.log(`${asked}: no answer.`);
  else {
    const internal = answer.internal
      ? `${answer.internal.ip}${answer.internal.port === null ? "" : `:${answer.internal.port}`}`
      : "an address the line does not name";
    const target = connection.dst_ip
      ? ` to ${connection.dst_ip}${connection.dst_port === null ? "" : `:${connection.dst_port}`}`
      : "";
    const protocol = connection.protocol ? ` ${connection.protocol.toUpperCase()}` : "";
    console.log(
      `${asked} was used by ${internal}: a${protocol} connection${target} logged ${wall(connection.received_at_istanbul)}.`,
    );
    const device = answer.device;
    if (device && answer.internal) {
      console.log(
        device.lease || device.sessions.length > 0
          ? `${answer.internal.ip} then ${holderText(device)}.`
          : `${answer.internal.ip} then: no lease or hotspot session is known:`,
      );
      printNoMatch(device.no_match);
    }
  }
  printNoMatch(answer.no_match);
  if (answer.nearby.length > 0) {
    console.log(
      `\nOther connections on ${ip}:${port} within 5 minutes (make sure they are not the one asked about):`,
    );
    for (const hit of answer.nearby) {
      console.log(
        `  ${wall(hit.received_at_istanbul)}  from ${hit.src_ip ?? "?"}:${hit.src_port ?? "?"}  chunk ${hit.chunk}  seq ${hit.seq}`,
      );
    }
  }
  printEvidence(answer.evidence, dataDirFlag);
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/**
 * Reindex progress on `stream`: one line saying what is to be done, then a
 * bar (on a terminal only) of archived bytes indexed.
 *
 * @example
 * const shown = reindexProgressView(process.stderr, "grand");
 * await reader.reindex(input, shown.update);
 * shown.clear();
 */
export function reindexProgressView(stream: ProgressStream, hotel: string) {
  const bar = createProgressBar(stream, { minTotalBytes: 0 });
  let announced = false;
  return {
    update(progress: ReindexProgress) {
      if (!announced) {
        announced = true;
        stream.write(
          `reindexing hotel ${hotel}: ${progress.chunks} chunk(s), ${mib(progress.bytesTotal)} of archived records\n`,
        );
      }
      bar.update(`${progress.events} events`, progress.bytesDone, progress.bytesTotal);
    },
    clear: () => bar.clear(),
  };
}

async function reindex(args: string[]): Promise<number> {
  const { config, values } = parse(args, ["hotel", "from", "to"]);
  const hotel = hotelOption(values);
  const range = queryOf({ from: values.from, to: values.to });
  checkRequest(reindexInputSchema, { hotel, ...range }, {});
  const shown = reindexProgressView(process.stderr, hotel);
  const started = performance.now();
  const done = await withReader(config, (reader) =>
    reader.reindex({ hotel, ...range, actor: cliActor() }, shown.update),
  ).finally(shown.clear);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (done.chunks === 0) {
    console.log(`hotel ${hotel} holds no chunks in that range: nothing was reindexed`);
    return 0;
  }
  console.log(
    `reindexed hotel ${hotel}: ${done.chunks} chunk(s), ${mib(done.bytesDone)} of records, ${done.events} events in ${seconds} s`,
  );
  return 0;
}

async function devices(args: string[]): Promise<number> {
  if (args[0] === "name") {
    const { config, positionals } = parse(args.slice(1));
    const [agent, address, ...words] = positionals;
    const name = words.join(" ").trim();
    if (!agent || !address || !name) throw new Error("devices name needs AGENT ADDRESS NAME");
    const device = await withReader(config, (reader) =>
      reader.nameDevice({ agent, address, name }),
    );
    console.log(`device ${device.address} of agent ${device.agent} is now named "${device.name}"`);
    return 0;
  }
  const { config, values, positionals } = parse(args, ["hotel", "json"]);
  if (positionals.length > 0)
    throw new Error(`devices takes no '${positionals[0]}' (did you mean 'devices name'?)`);
  const list = await withReader(config, (reader) =>
    reader.devices(queryOf({ hotel: values.hotel })),
  );
  if (values.json) {
    printJson(list);
    return 0;
  }
  printTable(
    list.map((device) => ({
      hotel: device.hotel,
      agent: device.agent,
      address: device.address,
      name: device.name,
      host: device.last_host,
      first_seen: wall(device.first_seen.istanbul),
      last_seen: wall(device.last_seen.istanbul),
      events: device.events,
    })),
  );
  return 0;
}

/** The read-side commands, for `runCli`'s command table. */
export const readCommands: Record<string, CliCommand> = {
  search: { run: search, usage: searchUsage },
  lookup: { run: lookup, usage: lookupUsage },
  reindex: { run: reindex, usage: reindexUsage },
  devices: { run: devices, usage: devicesUsage },
};
