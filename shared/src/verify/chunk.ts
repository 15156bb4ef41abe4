/**
 * The checks of a chunk's own files: manifest.json (parses, canonical) and
 * records.jsonl (canonical lines, and the facts the manifest states about
 * it). All the rules are the custody library's; this only runs them and
 * words the outcome.
 */
import { existsSync, statSync } from "node:fs";
import { digestRecordsFileOnWorker } from "../custody/digest-worker/index.ts";
import {
  CHUNK_FORMAT_1,
  CustodyError,
  chunkIdOf,
  compareMerkleWithManifest,
  compareWithManifest,
  digestRecordsFile,
  type FieldMismatch,
  hasMerkleRoot,
  type Manifest,
  type ManifestWithBytes,
  type MerkleFields,
  manifestSchema,
  type ProgressCallback,
  parseManifest,
  type RecordsDigest,
  scanRecordsFile,
} from "../custody/index.ts";
import { BUNDLE_FILES } from "./bundle.ts";
import { type Check, fail, messageOf, pass, skip, warn } from "./checks.ts";

export interface ManifestReading {
  manifest: Check<"manifest">;
  canonical: Check<"manifest_canonical">;
  /** The manifest when its fields are valid (also when its bytes are not canonical). */
  parsed: ManifestWithBytes | undefined;
}

// As parseManifest decodes: a BOM stays (and fails JSON.parse), invalid UTF-8 throws.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function describeManifest(m: Manifest): string {
  const seqs =
    m.record_count === 0
      ? "no records"
      : `${m.record_count} record${m.record_count === 1 ? "" : "s"}, seq ${m.first_seq}..${m.last_seq}`;
  const clock =
    m.clock.ntp_synchronized === true
      ? "NTP-synchronised"
      : m.clock.ntp_synchronized === false
        ? "NOT NTP-synchronised"
        : "synchronisation unknown";
  return `chunk ${chunkIdOf(m)} of agent ${m.agent_id} (hotel ${m.hotel_id}, chain ${m.chain_id}): ${seqs}, window ${m.window_start} to ${m.window_end}, created_at ${m.created_at}, clock ${m.clock.source} (${clock})`;
}

/**
 * Read manifest.json as a verifier: the `manifest` check (format, fields) and
 * the `manifest_canonical` check (the bytes are the canonical form of those
 * fields). A non-canonical manifest with valid fields is still returned, so
 * the other checks can run on what it says.
 *
 * @example
 * const { manifest, canonical, parsed } = readManifest(bundle.files.manifest);
 */
export function readManifest(bytes: Uint8Array | undefined): ManifestReading {
  const needsFields = "needs manifest.json's fields";
  if (!bytes) {
    return {
      manifest: fail("manifest", `${BUNDLE_FILES.manifest} is missing`),
      canonical: skip("manifest_canonical", needsFields),
      parsed: undefined,
    };
  }
  try {
    const parsed = parseManifest(bytes);
    return {
      manifest: pass("manifest", describeManifest(parsed.manifest)),
      canonical: pass("manifest_canonical", "byte-identical to the canonical form of its fields"),
      parsed,
    };
  } catch (error) {
    if (!(error instanceof CustodyError)) throw error;
    if (error.code === "non_canonical_manifest") {
      // The fields are valid (parseManifest checks the bytes last): read them again without it.
      const manifest = manifestSchema.parse(JSON.parse(strictUtf8.decode(bytes)));
      return {
        manifest: pass("manifest", describeManifest(manifest)),
        canonical: fail(
          "manifest_canonical",
          `${error.message}: not written by a conforming agent`,
        ),
        parsed: { manifest, bytes },
      };
    }
    const advice =
      error.code === "unsupported_format" ? ": use a verifier for that format version" : "";
    return {
      manifest: fail("manifest", `${error.message}${advice}`),
      canonical: skip("manifest_canonical", needsFields),
      parsed: undefined,
    };
  }
}

function describeMismatch(mismatch: FieldMismatch): string {
  return `${mismatch.field}: the manifest says ${mismatch.manifest}, records.jsonl has ${mismatch.records}`;
}

export interface RecordsChecks {
  records: Check<"records">;
  match: Check<"records_match">;
  /** Format 1.1: the Merkle root over the lines; SKIP (does not apply) for format 1. */
  merkle: Check<"records_merkle">;
  window: Check<"records_window">;
}

/**
 * The Merkle check of a chunk whose records scanned cleanly: the tree the
 * lines make is the one the manifest signs (format 1.1). A format-1 manifest
 * has no tree: the check does not apply, which is no failure.
 */
function checkMerkle(
  merkle: MerkleFields | undefined,
  manifest: Manifest,
): Check<"records_merkle"> {
  if (!hasMerkleRoot(manifest)) {
    return skip(
      "records_merkle",
      `does not apply: format ${CHUNK_FORMAT_1} has no Merkle root (records_sha256 covers the whole file)`,
    );
  }
  if (!merkle) return skip("records_merkle", `needs the lines of ${BUNDLE_FILES.records}`);
  const mismatches = compareMerkleWithManifest(merkle, manifest);
  return mismatches.length === 0
    ? pass(
        "records_merkle",
        `merkle_root ${merkle.merkle_root} over ${merkle.merkle_size} lines (RFC 6962): as the manifest says, so each line can be proven on its own`,
      )
    : fail(
        "records_merkle",
        `${mismatches.map(describeMismatch).join("; ")}: the tree over the lines is not the one the manifest signs`,
      );
}

/**
 * Stream records.jsonl (bounded memory, any size): every line canonical,
 * seqs consecutive, and the summary (for format 1.1 also the Merkle tree
 * over the lines) compared with the manifest; records outside the window are
 * a clock warning. A large file is hashed on a worker thread meanwhile. When
 * a line is bad, its hash still tells "altered after signing" (hash differs)
 * from "signed like that" (hash equal).
 *
 * @example
 * const { records, match, merkle, window } = await checkRecords("bundle/records.jsonl", parsed?.manifest);
 */
export async function checkRecords(
  path: string,
  manifest: Manifest | undefined,
  onProgress?: ProgressCallback,
): Promise<RecordsChecks> {
  const needsManifest = "needs manifest.json's fields";
  if (!existsSync(path)) {
    return {
      records: fail("records", `${BUNDLE_FILES.records} is missing`),
      match: skip("records_match", `needs ${BUNDLE_FILES.records}`),
      merkle: skip("records_merkle", `needs ${BUNDLE_FILES.records}`),
      window: skip("records_window", `needs ${BUNDLE_FILES.records}`),
    };
  }
  const withMerkle = manifest !== undefined && hasMerkleRoot(manifest);
  // A large file is hashed (and its tree built) on another core while this one checks its lines.
  const hashing =
    statSync(path).size >= PARALLEL_HASH_MIN_BYTES ? digestInWorker(path, withMerkle) : undefined;
  let scan: Awaited<ReturnType<typeof scanRecordsFile>>;
  try {
    scan = await scanRecordsFile(
      path,
      {
        ...(manifest ? { window: manifest } : {}),
        sha256: hashing === undefined,
        merkle: withMerkle && hashing === undefined,
      },
      onProgress,
    );
  } catch (error) {
    const records = fail(
      "records",
      error instanceof CustodyError
        ? `${error.message}: records altered or not written by a conforming agent`
        : `cannot read ${BUNDLE_FILES.records}: ${messageOf(error)}`,
    );
    const window = skip("records_window", "the records scan stopped at the failure above");
    const merkle = skip("records_merkle", "the records scan stopped at the failure above");
    if (!manifest) return { records, match: skip("records_match", needsManifest), merkle, window };
    return {
      records,
      match: compareHashOnly(await (hashing ?? digestRecordsFile(path)), manifest),
      merkle,
      window,
    };
  }
  const { recordsOutsideWindow } = scan;
  let { summary, merkle: tree } = scan;
  if (hashing) {
    const hashed = await hashing;
    // Both threads read the file: they must have read the same length.
    if (hashed.byteLength !== summary.byte_length) {
      const unsteady = `needs a ${BUNDLE_FILES.records} that holds still`;
      return {
        records: fail("records", `${BUNDLE_FILES.records} changed while it was being read`),
        match: skip("records_match", unsteady),
        merkle: skip("records_merkle", unsteady),
        window: skip("records_window", unsteady),
      };
    }
    summary = { ...summary, records_sha256: hashed.sha256Hex };
    tree = hashed.merkle;
  }
  const records = pass(
    "records",
    summary.record_count === 0
      ? "empty (a chunk in which nothing arrived)"
      : summary.record_count === 1
        ? `1 line, a canonical record, seq ${summary.first_seq}`
        : `${summary.record_count} lines, each a canonical record, seq ${summary.first_seq}..${summary.last_seq} consecutive`,
  );
  if (!manifest) {
    return {
      records,
      match: skip("records_match", needsManifest),
      merkle: skip("records_merkle", needsManifest),
      window: skip("records_window", needsManifest),
    };
  }
  const mismatches = compareWithManifest(summary, manifest);
  const match =
    mismatches.length === 0
      ? pass(
          "records_match",
          `SHA-256 ${summary.records_sha256}, ${summary.byte_length} bytes, ${summary.record_count} records, gap_lost ${summary.gap_lost}: as the manifest says`,
        )
      : fail(
          "records_match",
          `${mismatches.map(describeMismatch).join("; ")}: records altered, truncated or extended`,
        );
  const windowText = `[${manifest.window_start}, ${manifest.window_end})`;
  const window =
    recordsOutsideWindow === 0
      ? pass("records_window", `every record's ts lies in ${windowText}`)
      : warn(
          "records_window",
          `${recordsOutsideWindow} of ${summary.record_count} records have a ts outside ${windowText}: the agent clock was stepped (a clock warning, not tampering)`,
        );
  return { records, match, merkle: checkMerkle(tree, manifest), window };
}

/** From this size on, starting a worker (~50 ms) is worth it. */
const PARALLEL_HASH_MIN_BYTES = 64 * 1024 * 1024;

/** digestRecordsFile on a worker thread; on the main thread when a worker cannot run. */
function digestInWorker(path: string, merkle: boolean): Promise<RecordsDigest> {
  return digestRecordsFileOnWorker(path, { merkle }).catch(() =>
    digestRecordsFile(path, { merkle }),
  );
}

/** After a bad line: do the bytes still hash to what the manifest signed? */
function compareHashOnly(hashed: RecordsDigest, manifest: Manifest): Check<"records_match"> {
  const problems: string[] = [];
  if (hashed.sha256Hex !== manifest.records_sha256)
    problems.push(
      `records_sha256: the manifest says ${manifest.records_sha256}, records.jsonl has ${hashed.sha256Hex}`,
    );
  if (hashed.byteLength !== manifest.byte_length)
    problems.push(
      `byte_length: the manifest says ${manifest.byte_length}, records.jsonl has ${hashed.byteLength}`,
    );
  return problems.length > 0
    ? fail("records_match", `${problems.join("; ")}: records altered, truncated or extended`)
    : pass(
        "records_match",
        "SHA-256 and size equal the manifest: the file is what the agent signed (so the agent itself wrote the line above)",
      );
}
