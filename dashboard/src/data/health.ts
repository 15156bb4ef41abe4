/**
 * A hotel's health from what the API gives (agents, the last chunks, a 24 h
 * histogram): its problems, worst first, and the overview's order (hotels
 * with problems first). Pure functions: the overview's tests prove them.
 */
import { DEFAULT_SKEW_THRESHOLD_MS } from "../../../hub/src/report/thresholds.ts";
import type { AgentStatus, ChunkView, HistogramResponse, HotelOverview } from "../api/types.ts";
import type { Tone } from "../components/Badge.tsx";
import type { MessageKey } from "../i18n/index.ts";

/** Clock skew beyond this (hub minus agent, absolute) is flagged: the compliance report's threshold. */
export const SKEW_WARNING_MS = DEFAULT_SKEW_THRESHOLD_MS;
/** An agent's WAL at this share of its cap is flagged: at the cap it refuses new datagrams. */
export const DISK_WARNING_SHARE = 0.8;
/** More unsent than this is flagged: the agent is well behind the hub (~an hour of a busy hotel). */
export const UNSENT_WARNING_BYTES = 64 * 1024 ** 2;

export const isSkewed = (agent: AgentStatus) =>
  agent.last_clock_skew_ms !== null && Math.abs(agent.last_clock_skew_ms) > SKEW_WARNING_MS;

/** The share of its cap the agent's WAL used at its last report; undefined before one. */
export function diskShare(agent: AgentStatus): number | undefined {
  if (agent.disk_used_bytes === null || !agent.disk_max_bytes) return undefined;
  return agent.disk_used_bytes / agent.disk_max_bytes;
}

/** The WAL refuses datagrams (critical: lines are being lost) or is near its cap (warning). */
export function diskTone(agent: AgentStatus): Tone {
  if (agent.wal_refusing) return "critical";
  return (diskShare(agent) ?? 0) >= DISK_WARNING_SHARE ? "warning" : "ok";
}

export const hasUnsentBacklog = (agent: AgentStatus) =>
  (agent.unsent_bytes ?? 0) > UNSENT_WARNING_BYTES;

export interface Problem {
  key: MessageKey;
  tone: "warning" | "critical";
  /** The agent it concerns, if one. */
  agentId?: string;
}

/** What the overview knows of one hotel; `undefined` parts were not asked (the role may not) or failed. */
export interface HotelHealth {
  hotel: HotelOverview;
  agents: AgentStatus[];
  /** The newest sealed chunk; null when none is sealed yet. */
  lastChunk?: ChunkView | null;
  histogram?: HistogramResponse;
  /** A part that failed to load (the row says so; the others still show). */
  errors: unknown[];
}

const AGENT_PROBLEMS: Partial<Record<AgentStatus["state"], Problem["key"]>> = {
  certificate_expired: "problem.certExpired",
  silent: "problem.agentDown",
  never_seen: "problem.agentNever",
  certificate_expiring: "problem.certExpiring",
};
const CRITICAL_STATES = new Set<AgentStatus["state"]>(["certificate_expired", "silent"]);

/** The agents that count: revoked ones are history once another took over. */
export function activeAgents(agents: readonly AgentStatus[]): AgentStatus[] {
  return agents.filter((agent) => agent.state !== "revoked");
}

export const isSealed = (chunk: ChunkView) => chunk.status !== "open";

export type TimestampState = "timestamped" | "awaiting" | "failed" | "none";

/** `timestamped`, `awaiting-timestamp`, `timestamp_failed: <reason>`, `-` (admin/views.ts `timestamp`). */
export function timestampState(chunk: ChunkView): TimestampState {
  if (chunk.timestamp === "timestamped") return "timestamped";
  if (chunk.timestamp.startsWith("timestamp_failed")) return "failed";
  if (chunk.timestamp === "awaiting-timestamp") return "awaiting";
  return "none";
}

/** The hotel's problems, critical first. */
export function problemsOf(health: HotelHealth): Problem[] {
  const problems: Problem[] = [];
  const active = activeAgents(health.agents);
  if (active.length === 0) {
    problems.push({
      key: health.agents.length > 0 ? "problem.agentRevoked" : "problem.noAgent",
      tone: "critical",
    });
  }
  for (const agent of active) {
    const key = AGENT_PROBLEMS[agent.state];
    if (key)
      problems.push({
        key,
        tone: CRITICAL_STATES.has(agent.state) ? "critical" : "warning",
        agentId: agent.id,
      });
    if (isSkewed(agent)) problems.push({ key: "problem.skew", tone: "warning", agentId: agent.id });
    const disk = diskTone(agent);
    if (disk === "critical")
      problems.push({ key: "problem.walRefusing", tone: "critical", agentId: agent.id });
    else if (disk === "warning")
      problems.push({ key: "problem.diskFilling", tone: "warning", agentId: agent.id });
    if (hasUnsentBacklog(agent))
      problems.push({ key: "problem.unsentBacklog", tone: "warning", agentId: agent.id });
  }
  const chunk = health.lastChunk;
  if (chunk?.status === "failed") problems.push({ key: "problem.chunkFailed", tone: "critical" });
  if (chunk && timestampState(chunk) === "failed")
    problems.push({ key: "problem.timestampFailed", tone: "critical" });
  return problems.sort((a, b) => toneRank(b.tone) - toneRank(a.tone));
}

const TONE_RANK: Record<Tone, number> = { critical: 3, warning: 2, neutral: 1, ok: 0 };
export const toneRank = (tone: Tone) => TONE_RANK[tone];

/** The worst tone of a hotel: critical, warning or ok. */
export function toneOf(problems: readonly Problem[]): Tone {
  return problems[0]?.tone ?? "ok";
}

/**
 * The overview's order: critical hotels first, then warnings, then the
 * healthy; within each, more problems first, then by name (Turkish collation).
 */
export function problemsFirst<T extends { health: HotelHealth; problems: Problem[] }>(
  rows: readonly T[],
): T[] {
  const collator = new Intl.Collator("tr");
  return [...rows].sort(
    (a, b) =>
      toneRank(toneOf(b.problems)) - toneRank(toneOf(a.problems)) ||
      b.problems.length - a.problems.length ||
      collator.compare(a.health.hotel.name, b.health.hotel.name),
  );
}

/** The certificate that ends first among the active agents. */
export function firstCertificateEnd(agents: readonly AgentStatus[]): string | undefined {
  return activeAgents(agents)
    .map((agent) => agent.not_after)
    .sort()[0];
}

/** Counts since `sinceMs` (buckets that start at or after it: the hub aligns buckets to the interval). */
export function eventsSince(histogram: HistogramResponse, sinceMs: number): number {
  return histogram.buckets
    .filter((bucket) => Date.parse(bucket.start) >= sinceMs)
    .reduce((sum, bucket) => sum + bucket.count, 0);
}

/**
 * Events per second now: over the last complete bucket and the running one
 * (so a hotel that just started sending does not read 0 for five minutes).
 */
export function currentRate(histogram: HistogramResponse, nowMs: number): number {
  const recent = histogram.buckets.filter(
    (bucket) => Date.parse(bucket.start) + 2 * histogram.interval_ms > nowMs,
  );
  const first = recent[0];
  if (!first) return 0;
  const seconds = (nowMs - Date.parse(first.start)) / 1000;
  const count = recent.reduce((sum, bucket) => sum + bucket.count, 0);
  return seconds > 0 ? count / seconds : 0;
}

/** The buckets summed into `points` equal groups (a readable sparkline), oldest first. */
export function sparklineValues(histogram: HistogramResponse, points: number): number[] {
  const counts = histogram.buckets.map((bucket) => bucket.count);
  if (counts.length <= points) return counts;
  const size = Math.ceil(counts.length / points);
  const values: number[] = [];
  for (let i = 0; i < counts.length; i += size)
    values.push(counts.slice(i, i + size).reduce((sum, count) => sum + count, 0));
  return values;
}
