import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "./db.ts";
import { type ChunkStatus, chunkBatches, chunks } from "./schema.ts";
import { inHotelScope } from "./scope.ts";

/** Which chunk: the tenant (hotel, agent) always comes from the certificate; hour and part from the URL. */
export interface ChunkKey {
  hotelId: string;
  agentId: string;
  hourStart: Date;
  part: number;
}

function keyMatches(key: ChunkKey) {
  return and(
    eq(chunks.agentId, key.agentId),
    eq(chunks.hourStart, key.hourStart),
    eq(chunks.part, key.part),
  );
}

/**
 * What the hub did with a batch, per docs/agent-hub-protocol.md. `length` is
 * what the hub durably holds after the call: every "accepted" was committed
 * before this value is returned.
 */
export type AppendOutcome =
  | { status: "accepted"; length: number; storedBytes: number }
  | { status: "duplicate"; length: number }
  | { status: "conflict"; length: number; atOffset: number }
  | { status: "gap"; length: number }
  | { status: "sealed"; length: number; chunkStatus: ChunkStatus };

export type ChunkRow = typeof chunks.$inferSelect;

/** Create the chunk row when missing and lock it for the rest of the transaction. */
export async function lockChunk(tx: Tx, key: ChunkKey): Promise<ChunkRow> {
  await tx
    .insert(chunks)
    .values({
      agentId: key.agentId,
      hotelId: key.hotelId,
      hourStart: key.hourStart,
      part: key.part,
    })
    .onConflictDoNothing({ target: [chunks.agentId, chunks.hourStart, chunks.part] });
  // FOR UPDATE: several hub processes may receive batches of the same chunk
  // (an agent reconnecting through the load balancer); one appends at a time.
  const [row] = await tx.select().from(chunks).where(keyMatches(key)).for("update");
  if (!row) {
    throw new Error(`chunk ${key.agentId}@${key.hourStart.toISOString()}#${key.part} vanished`);
  }
  return row;
}

/**
 * The bytes the hub holds in `[from, to)` of a chunk's records.jsonl. Batches
 * never overlap (each starts where the previous one ended), so the range is a
 * concatenation of slices.
 */
export async function readChunkRange(
  db: Db | Tx,
  chunkId: number,
  from: number,
  to: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(Math.max(0, to - from));
  if (out.byteLength === 0) return out;
  const rows = await db
    .select({ offset: chunkBatches.offset, bytes: chunkBatches.bytes })
    .from(chunkBatches)
    .where(
      and(
        eq(chunkBatches.chunkId, chunkId),
        lt(chunkBatches.offset, to),
        // A batch starting before `from` still matters if it reaches past it.
        sql`${chunkBatches.offset} + length(${chunkBatches.bytes}) > ${from}`,
      ),
    )
    .orderBy(asc(chunkBatches.offset));
  for (const row of rows) {
    const sliceFrom = Math.max(from, row.offset);
    const sliceTo = Math.min(to, row.offset + row.bytes.byteLength);
    out.set(row.bytes.subarray(sliceFrom - row.offset, sliceTo - row.offset), sliceFrom - from);
  }
  return out;
}

/**
 * The batches of a chunk in order, a page at a time, so a chunk of a busy hour
 * (gigabytes) is never held in memory whole.
 */
export async function* chunkBatchPieces(
  db: Db | Tx,
  chunkId: number,
  pageSize = 64,
): AsyncGenerator<Uint8Array> {
  let after = -1;
  for (;;) {
    const rows = await db
      .select({ offset: chunkBatches.offset, bytes: chunkBatches.bytes })
      .from(chunkBatches)
      .where(and(eq(chunkBatches.chunkId, chunkId), gt(chunkBatches.offset, after)))
      .orderBy(asc(chunkBatches.offset))
      .limit(pageSize);
    for (const row of rows) yield row.bytes;
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = last.offset;
  }
}

function firstMismatch(held: Uint8Array, incoming: Uint8Array): number {
  for (let i = 0; i < held.byteLength; i++) if (held[i] !== incoming[i]) return i;
  return -1;
}

/**
 * Append a batch that starts at `offset` of the chunk's records.jsonl, with
 * the rules of the protocol: start at the held length -> stored; wholly held
 * and equal -> duplicate; overlapping the end -> the overlap must match and
 * the rest is stored; differing bytes -> conflict (never overwritten); beyond
 * the held length -> gap. One transaction, confined by the database to the
 * key's hotel: the answer's length is durable.
 *
 * @example
 * const outcome = await appendBatch(db, { hotelId, agentId, hourStart, part }, 0, bytes);
 * if (outcome.status === "gap") askForOffset(outcome.length);
 */
export async function appendBatch(
  db: Db,
  key: ChunkKey,
  offset: number,
  bytes: Uint8Array,
): Promise<AppendOutcome> {
  return inHotelScope(db, key.hotelId, async (tx) => {
    const chunk = await lockChunk(tx, key);
    const held = chunk.length;
    if (chunk.status !== "open") {
      return { status: "sealed", length: held, chunkStatus: chunk.status };
    }
    if (offset > held) return { status: "gap", length: held };
    const end = offset + bytes.byteLength;
    const overlapEnd = Math.min(end, held);
    if (overlapEnd > offset) {
      const heldBytes = await readChunkRange(tx, chunk.id, offset, overlapEnd);
      const at = firstMismatch(heldBytes, bytes);
      if (at !== -1) return { status: "conflict", length: held, atOffset: offset + at };
    }
    if (end <= held) return { status: "duplicate", length: held };
    const fresh = bytes.subarray(held - offset);
    await tx.insert(chunkBatches).values({ chunkId: chunk.id, offset: held, bytes: fresh });
    await tx.update(chunks).set({ length: end }).where(eq(chunks.id, chunk.id));
    return { status: "accepted", length: end, storedBytes: fresh.byteLength };
  });
}

/** The chunk of an agent's hour and part, or undefined when the hub has none. */
export async function findChunk(db: Db | Tx, key: ChunkKey): Promise<ChunkRow | undefined> {
  const [row] = await db.select().from(chunks).where(keyMatches(key));
  return row;
}

/**
 * The link target of the hash chain at seal time, when the hub holds it
 * sealed (with a manifest): the agent's chunk whose window ends where
 * `windowStart` begins, i.e. the chunk just before it in receive time. For a
 * part N > 0 the hub's part N - 1 of the same hour is that chunk in a healthy
 * chain, and is taken even when its window does not end there, so that the
 * chain check can name the overlap or the hole.
 */
export async function previousSealedChunk(
  db: Db | Tx,
  key: { agentId: string; hourStart: Date; part: number; windowStart: string },
): Promise<ChunkRow | undefined> {
  const sealed = sql`${chunks.manifest} is not null`;
  if (key.part > 0) {
    const [samehour] = await db
      .select()
      .from(chunks)
      .where(
        and(
          eq(chunks.agentId, key.agentId),
          eq(chunks.hourStart, key.hourStart),
          eq(chunks.part, key.part - 1),
          sealed,
        ),
      );
    if (samehour) return samehour;
  }
  const [row] = await db
    .select()
    .from(chunks)
    .where(and(eq(chunks.agentId, key.agentId), eq(chunks.windowEnd, key.windowStart), sealed))
    .orderBy(desc(chunks.id))
    .limit(1);
  return row;
}

/** Chunks for the API, newest first (admin view: every hotel). */
export async function listChunks(db: Db, limit = 100): Promise<ChunkRow[]> {
  return db
    .select()
    .from(chunks)
    .orderBy(desc(chunks.hourStart), desc(chunks.part), asc(chunks.agentId))
    .limit(limit);
}
