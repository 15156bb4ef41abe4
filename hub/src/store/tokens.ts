import { eq } from "drizzle-orm";
import { type AgentCertificate, type NewAgent, supersedingColumns } from "./agents.ts";
import type { Db, Tx } from "./db.ts";
import { agents, enrollmentTokens } from "./schema.ts";

export type EnrollmentTokenRow = typeof enrollmentTokens.$inferSelect;

export async function insertEnrollmentToken(
  db: Db,
  token: { id: string; secretSha256: string; hotelId: string; expiresAt: Date },
): Promise<void> {
  await db.insert(enrollmentTokens).values(token);
}

export async function findEnrollmentToken(
  db: Db,
  id: string,
): Promise<EnrollmentTokenRow | undefined> {
  const [row] = await db.select().from(enrollmentTokens).where(eq(enrollmentTokens.id, id));
  return row;
}

/**
 * Spend a token for `agentId` and do `write` in the same transaction. The
 * token row is locked, so of two concurrent uses of one token exactly one
 * gets `true`; a used or unknown token gives `false` and nothing is written.
 */
function spendToken(
  db: Db,
  tokenId: string,
  agentId: string,
  write: (tx: Tx) => Promise<unknown>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [token] = await tx
      .select()
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.id, tokenId))
      .for("update");
    if (!token || token.usedAt) return false;
    await write(tx);
    await tx
      .update(enrollmentTokens)
      .set({ usedAt: new Date(), usedByAgentId: agentId })
      .where(eq(enrollmentTokens.id, tokenId));
    return true;
  });
}

/** Spend a token and register the agent it enrolls, in one transaction. */
export function spendEnrollmentToken(db: Db, tokenId: string, agent: NewAgent): Promise<boolean> {
  return spendToken(db, tokenId, agent.id, (tx) => tx.insert(agents).values(agent));
}

/**
 * Spend a token on re-enrolling an existing agent: its new certificate and the
 * token's use in one transaction. False when the token was used meanwhile.
 *
 * @example
 * if (!(await spendTokenOnReenrollment(db, token.id, agentId, certificate, overlapMs))) throw new TokenError("token_used");
 */
export function spendTokenOnReenrollment(
  db: Db,
  tokenId: string,
  agentId: string,
  certificate: AgentCertificate,
  overlapMs: number,
): Promise<boolean> {
  return spendToken(db, tokenId, agentId, (tx) =>
    tx.update(agents).set(supersedingColumns(certificate, overlapMs)).where(eq(agents.id, agentId)),
  );
}
