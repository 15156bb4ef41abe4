/**
 * `logmaster verify`: options (parseArgs, then zod) and printing; the checks
 * live in shared/src/verify.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  createProgressBar,
  findBundleDirs,
  hasDayRollup,
  isDisclosurePack,
  renderReport,
  reportJson,
  resolveBundleDirs,
  type VerifyOptions,
  verifyBundles,
  verifyDisclosurePack,
} from "../verify/index.ts";
import type { CliCommand } from "./dispatch.ts";

export const verifyUsage = `Usage: logmaster verify <bundle-dir> [<bundle-dir>...] [--json] [--at ISO-TIME] [--allow-unstamped]
       logmaster verify <disclosure-pack-dir> [--json] [--at ISO-TIME] [--allow-unstamped]

Checks evidence bundles offline (no network, no hub), as docs/custody-format.md
§11 lists: manifest, records, agent certificate, signature, RFC 3161
time-stamp, certificate chain and revocation at the signing time; then, per
agent, the hash chain and completeness across the bundles; and, at the root
of a day export, the hub's day roll-up (§15: day-manifest.json, its hub
signature and time-stamp, and that the export holds exactly the chunks it
lists). One line per check (PASS, FAIL, WARN, or SKIP when what it needs
failed), then a verdict: PASS, PASS with warnings (some check warned, none
failed: read the WARN lines), or FAIL.

A disclosure pack (a directory with disclosure.json at its root, made by
logmaster-hub disclose) gets the same checks per chunk, except the records:
one PASS or FAIL per disclosed line (its audit path leads to the signed
Merkle root, its seq is in the chunk), the lines are exactly those
disclosure.json lists, no chunk folder is unlisted; a format-1 chunk, which
has no Merkle tree, is disclosed whole: a WARN.

A time-stamp by LogMaster's built-in development TSA (the hub's zero-setup
mode, no TSA_URL) verifies but has no legal value: it is a WARN (code
development_tsa in --json), never a plain PASS.

  <bundle-dir>       a bundle (records.jsonl, manifest.json, manifest.sig,
                     manifest.tsr, agent.pem, chain-ca.pem, chain-ca.crl.pem,
                     tsa-chain.pem, tsa-ca.pem). Several: chained per agent in
                     the order given. One directory that is not a bundle:
                     every bundle below it (e.g. an export <agent>/<chunk-id>/),
                     chained per agent in chunk order.
  --json             print one JSON document (format logmaster-verify/1)
  --at ISO-TIME      judge the agent certificate (validity, revocation) at this
                     instant instead of the signing time (the time-stamp's
                     genTime, else the manifest's created_at)
  --allow-unstamped  a bundle without manifest.tsr is a warning, not a failure

Exit code: 0 when no check failed (PASS, or PASS with warnings: a WARN,
such as a development time-stamp, does not fail), 1 when one did, 2 when the
arguments are wrong.`;

const verifyOptionsSchema = z.object({
  positionals: z.array(z.string()).min(1, "name at least one bundle directory"),
  json: z.boolean().default(false),
  at: z.iso
    .datetime({ offset: true, message: "--at must be an ISO 8601 time, e.g. 2026-11-22T12:00:00Z" })
    .transform((text) => new Date(text))
    .optional(),
  "allow-unstamped": z.boolean().default(false),
});

/**
 * `logmaster verify`: parse the options, verify, print the report; resolves
 * with the exit code (0: no FAIL, 1: a FAIL). Throws on wrong arguments
 * (the dispatcher prints the reason and the usage, and exits with 2).
 *
 * @example
 * // bun run logmaster verify export-2026-11-22 --json
 * process.exitCode = await runVerifyCommand(["export-2026-11-22", "--json"]);
 */
export async function runVerifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: "boolean" },
      at: { type: "string" },
      "allow-unstamped": { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });
  const options = verifyOptionsSchema.parse({ ...values, positionals });
  const [root] = options.positionals;
  const judging: VerifyOptions = {
    allowUnstamped: options["allow-unstamped"],
    ...(options.at ? { at: options.at } : {}),
  };
  const pack = options.positionals.length === 1 && root !== undefined && isDisclosurePack(root);
  const { dirs, verifyOptions } = pack
    ? { dirs: [], verifyOptions: judging }
    : selectBundles(options.positionals, judging);
  const bar = createProgressBar(process.stderr);
  const withProgress: VerifyOptions = {
    ...verifyOptions,
    onProgress: (progress) => bar.update(progress.dir, progress.doneBytes, progress.totalBytes),
  };
  const report =
    pack && root !== undefined
      ? await verifyDisclosurePack(root, withProgress)
      : await verifyBundles(dirs, withProgress);
  bar.clear();
  const output = options.json
    ? `${JSON.stringify(reportJson(report, verifyOptions), null, 2)}\n`
    : renderReport(report);
  await Bun.write(Bun.stdout, output);
  return report.verdict === "FAIL" ? 1 : 0;
}

/** The bundles the arguments name, and how to check them (chain order, a day roll-up at the root). */
function selectBundles(
  positionals: readonly string[],
  judging: VerifyOptions,
): { dirs: string[]; verifyOptions: VerifyOptions } {
  const [root] = positionals;
  // A day export whose roll-up says the hub held nothing that day has no bundle: still evidence.
  const dayOnly =
    positionals.length === 1 &&
    root !== undefined &&
    hasDayRollup(root) &&
    findBundleDirs(root).length === 0;
  const { dirs, discovered } = dayOnly
    ? { dirs: [], discovered: true }
    : resolveBundleDirs(positionals);
  return {
    dirs,
    verifyOptions: {
      ...judging,
      sortByChunk: discovered,
      ...(discovered && root !== undefined && hasDayRollup(root) ? { dayRollupDir: root } : {}),
    },
  };
}

/** The `verify` entry of the `logmaster` command table. */
export const verifyCommand: CliCommand = { run: runVerifyCommand, usage: verifyUsage };
