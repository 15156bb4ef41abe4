/**
 * A day's chunks for the custody page: those of the wall day shown, in
 * order per agent, each with its link in the hash chain (§7 of
 * docs/custody-format.md: a manifest names the SHA-256 of the agent's
 * previous manifest, and the next chunk's window starts where the previous
 * one's ended).
 */
import type { ChunkView } from "../../api/types.ts";
import type { Tone } from "../../components/Badge.tsx";
import { timestampState } from "../../data/health.ts";
import type { MessageKey } from "../../i18n/index.ts";

/**
 * - `links`: its `prev_manifest_sha256` is the previous chunk's `manifest_sha256`;
 * - `broken`: it names another manifest (one between is missing, or was altered);
 * - `waiting`: the previous chunk is not sealed at the hub yet, so has no hash to compare;
 * - `earlier`: it names a manifest before the chunks shown (the day before);
 * - `first`: the agent's first chunk, with nothing before it;
 * - `open`: not sealed yet, so it names nothing yet.
 */
export type ChainVerdict = "links" | "broken" | "waiting" | "earlier" | "first" | "open";

export interface ChainLink {
  verdict: ChainVerdict;
  /** The previous chunk of the same agent, when it is in the list. */
  previous: ChunkView | undefined;
  /**
   * Its window ends where this one starts; undefined while either is open
   * (a window is set at the seal).
   */
  continuous: boolean | undefined;
}

const order = (a: ChunkView, b: ChunkView) =>
  a.hour_start.localeCompare(b.hour_start) || a.part - b.part;

/** The chunks whose hour starts in [fromMs, toMs), oldest first, agent by agent within an hour. */
export function chunksOfDay(chunks: readonly ChunkView[], fromMs: number, toMs: number) {
  return chunks
    .filter((chunk) => {
      const startMs = Date.parse(chunk.hour_start);
      return startMs >= fromMs && startMs < toMs;
    })
    .sort((a, b) => order(a, b) || a.agent_id.localeCompare(b.agent_id));
}

/** Each chunk's link to the one before it of the same agent (within `chunks`). */
export function chainLinks(chunks: readonly ChunkView[]): Map<ChunkView, ChainLink> {
  const links = new Map<ChunkView, ChainLink>();
  const byAgent = new Map<string, ChunkView[]>();
  for (const chunk of chunks)
    byAgent.set(chunk.agent_id, [...(byAgent.get(chunk.agent_id) ?? []), chunk]);
  for (const list of byAgent.values()) {
    list.sort(order);
    list.forEach((chunk, i) => {
      const previous = list[i - 1];
      links.set(chunk, {
        verdict: chainVerdict(chunk, previous),
        previous,
        continuous:
          chunk.window_start === null || previous?.window_end == null
            ? undefined
            : previous.window_end === chunk.window_start,
      });
    });
  }
  return links;
}

function chainVerdict(chunk: ChunkView, previous: ChunkView | undefined): ChainVerdict {
  if (chunk.manifest_sha256 === null) return "open";
  if (chunk.prev_manifest_sha256 === null) return "first";
  if (!previous) return "earlier";
  if (previous.manifest_sha256 === null) return "waiting";
  return chunk.prev_manifest_sha256 === previous.manifest_sha256 ? "links" : "broken";
}

/** How a verdict reads: the message and its colour. */
export const CHAIN_VERDICTS: Record<ChainVerdict, { key: MessageKey; tone: Tone }> = {
  links: { key: "custody.chain.linksTo", tone: "ok" },
  broken: { key: "custody.chain.brokenFrom", tone: "critical" },
  waiting: { key: "custody.chain.waiting", tone: "neutral" },
  earlier: { key: "custody.chain.firstShown", tone: "neutral" },
  first: { key: "custody.chain.agentFirst", tone: "neutral" },
  open: { key: "custody.chain.open", tone: "neutral" },
};

/** The seal verdict as a badge: the agent's signature and the hub's recomputed hash. */
export function sealVerdict(chunk: ChunkView): { tone: Tone; key: MessageKey } {
  if (chunk.status === "verified") return { tone: "ok", key: "custody.seal.verified" };
  if (chunk.status === "failed") return { tone: "critical", key: "custody.seal.failed" };
  return { tone: "neutral", key: "custody.seal.open" };
}

/** The time-stamp verdict as a badge. */
export function timestampVerdict(chunk: ChunkView): { tone: Tone; key: MessageKey } {
  switch (timestampState(chunk)) {
    case "timestamped":
      return { tone: "ok", key: "custody.timestamp.done" };
    case "awaiting":
      return { tone: "warning", key: "custody.timestamp.awaiting" };
    case "failed":
      return { tone: "critical", key: "custody.timestamp.failed" };
    default:
      return { tone: "neutral", key: "custody.timestamp.none" };
  }
}
