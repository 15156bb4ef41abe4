import { and, count, eq, inArray, lte, min, sql } from "drizzle-orm";
import type { ChunkRow } from "./chunks.ts";
import type { Db } from "./db.ts";
import { chunks } from "./schema.ts";

const unstamped = inArray(chunks.timestampStatus, ["awaiting", "failed"]);

/**
 * Claim up to `limit` chunks whose time-stamp is due, for this worker alone:
 * `FOR UPDATE SKIP LOCKED` lets several hub processes claim side by side
 * without waiting on each other, and the claim pushes `timestamp_due_at` out
 * by `leaseMs` before it commits, so no other hub takes the same chunk while
 * this one talks to the TSA (a double stamp costs Kamu SM credit). A hub that
 * dies mid-attempt leaves the chunk to be claimed again when the lease ends.
 *
 * @example
 * const claimed = await claimDueChunks(db, { limit: 8, leaseMs: 60_000 });
 */
export async function claimDueChunks(
  db: Db,
  options: { limit: number; leaseMs: number; now?: Date },
): Promise<ChunkRow[]> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: chunks.id })
      .from(chunks)
      .where(and(unstamped, lte(chunks.timestampDueAt, now)))
      .orderBy(chunks.timestampDueAt)
      .limit(options.limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(chunks)
      .set({
        timestampDueAt: new Date(now.getTime() + options.leaseMs),
        timestampAttempts: sql`${chunks.timestampAttempts} + 1`,
      })
      .where(
        inArray(
          chunks.id,
          due.map((row) => row.id),
        ),
      )
      .returning();
  });
}

/** What a granted, verified time-stamp leaves in the chunk row. */
export interface TimestampFacts {
  genTime: Date;
  serial: string;
  policy: string;
  tsaName: string | undefined;
}

export async function recordTimestampGranted(
  db: Db,
  chunkId: number,
  facts: TimestampFacts,
): Promise<void> {
  await db
    .update(chunks)
    .set({
      timestampStatus: "timestamped",
      timestampError: null,
      timestampDueAt: null,
      timestampGenTime: facts.genTime,
      timestampSerial: facts.serial,
      timestampPolicy: facts.policy,
      timestampTsaName: facts.tsaName ?? null,
    })
    .where(eq(chunks.id, chunkId));
}

/** A failed attempt: `awaiting` (transient) or `failed` (permanent), retried at `dueAt`. */
export async function recordTimestampAttemptFailed(
  db: Db,
  chunkId: number,
  outcome: { status: "awaiting" | "failed"; error: string; dueAt: Date },
): Promise<void> {
  await db
    .update(chunks)
    .set({
      timestampStatus: outcome.status,
      timestampError: outcome.error,
      timestampDueAt: outcome.dueAt,
    })
    .where(and(eq(chunks.id, chunkId), unstamped));
}

/** How many verified chunks have no time-stamp yet, and since when the oldest waits. */
export async function timestampBacklog(
  db: Db,
): Promise<{ chunks: number; oldestSealedAt: Date | undefined }> {
  const [row] = await db
    .select({ chunks: count(), oldest: min(chunks.sealedAt) })
    .from(chunks)
    .where(unstamped);
  return { chunks: row?.chunks ?? 0, oldestSealedAt: row?.oldest ?? undefined };
}
