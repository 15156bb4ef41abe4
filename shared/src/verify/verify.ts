/**
 * `logmaster verify` in-process: every check of every bundle, then the chain
 * of each agent's bundles. Offline: it reads the bundle directories and
 * nothing else (no network, no hub, no clock: the signing time comes from
 * the bundle).
 */
import { chunkIdOf, type Manifest, type ManifestWithBytes } from "../custody/index.ts";
import { BUNDLE_FILES, type LoadedBundle, loadBundle, type SmallFile } from "./bundle.ts";
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
  type ChunkCheckName,
  fail,
  messageOf,
  type Verdict,
  verdictOf,
} from "./checks.ts";
import { checkRecords, readManifest } from "./chunk.ts";
import { checkRevocation } from "./crl.ts";
import { type DayReport, verifyDayRollup } from "./day.ts";
import type { DisclosureReport } from "./disclosure.ts";
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

/** A chunk folder's checks: a bundle's (`BundleCheckName`), or a disclosure pack chunk's. */
export interface BundleReport<Name extends ChunkCheckName = BundleCheckName> {
  dir: string;
  /** From the manifest, when it could be read. */
  chunk: string | undefined;
  agentId: string | undefined;
  /** The instant certificates were judged at, and where it came from. */
  signingTime: SigningTime | undefined;
  checks: Check<Name>[];
  verdict: Verdict;
}

/** Of bundles (`BundleCheckName`), or of a disclosure pack (`ChunkCheckName`). */
export interface VerifyReport<Name extends ChunkCheckName = BundleCheckName> {
  /** The bundles; for a disclosure pack, its chunk folders. */
  bundles: BundleReport<Name>[];
  /** One per agent among the bundles whose manifest could be read. */
  chains: ChainReport[];
  /** Bundles left out of every chain: their manifest could not be read. */
  unchained: string[];
  /** The day roll-up's checks, when the bundles came from a day export. */
  day: DayReport | undefined;
  /** The pack's own checks, when the directory was a disclosure pack (its chunks are `bundles`). */
  disclosure?: DisclosureReport;
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

/** A chunk folder's manifest, as the checks of its contents need it. */
export interface ChunkContents {
  dir: string;
  bundle: LoadedBundle;
  /** The manifest's fields when they are valid. */
  manifest: Manifest | undefined;
}

/**
 * The checks of what the manifest describes, reported between the manifest's
 * and the signature's: a bundle's records.jsonl, or a disclosure pack's
 * lines.jsonl.
 */
export type ContentChecks<Name extends ChunkCheckName = ChunkCheckName> = (
  chunk: ChunkContents,
) => Promise<Check<Name>[]>;

/**
 * Every check of one chunk folder, in report order: manifest.json, then its
 * contents (`checkContents`), then who signed it and when (agent certificate,
 * signature, time-stamp, certificate chain, revocation). A bundle and a
 * disclosure pack's chunk share all but the contents. Never throws for a bad
 * folder: what is wrong is a FAIL with its reason.
 *
 * @example
 * const { report } = await verifyChunkDir(dir, options, async ({ manifest }) => [checkMyContents(manifest)]);
 */
export async function verifyChunkDir<Name extends ChunkCheckName>(
  dir: string,
  options: VerifyOptions,
  checkContents: ContentChecks<Name>,
): Promise<{ report: BundleReport<Name | BundleCheckName>; member: ChainMember | undefined }> {
  const bundle = loadBundle(dir);
  const { files } = bundle;
  const reading = readManifest(files.manifest);
  const manifest = reading.parsed?.manifest;
  const contents = await checkContents({ dir, bundle, manifest });
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
  let checks: Check<Name | BundleCheckName>[] = [
    reading.manifest,
    reading.canonical,
    ...contents,
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
 * Every check of one bundle (docs/custody-format.md §11), in report order.
 * Never throws for a bad bundle: what is wrong is a FAIL with its reason.
 *
 * @example
 * const { report } = await verifyBundle("export/ist-01-a1/2026-11-22T08", { allowUnstamped: false });
 * for (const check of report.checks) console.log(check.status, check.name, check.detail);
 */
export function verifyBundle(
  dir: string,
  options: VerifyOptions = {},
): Promise<{ report: BundleReport<BundleCheckName>; member: ChainMember | undefined }> {
  return verifyChunkDir(dir, options, async ({ bundle, manifest }) => {
    const records = await checkRecords(
      bundle.recordsPath,
      manifest,
      options.onProgress &&
        ((doneBytes, totalBytes) => options.onProgress?.({ dir, doneBytes, totalBytes })),
    );
    return [records.records, records.match, records.merkle, records.window];
  });
}

/** How many checks have each status. */
export function countStatuses(checks: readonly Check[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { PASS: 0, WARN: 0, FAIL: 0, SKIP: 0 };
  for (const check of checks) counts[check.status]++;
  return counts;
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
  return {
    bundles,
    chains,
    unchained,
    day,
    verdict: verdictOf(allChecks),
    counts: countStatuses(allChecks),
  };
}
