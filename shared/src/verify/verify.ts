/**
 * `logmaster verify` in-process: every check of every bundle, then the chain
 * of each agent's bundles. Offline: it reads the bundle directories and
 * nothing else (no network, no hub, no clock: the signing time comes from
 * the bundle).
 */
import { chunkIdOf, type ManifestWithBytes } from "../custody/index.ts";
import { BUNDLE_FILES, loadBundle, type SmallFile } from "./bundle.ts";
import {
  type AgentCertificateReading,
  checkAgentCertificate,
  checkCertificateChain,
  checkSignature,
  readChainCa,
  type SigningTime,
} from "./certificates.ts";
import { type ChainMember, type ChainReport, checkChain, groupByAgent } from "./chain.ts";
import {
  type BundleCheckName,
  type Check,
  type CheckStatus,
  fail,
  messageOf,
  type Verdict,
  verdictOf,
} from "./checks.ts";
import { checkRecords, readManifest } from "./chunk.ts";
import { checkRevocation } from "./crl.ts";
import { type DayReport, verifyDayRollup } from "./day.ts";
import { checkTimestamp } from "./timestamp.ts";

/** How far the records check of one bundle has read. */
export interface RecordsProgress {
  dir: string;
  doneBytes: number;
  totalBytes: number;
}

export interface VerifyOptions {
  /** Judge the agent certificate (validity, revocation) at this instant instead of the signing time. */
  at?: Date;
  /** A missing manifest.tsr is a warning instead of a failure. */
  allowUnstamped?: boolean;
  /**
   * Chain each agent's bundles in chunk order (bundles found below a
   * directory). Otherwise in the order given: reordering them is a break.
   */
  sortByChunk?: boolean;
  /** Called as records.jsonl is read, for a progress bar. */
  onProgress?: (progress: RecordsProgress) => void;
  /** The root of a day export: check its day roll-up against the bundles too (§15). */
  dayRollupDir?: string;
}

export interface BundleReport {
  dir: string;
  /** From the manifest, when it could be read. */
  chunk: string | undefined;
  agentId: string | undefined;
  /** The instant certificates were judged at, and where it came from. */
  signingTime: SigningTime | undefined;
  checks: Check<BundleCheckName>[];
  verdict: Verdict;
}

export interface VerifyReport {
  bundles: BundleReport[];
  /** One per agent among the bundles whose manifest could be read. */
  chains: ChainReport[];
  /** Bundles left out of every chain: their manifest could not be read. */
  unchained: string[];
  /** The day roll-up's checks, when the bundles came from a day export. */
  day: DayReport | undefined;
  verdict: Verdict;
  counts: Record<CheckStatus, number>;
}

/** Which check reports a small file that cannot be read. */
const OWNER_OF_FILE: Record<SmallFile, BundleCheckName> = {
  manifest: "manifest",
  signature: "signature",
  timestamp: "timestamp",
  timestampRaw: "timestamp",
  agentCertificate: "agent_certificate",
  chainCa: "certificate_chain",
  chainCrl: "revocation",
  tsaChain: "timestamp",
  tsaCa: "timestamp",
};

function signingTimeOf(
  options: VerifyOptions,
  genTime: Date | undefined,
  parsed: ManifestWithBytes | undefined,
  stamped: boolean,
): SigningTime | undefined {
  if (options.at) return { at: options.at, source: "option" };
  if (genTime) return { at: genTime, source: "timestamp" };
  if (!parsed) return undefined;
  return {
    // Milliseconds are enough to judge a certificate, and Date reaches year 9999 (µs in a
    // safe integer stop at 2255, and a changed manifest may say 3026).
    at: new Date(Date.parse(`${parsed.manifest.created_at.slice(0, 23)}Z`)),
    source: "created_at",
    reason: stamped ? `${BUNDLE_FILES.timestamp} does not verify` : `no ${BUNDLE_FILES.timestamp}`,
  };
}

/**
 * The checks turn every problem of a bundle they know of into a FAIL. This is
 * the net under them: bytes no one foresaw may make a library throw, and
 * that must still be a FAIL of the check that read them, not a crash that
 * hides the other checks.
 */
function guarded<Name extends BundleCheckName, T>(
  name: Name,
  run: () => T,
  whenThrown: (check: Check<Name>) => T,
): T {
  try {
    return run();
  } catch (error) {
    return whenThrown(fail(name, `could not be checked: ${messageOf(error)}`));
  }
}

function guardedCheck<Name extends BundleCheckName>(
  name: Name,
  run: () => Check<Name>,
): Check<Name> {
  return guarded(name, run, (check) => check);
}

async function guardedAsync<Name extends BundleCheckName, T>(
  name: Name,
  run: () => Promise<T>,
  whenThrown: (check: Check<Name>) => T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    return whenThrown(fail(name, `could not be checked: ${messageOf(error)}`));
  }
}

/**
 * Every check of one bundle (docs/custody-format.md §11), in report order.
 * Never throws for a bad bundle: what is wrong is a FAIL with its reason.
 *
 * @example
 * const { report } = await verifyBundle("export/ist-01-a1/2026-11-22T08", { allowUnstamped: false });
 * for (const check of report.checks) console.log(check.status, check.name, check.detail);
 */
export async function verifyBundle(
  dir: string,
  options: VerifyOptions = {},
): Promise<{ report: BundleReport; member: ChainMember | undefined }> {
  const bundle = loadBundle(dir);
  const { files } = bundle;
  const reading = readManifest(files.manifest);
  const manifest = reading.parsed?.manifest;
  const records = await checkRecords(
    bundle.recordsPath,
    manifest,
    options.onProgress &&
      ((doneBytes, totalBytes) => options.onProgress?.({ dir, doneBytes, totalBytes })),
  );
  const agent = guarded(
    "agent_certificate",
    () => checkAgentCertificate(files.agentCertificate, manifest),
    (check): AgentCertificateReading => ({ check, certificate: undefined }),
  );
  const signature = guardedCheck("signature", () =>
    checkSignature(files.manifest, files.signature, agent.certificate),
  );
  const timestamp = await guardedAsync(
    "timestamp",
    () =>
      checkTimestamp(
        {
          tsr: files.timestamp,
          raw: files.timestampRaw,
          tsaChain: files.tsaChain,
          tsaCa: files.tsaCa,
        },
        files.manifest,
        { allowUnstamped: options.allowUnstamped ?? false },
      ),
    (check) => ({ check, genTime: undefined }),
  );
  const signingTime = signingTimeOf(
    options,
    timestamp.genTime,
    reading.parsed,
    files.timestamp !== undefined,
  );
  const chainCa = readChainCa(files.chainCa);
  let checks: Check<BundleCheckName>[] = [
    reading.manifest,
    reading.canonical,
    records.records,
    records.match,
    records.merkle,
    records.window,
    agent.check,
    signature,
    timestamp.check,
    guardedCheck("certificate_chain", () =>
      checkCertificateChain(agent.certificate, chainCa, signingTime),
    ),
    guardedCheck("revocation", () =>
      checkRevocation(files.chainCrl, agent.certificate, chainCa, signingTime),
    ),
  ];
  // A file that exists but cannot be read was taken as absent above; say what really happened.
  for (const [file, problem] of Object.entries(bundle.unreadable) as [SmallFile, string][]) {
    const owner = OWNER_OF_FILE[file];
    const unreadable = fail(owner, `${BUNDLE_FILES[file]} cannot be read: ${problem}`);
    checks = checks.map((check) => (check.name === owner ? unreadable : check));
  }
  return {
    report: {
      dir,
      chunk: manifest ? chunkIdOf(manifest) : undefined,
      agentId: manifest?.agent_id,
      signingTime,
      checks,
      verdict: verdictOf(checks),
    },
    member: reading.parsed ? { dir, parsed: reading.parsed } : undefined,
  };
}

/**
 * Verify bundles one after the other (each records.jsonl streamed, so memory
 * stays bounded whatever their size), then chain each agent's bundles.
 *
 * @example
 * const { dirs, discovered } = resolveBundleDirs(["export-2026-11-22"]);
 * const report = await verifyBundles(dirs, { sortByChunk: discovered });
 * process.exitCode = report.verdict === "FAIL" ? 1 : 0;
 */
export async function verifyBundles(
  dirs: readonly string[],
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const bundles: BundleReport[] = [];
  const members: ChainMember[] = [];
  const unchained: string[] = [];
  for (const dir of dirs) {
    const { report, member } = await verifyBundle(dir, options);
    bundles.push(report);
    if (member) members.push(member);
    else unchained.push(dir);
  }
  const groups = groupByAgent(members, { sortByChunk: options.sortByChunk ?? false });
  const chains = [...groups.values()].map(checkChain);
  const day = options.dayRollupDir
    ? await verifyDayRollup(options.dayRollupDir, members, options)
    : undefined;
  const allChecks = [
    ...bundles.flatMap((b) => b.checks),
    ...chains.flatMap((c) => c.checks),
    ...(day?.checks ?? []),
  ];
  const counts: Record<CheckStatus, number> = { PASS: 0, WARN: 0, FAIL: 0, SKIP: 0 };
  for (const check of allChecks) counts[check.status]++;
  return {
    bundles,
    chains,
    unchained,
    day,
    verdict: verdictOf(allChecks),
    counts,
  };
}
