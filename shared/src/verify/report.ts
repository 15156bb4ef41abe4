/**
 * A verify report for people (one line per check, a verdict at the end) and
 * for programs (one JSON document, `logmaster-verify/1`).
 */
import { developmentTimestampsSummary } from "../timestamp/development-tsa.ts";
import { describeSigningTime, type SigningTime } from "./certificates.ts";
import type { Check, CheckStatus, ChunkCheckName, Verdict } from "./checks.ts";
import type { VerifyReport } from "./verify.ts";

/** Of bundles or of a disclosure pack: both print alike. */
type AnyReport = VerifyReport<ChunkCheckName>;

/** The `format` of the JSON document; a change of its shape is a new version. */
export const REPORT_FORMAT = "logmaster-verify/1";

const NAME_WIDTH = 18;

function checkLines(checks: readonly Check[]): string[] {
  return checks.map(
    (check) => `  ${check.status.padEnd(4)}  ${check.name.padEnd(NAME_WIDTH)}  ${check.detail}`,
  );
}

function verdictWords(verdict: Verdict): string {
  return verdict === "WARN" ? "PASS with warnings" : verdict;
}

function summary(report: AnyReport): string {
  const { counts } = report;
  const order: CheckStatus[] = ["PASS", "WARN", "FAIL", "SKIP"];
  const parts = order.filter((status) => counts[status] > 0).map((s) => `${counts[s]} ${s}`);
  if (report.disclosure)
    return `1 disclosure pack, ${report.bundles.length} chunk${report.bundles.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
  const bundles = `${report.bundles.length} bundle${report.bundles.length === 1 ? "" : "s"}`;
  const day = report.day ? ", 1 day roll-up" : "";
  return `${bundles}, ${report.chains.length} chain${report.chains.length === 1 ? "" : "s"}${day}: ${parts.join(", ")}`;
}

/**
 * Where each check of a status is (`<dir>: timestamp`), for the lines under
 * the verdict; once per place (a pack's chunk has a disclosed_line per line).
 */
function namesWith(report: AnyReport, status: CheckStatus): string[] {
  const names = [
    ...(report.disclosure?.checks ?? [])
      .filter((c) => c.status === status)
      .map((c) => `disclosure pack ${report.disclosure?.dir}: ${c.name}`),
    ...report.bundles.flatMap((bundle) =>
      bundle.checks.filter((c) => c.status === status).map((c) => `${bundle.dir}: ${c.name}`),
    ),
    ...report.chains.flatMap((chain) =>
      chain.checks
        .filter((c) => c.status === status)
        .map((c) => `chain of agent ${chain.agentId}: ${c.name}`),
    ),
    ...(report.day?.checks ?? [])
      .filter((c) => c.status === status)
      .map((c) => `day roll-up ${report.day?.dir}: ${c.name}`),
  ];
  return [...new Set(names)];
}

/** How many time-stamps (bundles' and the day roll-up's) are the development TSA's. */
function developmentTimestamps(report: AnyReport): number {
  const checks = [...report.bundles.flatMap((b) => b.checks), ...(report.day?.checks ?? [])];
  return checks.filter((check) => check.code === "development_tsa").length;
}

/**
 * The report as text: per bundle and per agent chain (or a disclosure pack
 * and its chunks, one `disclosed_line` per line), one line per check
 * (`PASS  name  detail`), then the verdict, where it failed or warned, and
 * a line of its own when time-stamps have no legal value (development TSA).
 *
 * @example
 * process.stdout.write(renderReport(await verifyBundles(dirs)));
 */
export function renderReport(report: AnyReport): string {
  const lines: string[] = [];
  const { disclosure } = report;
  if (disclosure) {
    const what =
      disclosure.caseRef === undefined
        ? "disclosure.json unreadable"
        : `case "${disclosure.caseRef}", hotel ${disclosure.hotelId}, ${disclosure.lines} line${disclosure.lines === 1 ? "" : "s"}`;
    lines.push(
      `disclosure pack ${disclosure.dir} (${what})`,
      ...checkLines(disclosure.checks),
      `  => ${verdictWords(disclosure.verdict)}`,
      "",
    );
  }
  // A pack's chunk folders hold only the disclosed lines: not bundles.
  const folder = disclosure ? "disclosed chunk" : "bundle";
  for (const bundle of report.bundles) {
    const what = bundle.chunk
      ? `chunk ${bundle.chunk} of agent ${bundle.agentId}`
      : "manifest unreadable";
    lines.push(`${folder} ${bundle.dir} (${what})`, ...checkLines(bundle.checks));
    if (bundle.signingTime)
      lines.push(`  signing time: ${describeSigningTime(bundle.signingTime)}`);
    lines.push(`  => ${verdictWords(bundle.verdict)}`, "");
  }
  for (const chain of report.chains) {
    lines.push(
      `chain of agent ${chain.agentId}: ${chain.chunks.join(", ")}`,
      ...checkLines(chain.checks),
      "",
    );
  }
  if (report.unchained.length > 0)
    lines.push(`not in any chain (manifest unreadable): ${report.unchained.join(", ")}`, "");
  const { day } = report;
  if (day) {
    const what = day.day
      ? `hotel ${day.hotelId}, UTC day ${day.day}`
      : "day-manifest.json unreadable";
    lines.push(`day roll-up ${day.dir} (${what})`, ...checkLines(day.checks));
    if (day.signingTime) lines.push(`  signing time: ${describeSigningTime(day.signingTime)}`);
    lines.push(`  => ${verdictWords(day.verdict)}`, "");
  }
  lines.push(`VERDICT: ${verdictWords(report.verdict)} (${summary(report)})`);
  const failed = namesWith(report, "FAIL");
  if (failed.length > 0) lines.push(`failed: ${failed.join("; ")}`);
  const warned = namesWith(report, "WARN");
  if (warned.length > 0) lines.push(`warned: ${warned.join("; ")}`);
  const development = developmentTimestamps(report);
  if (development > 0) lines.push(`WARNING: ${developmentTimestampsSummary(development)}`);
  return `${lines.join("\n")}\n`;
}

function signingTimeJson(time: SigningTime | undefined) {
  return time ? { at: time.at.toISOString(), source: time.source } : null;
}

/**
 * The report as one JSON value (snake_case keys, like the custody format).
 *
 * @example
 * console.log(JSON.stringify(reportJson(report, { allowUnstamped: false }), null, 2));
 */
export function reportJson(
  report: AnyReport,
  options: { allowUnstamped?: boolean; at?: Date } = {},
): unknown {
  return {
    format: REPORT_FORMAT,
    verdict: report.verdict,
    options: {
      allow_unstamped: options.allowUnstamped ?? false,
      at: options.at?.toISOString() ?? null,
    },
    counts: report.counts,
    bundles: report.bundles.map((bundle) => ({
      dir: bundle.dir,
      chunk: bundle.chunk ?? null,
      agent_id: bundle.agentId ?? null,
      verdict: bundle.verdict,
      signing_time: signingTimeJson(bundle.signingTime),
      checks: bundle.checks,
    })),
    chains: report.chains.map((chain) => ({
      agent_id: chain.agentId,
      chunks: chain.chunks,
      dirs: chain.dirs,
      checks: chain.checks,
    })),
    unchained: report.unchained,
    disclosure: report.disclosure
      ? {
          dir: report.disclosure.dir,
          case: report.disclosure.caseRef ?? null,
          hotel_id: report.disclosure.hotelId ?? null,
          lines: report.disclosure.lines ?? null,
          verdict: report.disclosure.verdict,
          checks: report.disclosure.checks,
        }
      : null,
    day: report.day
      ? {
          dir: report.day.dir,
          hotel_id: report.day.hotelId ?? null,
          day: report.day.day ?? null,
          verdict: report.day.verdict,
          signing_time: signingTimeJson(report.day.signingTime),
          checks: report.day.checks,
        }
      : null,
  };
}
