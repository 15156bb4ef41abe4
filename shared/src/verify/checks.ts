/**
 * The vocabulary of `logmaster verify`: the checks of docs/custody-format.md
 * §11 by name, their outcomes, and how outcomes add up to a verdict. Every
 * other module of this folder produces `Check`s; report.ts prints them.
 */

/**
 * PASS: holds. FAIL: does not hold (the evidence is altered, incomplete or
 * not what it claims). WARN: holds, with something an auditor should read
 * (a clock warning, no revocation list, a development time-stamp that has no
 * legal value, a format-1 chunk that a disclosure pack holds whole). SKIP:
 * could not run because something it needs failed (that failure is reported
 * on its own line), or does not apply to this evidence (the Merkle root of a
 * format-1 chunk, which has none).
 */
export type CheckStatus = "PASS" | "FAIL" | "WARN" | "SKIP";

/** The checks of one evidence bundle, in the order they are reported. */
export const BUNDLE_CHECKS = {
  manifest:
    "manifest.json parses, has format logmaster-chunk/1 or logmaster-chunk/1.1 and valid fields (§5.2)",
  manifest_canonical: "manifest.json is byte-identical to its canonical form (§5.3)",
  records:
    "every line of records.jsonl is a canonical record, seqs consecutive, ends with \\n (§4)",
  records_match:
    "records.jsonl's SHA-256, size, line count, first/last seq and gap_lost equal the manifest",
  records_merkle:
    "the RFC 6962 Merkle root over records.jsonl's lines equals merkle_root (format 1.1; §16)",
  records_window: "every record's ts lies in the chunk's window (a clock warning only, §4.1)",
  agent_certificate:
    "agent.pem is the certificate the manifest names (agent_cert_sha256) and names its agent (§6)",
  signature: "manifest.sig verifies over manifest.json with agent.pem's RSA key (>= 2048 bits)",
  timestamp: "manifest.tsr verifies over manifest.json with tsa-ca.pem and tsa-chain.pem (§8)",
  certificate_chain: "agent.pem chains to chain-ca.pem and was valid at the signing time",
  revocation: "agent.pem was not revoked at the signing time (chain-ca.crl.pem)",
} as const;

/**
 * The checks of a chunk folder of a disclosure pack that replace the records
 * checks (§11, §16): the pack holds only the lines asked for, each with its
 * audit path, so they are proven one by one against the signed Merkle root.
 */
export const DISCLOSED_CHUNK_CHECKS = {
  disclosed_manifest:
    "manifest.json is the one disclosure.json names: its SHA-256 is manifest_sha256, same agent, chunk and format",
  disclosed_line:
    "one line of lines.jsonl: its leaf and audit path lead to the signed merkle_root, its seq lies in first_seq..last_seq, its index follows the previous line's (§16.4)",
  disclosed_lines: "lines.jsonl holds exactly the seqs disclosure.json lists for the chunk",
  disclosed_whole:
    "a format-1 chunk (no Merkle tree) is disclosed whole: the records checks above, and a WARN that it holds more than the lines asked for",
} as const;

/** The checks of a disclosure pack as a whole (logmaster-disclosure/1). */
export const DISCLOSURE_CHECKS = {
  disclosure:
    "disclosure.json parses as logmaster-disclosure/1 and names each chunk folder once, inside the pack",
  disclosure_folders: "the pack's chunk folders are exactly the ones disclosure.json lists",
} as const;

/** The checks across the bundles of one agent (§7). */
export const CHAIN_CHECKS = {
  hash_chain:
    "each prev_manifest_sha256 is the previous manifest's SHA-256, seqs continue, one agent",
  completeness: "no chunk (hour or part) is missing between the supplied ones (§7 rule 3)",
} as const;

/** The checks of a day roll-up at the root of a day export (§15). */
export const DAY_CHECKS = {
  day_manifest: "day-manifest.json parses, has format logmaster-day/1 and is canonical (§15)",
  day_signature:
    "hub.pem is the chain's hub certificate, issued by chain-ca.pem and valid at the signing time; day-manifest.sig verifies over day-manifest.json",
  day_timestamp:
    "day-manifest.tsr verifies over day-manifest.json with day-tsa-ca.pem and day-tsa-chain.pem",
  day_coverage:
    "every chunk the roll-up lists is in the export with that manifest SHA-256, no other chunk of the hotel's day is; what the hub did not hold is shown",
} as const;

export type BundleCheckName = keyof typeof BUNDLE_CHECKS;
export type DisclosedChunkCheckName = keyof typeof DISCLOSED_CHUNK_CHECKS;
/** The checks of one chunk folder: a bundle's, or a disclosure pack's. */
export type ChunkCheckName = BundleCheckName | DisclosedChunkCheckName;
export type DisclosureCheckName = keyof typeof DISCLOSURE_CHECKS;
export type ChainCheckName = keyof typeof CHAIN_CHECKS;
export type DayCheckName = keyof typeof DAY_CHECKS;
export type CheckName = ChunkCheckName | ChainCheckName | DayCheckName | DisclosureCheckName;

/**
 * A finding a program may act on without reading the detail's words (in
 * `--json` as `code`). `development_tsa`: the time-stamp verifies but is by
 * LogMaster's built-in development TSA, so it has no legal value.
 */
export type CheckCode = "development_tsa";

export interface Check<Name extends CheckName = CheckName> {
  name: Name;
  status: CheckStatus;
  /** What was found, in a sentence or two; for a FAIL, why (line numbers, fields, chunks). */
  detail: string;
  /** Set on the findings {@link CheckCode} names; absent otherwise. */
  code?: CheckCode;
}

/** PASS, or WARN when any check warned: no FAIL either way (exit code 0). FAIL otherwise. */
export type Verdict = "PASS" | "WARN" | "FAIL";

export function pass<Name extends CheckName>(name: Name, detail: string): Check<Name> {
  return { name, status: "PASS", detail };
}

export function fail<Name extends CheckName>(name: Name, detail: string): Check<Name> {
  return { name, status: "FAIL", detail };
}

export function warn<Name extends CheckName>(
  name: Name,
  detail: string,
  code?: CheckCode,
): Check<Name> {
  return code ? { name, status: "WARN", detail, code } : { name, status: "WARN", detail };
}

export function skip<Name extends CheckName>(name: Name, detail: string): Check<Name> {
  return { name, status: "SKIP", detail };
}

/**
 * The verdict of a set of checks: FAIL if any failed, else WARN if any
 * warned, else PASS. A SKIP follows a FAIL or marks a check that does not
 * apply, so it does not count.
 *
 * @example
 * verdictOf([pass("manifest", "ok"), warn("revocation", "no revocation list in the bundle")]) // "WARN"
 */
export function verdictOf(checks: readonly Check[]): Verdict {
  if (checks.some((check) => check.status === "FAIL")) return "FAIL";
  if (checks.some((check) => check.status === "WARN")) return "WARN";
  return "PASS";
}

/** A message of an unknown thrown value, for a check's detail. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
