/**
 * The auditor's offline check of evidence bundles (docs/custody-format.md
 * §9-§11): every check of every bundle with PASS/FAIL/WARN and why, then the
 * hash chain and completeness of each agent's bundles, and a verdict; or of
 * a disclosure pack: per chunk the same checks, with one per disclosed line
 * in place of the records checks. Uses
 * the custody library for the format's rules and shared/src/timestamp for
 * RFC 3161; reads nothing but the bundle directories.
 *
 * @example
 * const { dirs, discovered } = resolveBundleDirs(["export-2026-11-22"]);
 * const report = await verifyBundles(dirs, { sortByChunk: discovered });
 * process.stdout.write(renderReport(report));
 * process.exitCode = report.verdict === "FAIL" ? 1 : 0;
 */
export {
  BUNDLE_FILES,
  BundleLocationError,
  type BundleSelection,
  findBundleDirs,
  isBundleDir,
  MAX_SMALL_FILE_BYTES,
  resolveBundleDirs,
} from "./bundle.ts";
export { describeSigningTime, type SigningTime } from "./certificates.ts";
export { type ChainReport, checkChain, groupByAgent } from "./chain.ts";
export {
  BUNDLE_CHECKS,
  type BundleCheckName,
  CHAIN_CHECKS,
  type ChainCheckName,
  type Check,
  type CheckName,
  type CheckStatus,
  type ChunkCheckName,
  DAY_CHECKS,
  type DayCheckName,
  DISCLOSED_CHUNK_CHECKS,
  DISCLOSURE_CHECKS,
  type DisclosedChunkCheckName,
  type DisclosureCheckName,
  type Verdict,
  verdictOf,
} from "./checks.ts";
export { type RevocationList, readRevocationList } from "./crl.ts";
export { type DayReport, hasDayRollup, verifyDayRollup } from "./day.ts";
export { type DisclosureReport, isDisclosurePack, verifyDisclosurePack } from "./disclosure.ts";
export { BundleFileError, derFramingProblem, readPemFile } from "./encoding.ts";
export { createProgressBar, type ProgressBar, type ProgressStream } from "./progress.ts";
export { REPORT_FORMAT, renderReport, reportJson } from "./report.ts";
export {
  type BundleReport,
  type RecordsProgress,
  type VerifyOptions,
  type VerifyReport,
  verifyBundle,
  verifyBundles,
} from "./verify.ts";
