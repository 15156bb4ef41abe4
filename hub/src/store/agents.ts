import { asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { agents, chunks } from "./schema.ts";
import { inHotelScope } from "./scope.ts";

export type Agent = typeof agents.$inferSelect;
export type NewAgent = typeof agents.$inferInsert;

/** An agent's current certificate, as written at enrollment and at renewal. */
export interface AgentCertificate {
  certSerial: string;
  certSha256: string;
  certPem: string;
  notAfter: Date;
}

export async function updateAgentCertificate(
  db: Db,
  agentId: string,
  certificate: AgentCertificate,
  overlapMs: number,
): Promise<void> {
  await db
    .update(agents)
    .set(supersedingColumns(certificate, overlapMs))
    .where(eq(agents.id, agentId));
}

/**
 * The columns that make `certificate` the agent's current one and keep the
 * one it replaces valid for `overlapMs` more (read in the same UPDATE, so the
 * previous certificate is the one the row held, whatever the caller thought).
 */
export function supersedingColumns(certificate: AgentCertificate, overlapMs: number) {
  return {
    ...certificate,
    previousCertSha256: sql`${agents.certSha256}`,
    previousCertUntil: sql`now() + make_interval(secs => ${overlapMs / 1000})`,
  };
}

/**
 * Mark the agent seen and tell whether it may act: one round trip per request,
 * because revocation must bite at once, on every hub process.
 * Returns undefined for an agent the hub does not know.
 */
export async function touchAgent(
  db: Db,
  agentId: string,
): Promise<
  | {
      revokedAt: Date | null;
      hotelId: string;
      certSha256: string;
      /** The certificate a renewal replaced, while its overlap lasts (else null). */
      previousCertSha256: string | null;
    }
  | undefined
> {
  const [row] = await db
    .update(agents)
    .set({ lastSeenAt: sql`now()` })
    .where(eq(agents.id, agentId))
    .returning({
      revokedAt: agents.revokedAt,
      hotelId: agents.hotelId,
      certSha256: agents.certSha256,
      previousCertSha256: sql<
        string | null
      >`case when ${agents.previousCertUntil} > now() then ${agents.previousCertSha256} end`,
    });
  return row;
}

/** What an agent reported with its last batch or seal: its clock and its counters. */
export async function recordAgentReport(
  db: Db,
  agent: { hotelId: string; agentId: string },
  report: { agentTime?: Date; clockSkewMs?: number; stats?: unknown },
): Promise<void> {
  const update: Partial<NewAgent> = {};
  if (report.agentTime) update.lastAgentTime = report.agentTime;
  if (report.clockSkewMs !== undefined) update.lastClockSkewMs = report.clockSkewMs;
  if (report.stats !== undefined) update.lastStats = report.stats;
  if (Object.keys(update).length === 0) return;
  await inHotelScope(db, agent.hotelId, (tx) =>
    tx.update(agents).set(update).where(eq(agents.id, agent.agentId)),
  );
}

/** One agent's row, or undefined. */
export async function findAgent(db: Db, agentId: string): Promise<Agent | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.id, agentId));
  return row;
}

/** What a chain admin watches about the enrolled (not revoked) agents. */
export interface AgentFleetHealth {
  agents: number;
  /** Certificates that end within `expiringWithinMs` (or have ended): they should have renewed. */
  certificatesExpiring: number;
  /** Agents not heard from for `silentAfterMs` (or never). */
  silent: number;
}

/** When an agent counts as silent and its certificate as expiring: /metrics and the API's agent status agree. */
export const AGENT_HEALTH_LIMITS = {
  expiringWithinMs: 30 * 86_400_000,
  silentAfterMs: 15 * 60_000,
} as const;

/** One agent's health, worst first; the same rules as {@link agentFleetHealth} counts by. */
export const AGENT_STATES = [
  "revoked",
  "certificate_expired",
  "never_seen",
  "silent",
  "certificate_expiring",
  "ok",
] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * @example
 * agentState(agent, AGENT_HEALTH_LIMITS); // "silent"
 */
export function agentState(
  agent: Pick<Agent, "revokedAt" | "notAfter" | "lastSeenAt">,
  limits: { expiringWithinMs: number; silentAfterMs: number; nowMs?: number },
): AgentState {
  const nowMs = limits.nowMs ?? Date.now();
  if (agent.revokedAt) return "revoked";
  if (agent.notAfter.getTime() <= nowMs) return "certificate_expired";
  if (!agent.lastSeenAt) return "never_seen";
  if (agent.lastSeenAt.getTime() < nowMs - limits.silentAfterMs) return "silent";
  if (agent.notAfter.getTime() < nowMs + limits.expiringWithinMs) return "certificate_expiring";
  return "ok";
}

/**
 * The fleet's health in one query (for /metrics, at each scrape).
 *
 * @example
 * const health = await agentFleetHealth(db, { expiringWithinMs: 30 * DAY_MS, silentAfterMs: 15 * 60_000 });
 */
export async function agentFleetHealth(
  db: Db,
  limits: { expiringWithinMs: number; silentAfterMs: number; nowMs?: number },
): Promise<AgentFleetHealth> {
  const nowMs = limits.nowMs ?? Date.now();
  // As text: postgres.js does not serialise a Date inside a raw sql fragment.
  const expiringBefore = new Date(nowMs + limits.expiringWithinMs).toISOString();
  const silentBefore = new Date(nowMs - limits.silentAfterMs).toISOString();
  const [row] = await db
    .select({
      agents: sql<number>`count(*)::int`,
      certificatesExpiring: sql<number>`count(*) filter (where ${agents.notAfter} < ${expiringBefore}::timestamptz)::int`,
      silent: sql<number>`count(*) filter (where ${agents.lastSeenAt} is null or ${agents.lastSeenAt} < ${silentBefore}::timestamptz)::int`,
    })
    .from(agents)
    .where(isNull(agents.revokedAt));
  return row ?? { agents: 0, certificatesExpiring: 0, silent: 0 };
}

export async function listAgents(db: Db): Promise<Agent[]> {
  return db.select().from(agents).orderBy(asc(agents.hotelId), asc(agents.id));
}

/**
 * Revoke an agent: every later request with any of its certificates gets 403.
 * Revoking twice keeps the first time. Returns undefined for an unknown id.
 *
 * @example
 * await revokeAgent(db, "grand-hotel-abcd2345");
 */
export async function revokeAgent(db: Db, agentId: string): Promise<Agent | undefined> {
  const [row] = await db
    .update(agents)
    .set({ revokedAt: sql`coalesce(${agents.revokedAt}, now())` })
    .where(eq(agents.id, agentId))
    .returning();
  return row;
}

/**
 * Every certificate of every revoked agent, with the agent's revocation
 * time: its current certificate and each one its chunks were signed with
 * (an agent renews; a revocation covers all of its certificates).
 *
 * @example
 * const revoked = await revokedAgentCertificates(db); // [{ certPem, revokedAt }]
 */
export async function revokedAgentCertificates(
  db: Db,
): Promise<{ certPem: string; revokedAt: Date }[]> {
  const rows = await db
    .selectDistinct({
      certPem: agents.certPem,
      chunkCertPem: chunks.agentCertPem,
      revokedAt: agents.revokedAt,
    })
    .from(agents)
    .leftJoin(chunks, eq(chunks.agentId, agents.id))
    .where(isNotNull(agents.revokedAt));
  const out = new Map<string, { certPem: string; revokedAt: Date }>();
  for (const row of rows) {
    if (!row.revokedAt) continue;
    for (const certPem of [row.certPem, row.chunkCertPem]) {
      if (certPem) out.set(certPem, { certPem, revokedAt: row.revokedAt });
    }
  }
  return [...out.values()];
}
