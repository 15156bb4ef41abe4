import { chunkId, chunkIdOf } from "./chunk-id.ts";
import { sha256Hex } from "./hash.ts";
import type { Manifest, ManifestWithBytes } from "./manifest.ts";
import { hourAfter, hourAsMicrosUtc, hoursBetween } from "./time.ts";

/**
 * The per-agent hash chain: each manifest names the SHA-256 of the previous
 * chunk's manifest.json bytes; chunks follow each other without holes in
 * receive time (each window starts where the previous one ended, parts of an
 * hour are numbered 0, 1, 2... and the last ends at hour_end; an hour without
 * records still has its chunk); seqs continue where the last non-empty chunk
 * stopped. One break names exactly one broken rule.
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
      /** Names what is missing: parts of an hour, whole hours, receive time no chunk covers. */
      message: string;
      /** The chunk that should have come next (id, hour, window start). */
      expectedChunk: string;
      expectedHourStart: string;
      expectedWindowStart: string;
      /** The chunk that came instead. */
      foundChunk: string;
      foundHourStart: string;
      foundWindowStart: string;
      /** Whole hours between the two chunks that have no chunk at all. */
      missingHours: number;
      /** One entry per missing piece, as in the message. */
      missing: string[];
    }
  | {
      kind: "chunk_out_of_order";
      message: string;
      expectedChunk: string;
      expectedWindowStart: string;
      foundChunk: string;
      foundWindowStart: string;
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
  /** The chunk id (`YYYY-MM-DDTHH` or `YYYY-MM-DDTHH.N`). */
  chunk: string;
  hourStart: string;
  part: number;
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

/** Where the chunk after `prev` must start: its hour, part and window start. */
interface ChunkPosition {
  id: string;
  hourStart: string;
  part: number;
  windowStart: string;
}

function positionOf(m: Manifest): ChunkPosition {
  return { id: chunkIdOf(m), hourStart: m.hour_start, part: m.part, windowStart: m.window_start };
}

/**
 * The chunk that must follow `prev`: the next part of the same hour when
 * `prev` was closed early, else part 0 of the next hour.
 */
function expectedAfter(prev: Manifest): ChunkPosition {
  if (prev.window_end < hourAsMicrosUtc(prev.hour_end)) {
    return {
      id: chunkId(prev.hour_start, prev.part + 1),
      hourStart: prev.hour_start,
      part: prev.part + 1,
      windowStart: prev.window_end,
    };
  }
  return {
    id: chunkId(prev.hour_end, 0),
    hourStart: prev.hour_end,
    part: 0,
    windowStart: hourAsMicrosUtc(prev.hour_end),
  };
}

function partRange(from: number, to: number): string {
  return from === to ? `part ${from}` : `parts ${from}..${to}`;
}

/** What lies between the expected chunk and the one found (found starts later). */
function describeMissing(
  expected: ChunkPosition,
  found: ChunkPosition,
): {
  missing: string[];
  missingHours: number;
} {
  const hour = (hourStart: string) => hourStart.slice(0, 13);
  if (expected.hourStart === found.hourStart) {
    // Same hour: parts skipped, or a window that starts late.
    const span =
      expected.windowStart === found.windowStart
        ? ""
        : ` (receive time ${expected.windowStart} to ${found.windowStart})`;
    return {
      missing: [
        found.part > expected.part
          ? `${partRange(expected.part, found.part - 1)} of hour ${hour(expected.hourStart)}${span}`
          : `receive time ${expected.windowStart} to ${found.windowStart} of hour ${hour(expected.hourStart)}`,
      ],
      missingHours: 0,
    };
  }
  const missing: string[] = [];
  let firstWholeHour = expected.hourStart;
  if (expected.part > 0) {
    // The previous chunk was closed early and the rest of its hour never came.
    missing.push(
      `parts ${expected.part}.. of hour ${hour(expected.hourStart)} (receive time ${expected.windowStart} to the hour's end)`,
    );
    firstWholeHour = hourAfter(expected.hourStart);
  }
  const missingHours = hoursBetween(firstWholeHour, found.hourStart);
  if (missingHours > 0) {
    const last = hour(new Date(Date.parse(found.hourStart) - 3_600_000).toISOString());
    missing.push(
      missingHours === 1
        ? `hour ${hour(firstWholeHour)} (every part)`
        : `${missingHours} hours ${hour(firstWholeHour)}..${last} (every part)`,
    );
  }
  if (found.part > 0) {
    missing.push(
      `${partRange(0, found.part - 1)} of hour ${hour(found.hourStart)} (receive time ${hourAsMicrosUtc(found.hourStart)} to ${found.windowStart})`,
    );
  }
  return { missing, missingHours };
}

/**
 * Contiguity of two consecutive chunks: `next.window_start = prev.window_end`;
 * in the same hour the part rises by one; into the next hour only after the
 * hour's last part (window_end = hour_end), with part 0 of the hour that starts
 * at prev.hour_end.
 */
function positionBreak(prev: Manifest, next: Manifest): ChainBreak | undefined {
  const expected = expectedAfter(prev);
  const found = positionOf(next);
  if (
    found.hourStart === expected.hourStart &&
    found.part === expected.part &&
    found.windowStart === expected.windowStart
  ) {
    return undefined;
  }
  const startsEarlier = found.windowStart < expected.windowStart;
  const partGoesBack = found.hourStart === prev.hour_start && found.part <= prev.part;
  if (startsEarlier || partGoesBack) {
    return {
      kind: "chunk_out_of_order",
      message: `chunk ${found.id} (window from ${found.windowStart}) does not follow chunk ${chunkIdOf(prev)} (window to ${prev.window_end}); expected ${expected.id} from ${expected.windowStart}`,
      expectedChunk: expected.id,
      expectedWindowStart: expected.windowStart,
      foundChunk: found.id,
      foundWindowStart: found.windowStart,
    };
  }
  const { missing, missingHours } = describeMissing(expected, found);
  return {
    kind: "missing_chunks",
    message: `missing between chunk ${chunkIdOf(prev)} and chunk ${found.id}: ${missing.join("; ")}`,
    expectedChunk: expected.id,
    expectedHourStart: expected.hourStart,
    expectedWindowStart: expected.windowStart,
    foundChunk: found.id,
    foundHourStart: found.hourStart,
    foundWindowStart: found.windowStart,
    missingHours,
    missing,
  };
}

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
          ? `prev_manifest_sha256 is null (a chain start) but chunk ${chunkIdOf(prev)} precedes it`
          : `prev_manifest_sha256 is ${next.prev_manifest_sha256} but the previous manifest.json hashes to ${expectedHash}`,
      expected: expectedHash,
      found: next.prev_manifest_sha256,
    });
  }
  const position = positionBreak(prev, next);
  if (position) breaks.push(position);
  return breaks;
}

/**
 * Check the hash chain of one agent's consecutive chunks, given in chain
 * order (by hour, then part). The first manifest is the start of the checked
 * window; when its `prev_manifest_sha256` is null it is the agent's first
 * chunk and its seqs must start at 1.
 *
 * @example
 * const verdict = verifyHashChain(dirs.map((dir) => parseManifest(readFileSync(`${dir}/manifest.json`))));
 * for (const link of verdict.links) for (const b of link.breaks) console.log(link.chunk, b.kind, b.message);
 */
export function verifyHashChain(manifests: readonly ManifestWithBytes[]): ChainVerdict {
  const links: ChainLink[] = [];
  // Seq the next non-empty chunk must start at; empty chunks carry it over.
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
      chunk: chunkIdOf(manifest),
      hourStart: manifest.hour_start,
      part: manifest.part,
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
