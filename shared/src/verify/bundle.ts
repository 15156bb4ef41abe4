/**
 * Evidence bundles on disk: their file names (a contract, docs/custody-format.md
 * §9), finding them below an export directory, and reading the small files.
 * records.jsonl is never read here: it can be gigabytes and is streamed by
 * records.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The file names of an evidence bundle. */
export const BUNDLE_FILES = {
  records: "records.jsonl",
  manifest: "manifest.json",
  signature: "manifest.sig",
  timestamp: "manifest.tsr",
  /** Only when the TSA answered with a bare token: its answer as received, which manifest.tsr wraps. */
  timestampRaw: "manifest.tsr.raw",
  agentCertificate: "agent.pem",
  chainCa: "chain-ca.pem",
  /** The chain CA's revocation list, signed by it; optional (without it: a warning). */
  chainCrl: "chain-ca.crl.pem",
  tsaChain: "tsa-chain.pem",
  tsaCa: "tsa-ca.pem",
  /** Instructions for people, not evidence: nothing signs it and verify does not read it. */
  instructions: "VERIFY.md",
} as const;

export type SmallFile = Exclude<keyof typeof BUNDLE_FILES, "records" | "instructions">;

/**
 * Larger than any honest small file of a bundle (a manifest is ~1 KB, a
 * certificate ~2 KB, a revocation list of a big chain a few MB): a bigger one
 * is reported instead of being read into memory.
 */
export const MAX_SMALL_FILE_BYTES = 16 * 1024 * 1024;

/** A bundle's files that verify reads whole; undefined: absent. */
export type BundleFiles = Record<SmallFile, Uint8Array | undefined>;

export interface LoadedBundle {
  dir: string;
  files: BundleFiles;
  /** Files that exist but could not be read, and why (reported by the checks that need them). */
  unreadable: Partial<Record<SmallFile, string>>;
  recordsPath: string;
}

/** A usage error: the arguments name no bundle. The CLI exits with 2. */
export class BundleLocationError extends Error {
  override readonly name = "BundleLocationError";
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether `dir` is an evidence bundle: a directory with a manifest.json.
 *
 * @example
 * isBundleDir("export/ist-01-a1/2026-11-22T08") // true
 */
export function isBundleDir(dir: string): boolean {
  return isFile(join(dir, BUNDLE_FILES.manifest));
}

/**
 * Every bundle directory below `root`, at any depth (an export of a day is
 * `<agent>/<chunk-id>/`), in path order. A bundle's own subdirectories are
 * not searched; symbolic links are not followed.
 *
 * @example
 * findBundleDirs("export-2026-11-22") // ["export-2026-11-22/ist-01-a1/2026-11-22T00", ...]
 */
export function findBundleDirs(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    if (isBundleDir(dir)) {
      found.push(dir);
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      // A directory that cannot be listed could hide bundles: say so rather than skip it.
      throw new BundleLocationError(
        `cannot list ${dir}: ${error instanceof Error ? error.message : error}`,
      );
    }
    for (const name of entries) visit(join(dir, name));
  };
  visit(root);
  return found;
}

/** Which bundles the command line names, and whether they were found below a root. */
export interface BundleSelection {
  dirs: string[];
  /** True when one non-bundle directory was given and its bundles were found below it. */
  discovered: boolean;
}

/**
 * The bundle directories the arguments name: each argument is a bundle; or
 * the one argument is a directory with bundles below it. Throws
 * BundleLocationError when that is not so.
 *
 * @example
 * resolveBundleDirs(["export-2026-11-22"]) // { dirs: [...every bundle below...], discovered: true }
 */
export function resolveBundleDirs(args: readonly string[]): BundleSelection {
  if (args.length === 0) throw new BundleLocationError("name at least one bundle directory");
  for (const arg of args) {
    if (!existsSync(arg)) throw new BundleLocationError(`${arg} does not exist`);
    if (!statSync(arg).isDirectory()) throw new BundleLocationError(`${arg} is not a directory`);
  }
  const [only] = args;
  if (args.length === 1 && only !== undefined && !isBundleDir(only)) {
    const dirs = findBundleDirs(only);
    if (dirs.length === 0)
      throw new BundleLocationError(
        `${only} is not a bundle (no ${BUNDLE_FILES.manifest}) and holds no bundle below it`,
      );
    return { dirs, discovered: true };
  }
  const notBundles = args.filter((arg) => !isBundleDir(arg));
  if (notBundles.length > 0)
    throw new BundleLocationError(
      `not a bundle (no ${BUNDLE_FILES.manifest}): ${notBundles.join(", ")}; to verify every bundle below a directory, name only that directory`,
    );
  return { dirs: [...args], discovered: false };
}

/** A file's bytes; undefined when absent; or why it cannot be read (too large: not read). */
export function readSmallFile(path: string): Uint8Array | undefined | { problem: string } {
  if (!existsSync(path)) return undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { problem: "it is not a file" };
    if (stat.size > MAX_SMALL_FILE_BYTES)
      return {
        problem: `larger than ${MAX_SMALL_FILE_BYTES} bytes: not a file of an evidence bundle`,
      };
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Read a bundle's small files (everything but records.jsonl and VERIFY.md).
 *
 * @example
 * const bundle = loadBundle("export/ist-01-a1/2026-11-22T08");
 * if (!bundle.files.timestamp) console.log("not time-stamped");
 */
export function loadBundle(dir: string): LoadedBundle {
  const files = {} as BundleFiles;
  const unreadable: LoadedBundle["unreadable"] = {};
  for (const key of Object.keys(BUNDLE_FILES) as (keyof typeof BUNDLE_FILES)[]) {
    if (key === "records" || key === "instructions") continue;
    const content = readSmallFile(join(dir, BUNDLE_FILES[key]));
    if (content instanceof Uint8Array || content === undefined) files[key] = content;
    else unreadable[key] = content.problem;
  }
  return { dir, files, unreadable, recordsPath: join(dir, BUNDLE_FILES.records) };
}
