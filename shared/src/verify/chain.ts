/**
 * The checks across bundles: per agent, the hash chain and completeness of
 * the supplied chunks (docs/custody-format.md §7), by the custody library's
 * verifyHashChain, worded per chunk so an auditor reads which chunk is
 * missing, changed or out of place.
 */
import {
  type ChainBreak,
  type ChainBreakKind,
  chunkIdOf,
  compareChunkIds,
  hourAsMicrosUtc,
  type ManifestWithBytes,
  verifyHashChain,
} from "../custody/index.ts";
import { type Check, fail, pass, warn } from "./checks.ts";

/** A bundle whose manifest could be read, as a link of its agent's chain. */
export interface ChainMember {
  dir: string;
  parsed: ManifestWithBytes;
}

/** The chain of one agent's supplied chunks. */
export interface ChainReport {
  agentId: string;
  /** Chunk ids in chain order (as checked). */
  chunks: string[];
  dirs: string[];
  checks: [Check<"hash_chain">, Check<"completeness">];
}

const COMPLETENESS_KINDS: ReadonlySet<ChainBreakKind> = new Set([
  "missing_chunks",
  "chunk_out_of_order",
]);

/**
 * The members per agent (by `agent_id`; a changed `chain_id` or `hotel_id`
 * then shows as a break). `sortByChunk`: in chunk order (hour, then part),
 * for bundles found below a directory; otherwise in the order given, so a
 * reordering on the command line is a break too.
 *
 * @example
 * groupByAgent(members, { sortByChunk: true }).get("ist-01-a1") // its bundles, T08 before T08.1
 */
export function groupByAgent(
  members: readonly ChainMember[],
  options: { sortByChunk: boolean },
): Map<string, ChainMember[]> {
  const groups = new Map<string, ChainMember[]>();
  for (const member of members) {
    const agentId = member.parsed.manifest.agent_id;
    groups.set(agentId, [...(groups.get(agentId) ?? []), member]);
  }
  if (options.sortByChunk) {
    for (const group of groups.values()) {
      group.sort(
        (a, b) =>
          compareChunkIds(chunkIdOf(a.parsed.manifest), chunkIdOf(b.parsed.manifest)) ||
          (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0),
      );
    }
  }
  return groups;
}

function hourOf(hourStart: string): string {
  return hourStart.slice(0, 13);
}

/** Parts of an hour that lie before the first or after the last supplied chunk. */
function edgeGaps(group: readonly ChainMember[]): string[] {
  const first = group[0]?.parsed.manifest;
  const last = group.at(-1)?.parsed.manifest;
  if (!first || !last) return [];
  const gaps: string[] = [];
  if (first.part > 0)
    gaps.push(
      `the part${first.part > 1 ? `s 0..${first.part - 1}` : " 0"} of hour ${hourOf(first.hour_start)} before chunk ${chunkIdOf(first)} (receive time ${hourAsMicrosUtc(first.hour_start)} to ${first.window_start}) ${first.part > 1 ? "are" : "is"} not among the supplied bundles`,
    );
  if (last.window_end < hourAsMicrosUtc(last.hour_end))
    gaps.push(
      `hour ${hourOf(last.hour_start)} continues after chunk ${chunkIdOf(last)} (from ${last.window_end}, part ${last.part + 1}), which is not among the supplied bundles`,
    );
  return gaps;
}

function located(chunk: string, dir: string, problem: ChainBreak): string {
  return `chunk ${chunk} (${dir}): ${problem.message}`;
}

/**
 * The `hash_chain` and `completeness` checks of one agent's bundles, given
 * in the order to check them.
 *
 * @example
 * const [hashChain, completeness] = checkChain(group).checks;
 */
export function checkChain(group: readonly ChainMember[]): ChainReport {
  const verdict = verifyHashChain(group.map((member) => member.parsed));
  const chunks = verdict.links.map((link) => link.chunk);
  const dirs = group.map((member) => member.dir);
  const hashProblems: string[] = [];
  const completenessProblems: string[] = [];
  for (const link of verdict.links) {
    const dir = dirs[link.index] ?? "";
    for (const problem of link.breaks) {
      (COMPLETENESS_KINDS.has(problem.kind) ? completenessProblems : hashProblems).push(
        located(link.chunk, dir, problem),
      );
    }
  }
  const firstLink = verdict.links[0];
  const firstManifest = group[0]?.parsed.manifest;
  const span =
    chunks.length === 1
      ? `chunk ${chunks[0]}`
      : `${chunks.length} chunks ${chunks[0]} .. ${chunks.at(-1)}`;
  const start =
    firstLink?.from === "agent_start"
      ? "it starts at the agent's first chunk (prev_manifest_sha256 null, seqs from 1)"
      : `the chunk before ${chunks[0]} was not supplied (prev_manifest_sha256 ${firstManifest?.prev_manifest_sha256})`;
  const renewals = verdict.links
    .filter((link) => link.certificateChanged)
    .map((link) => `the agent certificate changes at chunk ${link.chunk} (a renewal)`);
  const hashChain =
    hashProblems.length > 0
      ? fail("hash_chain", hashProblems.join("; "))
      : pass(
          "hash_chain",
          [
            chunks.length === 1
              ? `${span}: nothing to chain it to; supply its neighbours to check the chain (§9)`
              : `${span}: each prev_manifest_sha256 is the SHA-256 of the manifest before it, seqs continue`,
            start,
            ...renewals,
          ].join("; "),
        );
  const gaps = edgeGaps(group);
  const completeness =
    completenessProblems.length > 0
      ? fail("completeness", [...completenessProblems, ...gaps].join("; "))
      : gaps.length > 0
        ? warn("completeness", `${span}: no gap between them; but ${gaps.join("; ")}`)
        : pass(
            "completeness",
            `${span}: windows contiguous, every hour from ${hourOf(group[0]?.parsed.manifest.hour_start ?? "")} to ${hourOf(group.at(-1)?.parsed.manifest.hour_start ?? "")} whole`,
          );
  return {
    agentId: group[0]?.parsed.manifest.agent_id ?? "",
    chunks,
    dirs,
    checks: [hashChain, completeness],
  };
}
