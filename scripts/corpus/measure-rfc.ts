/**
 * How far `parseSyslog` agrees with other parsers on a corpus of real syslog lines.
 *
 *   bun scripts/corpus/measure-rfc.ts <corpus-dir> [--verbose]
 *
 * Reads `rfc5424.jsonl`, `rfc3164.jsonl` and `mikrotik.jsonl` from the directory
 * given (the corpus is data from other projects: it is read here, never copied into
 * this repository). Prints per file:
 * - valid records: header fields that match `expect` (pri, facility, severity,
 *   version, timestamp, hostname, app name, procid, msgid, structured data, msg);
 * - invalid records: how many we flag in `error.message` (we never reject);
 * - mikrotik.jsonl: the header split (time, host, topics, body) of every line,
 *   checked against `expect` where the corpus has one.
 * `--verbose` lists every disagreement.
 *
 * Normalisations, each because the sources render the same fact differently:
 * rsyslog's `msg` keeps the space after the tag (we drop it); go-syslog keeps a
 * BOM at the start of MSG (RFC 5424 says it is not part of the text, we drop it);
 * go-syslog's year 0000 and BSD renderings mean "no year", so only month, day and
 * time are compared; a missing key means "not compared", `null` means "absent".
 */
import { parseArgs } from "node:util";
import { parseSyslog, type SyslogEvent } from "../../shared/src/syslog/index.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { verbose: { type: "boolean", default: false } },
});
const corpusDir = positionals[0];
if (corpusDir === undefined) {
  console.error("usage: bun scripts/corpus/measure-rfc.ts <corpus-dir> [--verbose]");
  process.exit(2);
}

interface CorpusRecord {
  raw: string;
  raw_b64?: string;
  id?: string;
  source: string;
  valid?: boolean;
  error?: string;
  expect?: Record<string, unknown>;
  expect_partial?: Record<string, unknown>;
  expect_semantics?: string;
  raw_packet?: string;
  note?: string;
}

async function readCorpus(name: string): Promise<CorpusRecord[]> {
  const text = await Bun.file(`${corpusDir}/${name}`).text();
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as CorpusRecord);
}

/** A fixed receive time, so year inference is the same on every run. */
const receivedAt = new Date("2026-11-22T12:00:00Z");

function parseRecord(record: CorpusRecord): SyslogEvent {
  const input = record.raw_b64 ? Buffer.from(record.raw_b64, "base64") : record.raw;
  return parseSyslog(new Uint8Array(input instanceof Buffer ? input : Buffer.from(input)), {
    receivedAt,
  });
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** An instant as `2003-08-24T12:14:15.000003Z` with trailing fraction zeros dropped. */
function normaliseInstant(text: string): string | undefined {
  const m =
    /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d|\+0000 UTC)?$/.exec(
      text.trim(),
    );
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", zone = "Z"] = m;
  let offset = 0;
  if (zone !== "Z" && !zone.includes("UTC")) {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.replace(/[^0-9]/g, "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const ms =
    Date.UTC(Number(y) + 400, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) -
    146_097 * 86_400_000 -
    offset * 60_000;
  const base = new Date(ms).toISOString().slice(0, 19);
  const fraction = frac.replace(/0+$/, "");
  return fraction === "" ? `${base}Z` : `${base}.${fraction}Z`;
}

/** `Mmm d hh:mm:ss` of an ISO UTC instant shifted by `offsetMinutes`. */
function bsdOf(iso: string, offsetMinutes = 0): string {
  const date = new Date(Date.parse(iso) + offsetMinutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** `Mmm dd hh:mm:ss` in any spacing or case -> `Mmm d hh:mm:ss`. */
function normaliseBsd(text: string): string | undefined {
  const m = /^([A-Za-z]{3})\s+0?(\d{1,2})\s+(\d\d:\d\d:\d\d)/.exec(text.trim());
  if (m === null) return undefined;
  const month = (m[1] ?? "").toLowerCase();
  return `${month.charAt(0).toUpperCase()}${month.slice(1)} ${m[2]} ${m[3]}`;
}

/** The offset written in our raw timestamp (RFC 3339 only), for local-time renderings. */
function rawOffsetMinutes(event: SyslogEvent): number {
  const raw = event["log.syslog.timestamp_raw"] ?? "";
  const m = /([+-])(\d\d):(\d\d)$/.exec(raw);
  if (m === null) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

type Verdict = { ok: boolean; got: unknown };

function compareTimestamp(key: string, expected: unknown, event: SyslogEvent): Verdict {
  const got = event["@timestamp"];
  if (expected === null) return { ok: got === undefined, got };
  if (typeof expected !== "string" || got === undefined) return { ok: false, got };
  if (key === "timestamp_rsyslog" || /^[A-Za-z]{3} /.test(expected)) {
    const mine = bsdOf(got, rawOffsetMinutes(event));
    return { ok: normaliseBsd(expected) === mine, got: mine };
  }
  if (
    expected.startsWith("0000-") ||
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/.test(expected)
  ) {
    // No year in the message: compare month, day and time of day.
    const want = normaliseInstant(expected.replace(/^\d{4}/, "2000"));
    const mine = normaliseInstant(got);
    return { ok: want?.slice(4) === mine?.slice(4), got };
  }
  return { ok: normaliseInstant(expected) === normaliseInstant(got), got };
}

function escapeSdValue(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** Our structured data written back as RFC 5424 text, to compare with a source's raw SD. */
function sdText(event: SyslogEvent): string | null {
  const raw = event["log.syslog.structured_data_raw"];
  if (raw !== undefined) return raw;
  const sd = event["log.syslog.structured_data"];
  if (sd === undefined) return null;
  return Object.entries(sd)
    .map(
      ([id, params]) =>
        `[${id}${Object.entries(params)
          .map(([k, v]) => ` ${k}="${escapeSdValue(v)}"`)
          .join("")}]`,
    )
    .join("");
}

function sameJson(a: unknown, b: unknown): boolean {
  const sort = (value: unknown): unknown =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, v]) => [k, sort(v)]),
        )
      : value;
  return JSON.stringify(sort(a)) === JSON.stringify(sort(b));
}

const FIELD_OF: Record<string, keyof SyslogEvent> = {
  pri: "log.syslog.priority",
  facility: "log.syslog.facility.code",
  severity: "log.syslog.severity.code",
  facility_name: "log.syslog.facility.name",
  severity_name: "log.syslog.severity.name",
  version: "log.syslog.version",
  hostname: "log.syslog.hostname",
  app_name: "log.syslog.appname",
  programname: "log.syslog.appname",
  tag: "log.syslog.appname",
  procid: "log.syslog.procid",
  msgid: "log.syslog.msgid",
};

/** Keys that are renderings of fields compared elsewhere, or no field of ours. */
const NOT_COMPARED = new Set(["syslogtag"]);

function compareField(
  key: string,
  expected: unknown,
  event: SyslogEvent,
  record: CorpusRecord,
): Verdict | undefined {
  if (NOT_COMPARED.has(key)) return undefined;
  if (key === "timestamp" || key === "timestamp_rsyslog") {
    return compareTimestamp(key, expected, event);
  }
  if (key === "msg" || key === "content") {
    let want = expected === null ? "" : String(expected);
    if (record.expect_semantics?.includes("msg keeps its leading space")) {
      want = want.replace(/^ /, "");
    }
    want = want.replace(/^\uFEFF/, "");
    return { ok: event.message === want, got: event.message };
  }
  if (key === "structured_data") {
    const got = event["log.syslog.structured_data"] ?? null;
    return { ok: sameJson(expected, got), got };
  }
  if (key === "structured_data_raw") {
    const got = sdText(event);
    return { ok: got === expected, got };
  }
  if (key === "structured_data_flat") {
    const flat = Object.assign({}, ...Object.values(event["log.syslog.structured_data"] ?? {}));
    return { ok: sameJson(expected, flat), got: flat };
  }
  const field = FIELD_OF[key];
  if (field === undefined) return { ok: false, got: `(no mapping for ${key})` };
  const got = event[field];
  // null (go-syslog) and "" (rsyslog's rendering) both mean "the line has none".
  if (expected === null || expected === "") return { ok: got === undefined, got };
  // beats renders an absent PROCID of RFC 5424 as "-".
  if (key === "procid" && expected === "-") return { ok: got === undefined, got };
  return { ok: got === expected, got };
}

interface FileFigures {
  validRecords: number;
  validAllFields: number;
  fieldsCompared: number;
  fieldsMatched: number;
  validFlagged: number;
  invalidRecords: number;
  invalidFlagged: number;
  partialCompared: number;
  partialMatched: number;
  perField: Map<string, { compared: number; matched: number }>;
  disagreements: string[];
}

function measureRfcFile(records: CorpusRecord[]): FileFigures {
  const figures: FileFigures = {
    validRecords: 0,
    validAllFields: 0,
    fieldsCompared: 0,
    fieldsMatched: 0,
    validFlagged: 0,
    invalidRecords: 0,
    invalidFlagged: 0,
    partialCompared: 0,
    partialMatched: 0,
    perField: new Map(),
    disagreements: [],
  };
  records.forEach((record, index) => {
    const event = parseRecord(record);
    const label = `#${index} ${record.id ?? record.source.split(":").pop()}`;
    if (record.valid === false) {
      figures.invalidRecords++;
      if (event["error.message"] !== undefined) figures.invalidFlagged++;
      else figures.disagreements.push(`${label}: invalid (${record.error}) but not flagged`);
      for (const [key, expected] of Object.entries(record.expect_partial ?? {})) {
        const verdict = compareField(key, expected, event, record);
        if (verdict === undefined) continue;
        figures.partialCompared++;
        if (verdict.ok) figures.partialMatched++;
      }
      return;
    }
    figures.validRecords++;
    if (event["error.message"] !== undefined) {
      figures.validFlagged++;
      figures.disagreements.push(`${label}: valid but flagged: ${event["error.message"]}`);
    }
    let all = true;
    for (const [key, expected] of Object.entries(record.expect ?? {})) {
      const verdict = compareField(key, expected, event, record);
      if (verdict === undefined) continue;
      const field = figures.perField.get(key) ?? { compared: 0, matched: 0 };
      field.compared++;
      figures.fieldsCompared++;
      if (verdict.ok) {
        field.matched++;
        figures.fieldsMatched++;
      } else {
        all = false;
        figures.disagreements.push(
          `${label}: ${key} expected ${JSON.stringify(expected)} got ${JSON.stringify(verdict.got)}`,
        );
      }
      figures.perField.set(key, field);
    }
    if (all) figures.validAllFields++;
  });
  return figures;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((part / whole) * 100).toFixed(1)}%`;
}

function printFigures(name: string, figures: FileFigures): void {
  console.log(`\n${name}`);
  console.log(
    `  valid records: ${figures.validRecords}, all fields agree: ${figures.validAllFields} (${percent(figures.validAllFields, figures.validRecords)})`,
  );
  console.log(
    `  fields: ${figures.fieldsMatched}/${figures.fieldsCompared} agree (${percent(figures.fieldsMatched, figures.fieldsCompared)})`,
  );
  const perField = [...figures.perField]
    .map(([key, f]) => `${key} ${f.matched}/${f.compared}`)
    .join(", ");
  console.log(`  per field: ${perField}`);
  console.log(`  valid records we flag anyway: ${figures.validFlagged}`);
  console.log(
    `  invalid records: ${figures.invalidRecords}, flagged in error.message: ${figures.invalidFlagged} (${percent(figures.invalidFlagged, figures.invalidRecords)})`,
  );
  if (figures.partialCompared > 0) {
    console.log(
      `  partial results of invalid records (informative): ${figures.partialMatched}/${figures.partialCompared} fields agree`,
    );
  }
  if (values.verbose) for (const line of figures.disagreements) console.log(`    - ${line}`);
}

/** The header split of a RouterOS line, and whether it agrees with the corpus' `expect`. */
function measureMikrotik(records: CorpusRecord[]): void {
  let checked = 0;
  let agreed = 0;
  let flagged = 0;
  const problems: string[] = [];
  const rows: string[] = [];
  records.forEach((record, index) => {
    const event = parseRecord(record);
    const topics = event["routeros.topics"]?.join(",") ?? "";
    const ts = event["@timestamp"] ?? "";
    rows.push(
      `#${index} ${event["log.syslog.format"]} | ts=${ts} | host=${event["log.syslog.hostname"] ?? ""} | app=${event["log.syslog.appname"] ?? ""} | topics=${topics} | body=${JSON.stringify(event.message.slice(0, 50))}`,
    );
    if (event["error.message"] !== undefined) {
      flagged++;
      problems.push(`#${index}: flagged: ${event["error.message"]}`);
    }
    const expect = record.expect ?? {};
    const checks: [string, boolean, unknown][] = [];
    if (typeof expect.timestamp === "string") {
      checks.push(["timestamp", normaliseInstant(expect.timestamp) === normaliseInstant(ts), ts]);
    }
    if (typeof expect.topics === "string")
      checks.push(["topics", expect.topics === topics, topics]);
    // The body must not still carry a header piece: a time, the topics, a PRI.
    const bodyStart = event.message.slice(0, 40);
    const headerLeft =
      /^(<\d+>|\d\d:\d\d:\d\d |[a-z]{3}\/\d\d |\d{4}-\d\d-\d\d)/.test(bodyStart) ||
      (topics !== "" && bodyStart.startsWith(`${topics} `));
    checks.push(["body", !headerLeft, bodyStart]);
    for (const [name, ok, got] of checks) {
      checked++;
      if (ok) agreed++;
      else problems.push(`#${index}: ${name} got ${JSON.stringify(got)}`);
    }
  });
  console.log("\nmikrotik.jsonl (header split)");
  console.log(
    `  lines: ${records.length}, checks: ${agreed}/${checked} agree, flagged: ${flagged}`,
  );
  for (const line of problems) console.log(`    - ${line}`);
  if (values.verbose) for (const row of rows) console.log(`    ${row}`);
}

printFigures("rfc5424.jsonl", measureRfcFile(await readCorpus("rfc5424.jsonl")));
printFigures("rfc3164.jsonl", measureRfcFile(await readCorpus("rfc3164.jsonl")));
measureMikrotik(await readCorpus("mikrotik.jsonl"));
