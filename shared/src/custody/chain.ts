import { sha256Hex } from "./hash.ts";
import type { ManifestWithBytes } from "./manifest.ts";
import { hourAfter, hoursBetween } from "./time.ts";

/**
 * The per-agent hash chain: each manifest names the SHA-256 of the previous
 * hour's manifest.json bytes, hours follow each other without holes (an hour
 * without records still has its chunk), and seqs continue where the last
 * non-empty chunk stopped. One break names exactly one broken rule.
 */
export type ChainBreak =
  | {
      kind: "prev_hash_mismatch";
      message: string;
      /** SHA-256 of the previous manifest.json as supplied. */
      expected: string;
      /** What this manifest names (null: it claims to be the agent's first chunk). */
      found: string | null;
    }
  | {
      kind: "missing_chunks";
      message: string;
      expectedHourStart: string;
      foundHourStart: string;
      /** Hours between the two chunks that have no chunk. */
      missingHours: number;
    }
  | {
      kind: "hour_out_of_order";
      message: string;
      expectedHourStart: string;
      foundHourStart: string;
    }
  | {
      kind: "seq_discontinuity";
      message: string;
      expectedFirstSeq: number;
      foundFirstSeq: number;
    }
  | {
      kind: "identity_mismatch";
      message: string;
      field: "chain_id" | "hotel_id" | "agent_id";
      expected: string;
      found: string;
    };

export type ChainBreakKind = ChainBreak["kind"];

export interface ChainLink {
  /** Position of the manifest in the input. */
  index: number;
  hourStart: string;
  /**
   * What the manifest was checked against: the previous input manifest; the
   * start of the agent's chain (first input, `prev_manifest_sha256` null, so
   * its seqs must start at 1); or nothing (first input, predecessor not supplied).
   */
  from: "previous" | "agent_start" | "not_supplied";
  /** The agent certificate differs from the previous chunk's (renewal): not a break, worth showing. */
  certificateChanged: boolean;
  breaks: ChainBreak[];
}

export interface ChainVerdict {
  ok: boolean;
  links: ChainLink[];
}

const IDENTITY_FIELDS = ["chain_id", "hotel_id", "agent_id"] as const;

function linkBreaks(previous: ManifestWithBytes, current: ManifestWithBytes): ChainBreak[] {
  const prev = previous.manifest;
  const next = current.manifest;
  const breaks: ChainBreak[] = [];
  for (const field of IDENTITY_FIELDS) {
    if (next[field] !== prev[field]) {
      breaks.push({
        kind: "identity_mismatch",
        message: `${field} is "${next[field]}" but the previous chunk's is "${prev[field]}"`,
        field,
        expected: prev[field],
        found: next[field],
      });
    }
  }
  const expectedHash = sha256Hex(previous.bytes);
  if (next.prev_manifest_sha256 !== expectedHash) {
    breaks.push({
      kind: "prev_hash_mismatch",
      message:
        next.prev_manifest_sha256 === null
          ? `prev_manifest_sha256 is null (a chain start) but chunk ${prev.hour_start} precedes it`
          : `prev_manifest_sha256 is ${next.prev_manifest_sha256} but the previous manifest.json hashes to ${expectedHash}`,
      expected: expectedHash,
      found: next.prev_manifest_sha256,
    });
  }
  const expectedHour = hourAfter(prev.hour_start);
  const missingHours = hoursBetween(expectedHour, next.hour_start);
  if (missingHours > 0) {
    breaks.push({
      kind: "missing_chunks",
      message: `${missingHours} hour(s) from ${expectedHour} have no chunk before ${next.hour_start}`,
      expectedHourStart: expectedHour,
      foundHourStart: next.hour_start,
      missingHours,
    });
  } else if (missingHours < 0) {
    breaks.push({
      kind: "hour_out_of_order",
      message: `hour ${next.hour_start} does not follow ${prev.hour_start} (expected ${expectedHour})`,
      expectedHourStart: expectedHour,
      foundHourStart: next.hour_start,
    });
  }
  return breaks;
}

/**
 * Check the hash chain of one agent's consecutive chunks, given in hour order.
 * The first manifest is the start of the checked window; when its
 * `prev_manifest_sha256` is null it is the agent's first chunk and its seqs
 * must start at 1.
 *
 * @example
 * const verdict = verifyHashChain(dirs.map((dir) => parseManifest(readFileSync(`${dir}/manifest.json`))));
 * for (const link of verdict.links) for (const b of link.breaks) console.log(link.hourStart, b.kind, b.message);
 */
export function verifyHashChain(manifests: readonly ManifestWithBytes[]): ChainVerdict {
  const links: ChainLink[] = [];
  // Seq the next non-empty chunk must start at; empty hours carry it over.
  let expectedFirstSeq: number | undefined;
  manifests.forEach((current, index) => {
    const { manifest } = current;
    const previous = index > 0 ? manifests[index - 1] : undefined;
    const breaks = previous ? linkBreaks(previous, current) : [];
    if (!previous && manifest.prev_manifest_sha256 === null) expectedFirstSeq = 1;
    if (manifest.first_seq !== null && manifest.last_seq !== null) {
      if (expectedFirstSeq !== undefined && manifest.first_seq !== expectedFirstSeq) {
        breaks.push({
          kind: "seq_discontinuity",
          message: `first_seq is ${manifest.first_seq} but the chain continues at seq ${expectedFirstSeq}`,
          expectedFirstSeq,
          foundFirstSeq: manifest.first_seq,
        });
      }
      expectedFirstSeq = manifest.last_seq + 1;
    }
    links.push({
      index,
      hourStart: manifest.hour_start,
      from: previous
        ? "previous"
        : manifest.prev_manifest_sha256 === null
          ? "agent_start"
          : "not_supplied",
      certificateChanged:
        previous !== undefined &&
        previous.manifest.agent_cert_sha256 !== manifest.agent_cert_sha256,
      breaks,
    });
  });
  return { ok: links.every((link) => link.breaks.length === 0), links };
}
