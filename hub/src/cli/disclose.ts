/**
 * `logmaster-hub disclose`: a disclosure pack for a case (docs/custody-format.md
 * §17), through the running hub (`POST /api/disclose`, unpacked into --out) or
 * on the stopped hub's data dir. The request is checked with the API's schema
 * before anything opens.
 */
import type { CliCommand } from "../../../shared/src/cli/dispatch.ts";
import { DISCLOSE_MAX_LINES, type DiscloseQuery } from "../disclose/index.ts";
import {
  cliActor,
  parse,
  printTable,
  requiredText,
  SEARCH_FILTER_FLAGS,
  withReader,
} from "./common.ts";

export const discloseUsage = `Usage: logmaster-hub disclose --hotel H --case REF --out DIR QUERY

A disclosure pack: only the log lines a court or prosecutor asked for, each with the
proof (an RFC 6962 audit path) that it is a line of an agent-signed, time-stamped chunk.
QUERY is one of:
  --lookup ip ADDR --at T                who had the address at T
  --lookup mac MAC --from T --to T       every address and hotspot session of a device
  --lookup nat ADDR:PORT --at T          the guest connection behind a public address and port
  --from T --to T [--ip X] [--mac M] [--text Q] [--port P] [--user U] [--host NAME]
         [--nat IP[:PORT]]               the lines a search finds (at most ${DISCLOSE_MAX_LINES})
  --case REF         the court's or prosecutor's reference (file number), kept in the pack
                     and in the audit log
  --out DIR          where the pack is written: disclosure.json, <agent>/<chunk>/ (manifest,
                     signature, time-stamp, certificates, lines.jsonl), VERIFY.md,
                     verify_disclosure.py, summary.pdf (Turkish)
Times are ISO 8601 with a zone (2026-03-12T14:32:00+03:00). Only sealed chunks verified
by the hub can be disclosed; chunks of format 1 (no Merkle tree) go whole, and the
output says so. Check a pack with: python3 DIR/verify_disclosure.py, or logmaster verify DIR.`;

/** The question from the options: a lookup (`--lookup KIND VALUE`) or a search. */
function queryOf(values: Record<string, unknown>, positionals: string[]): DiscloseQuery {
  const text = (flag: string) => {
    const value = values[flag];
    return typeof value === "string" ? value : undefined;
  };
  const [value, extra] = positionals;
  if (extra !== undefined)
    throw new Error(`disclose takes one value after --lookup, not '${extra}'`);
  const lookup = text("lookup");
  if (lookup === undefined) {
    if (value !== undefined)
      throw new Error(`'${value}' needs --lookup ip|mac|nat before it (or use search filters)`);
    const filters = ["ip", "mac", "text", "port", "user", "host", "nat"] as const;
    return {
      kind: "search",
      from: requiredText("from").parse(text("from")),
      to: requiredText("to").parse(text("to")),
      ...Object.fromEntries(
        filters.flatMap((flag) => (text(flag) === undefined ? [] : [[flag, text(flag)]])),
      ),
    };
  }
  const searchOnly = ["ip", "mac", "text", "port", "user", "host", "nat"].filter(
    (flag) => text(flag) !== undefined,
  );
  if (searchOnly.length > 0)
    throw new Error(`--${searchOnly[0]} is a search filter; it does not go with --lookup`);
  if (value === undefined)
    throw new Error(`--lookup ${lookup} needs a value (--lookup ${lookup} X)`);
  switch (lookup) {
    case "ip":
      if (text("from") || text("to")) throw new Error("--lookup ip takes --at, not --from/--to");
      return { kind: "ip", ip: value, at: requiredText("at").parse(text("at")) };
    case "mac":
      if (text("at")) throw new Error("--lookup mac takes --from and --to, not --at");
      return {
        kind: "mac",
        mac: value,
        from: requiredText("from").parse(text("from")),
        to: requiredText("to").parse(text("to")),
      };
    case "nat":
      if (text("from") || text("to")) throw new Error("--lookup nat takes --at, not --from/--to");
      return { kind: "nat", address: value, at: requiredText("at").parse(text("at")) };
    default:
      throw new Error(`--lookup must be ip, mac or nat, not '${lookup}'`);
  }
}

async function disclose(args: string[]): Promise<number> {
  const { config, values, positionals } = parse(args, [
    "hotel",
    "case",
    "out",
    "lookup",
    "at",
    ...SEARCH_FILTER_FLAGS,
  ]);
  const hotel = requiredText("hotel").parse(values.hotel);
  const caseReference = requiredText("case").parse(values.case);
  const out = requiredText("out").parse(values.out);
  const query = queryOf(values, positionals);
  const summary = await withReader(config, (reader) =>
    reader.disclose({ hotel, case: caseReference, query, actor: cliActor() }, out),
  );
  printTable(
    summary.chunks.map((chunk) => ({
      dir: chunk.dir,
      format: chunk.format,
      disclosed: chunk.disclosed === "whole" ? `WHOLE (${chunk.records} records)` : "lines",
      lines: chunk.lines,
      timestamp: chunk.timestamp,
    })),
  );
  const whole = summary.chunks.filter((chunk) => chunk.disclosed === "whole");
  if (whole.length > 0) {
    console.log(
      `WARNING: ${whole.length} chunk(s) of format 1 have no Merkle tree and are disclosed whole, every record of them: ${whole.map((chunk) => chunk.dir).join(", ")}`,
    );
  }
  console.error(
    `disclosure pack for case "${summary.case}" of hotel ${summary.hotel_id} written to ${out} (audit #${summary.audit_id}): ${summary.lines} line(s) from ${summary.chunks.length} chunk(s); check it with python3 ${out}/verify_disclosure.py or logmaster verify ${out}`,
  );
  return 0;
}

export const discloseCommand: CliCommand = { run: disclose, usage: discloseUsage };
