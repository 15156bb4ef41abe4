/**
 * `logmaster-hub reindex`: the archive is the truth and the index is
 * disposable. Forget what the index holds of a hotel's chunks (events,
 * leases and sessions they started, gaps, per-minute counts; devices keep their counts, which
 * the same events would only give again), set
 * their watermark to 0, and index them again from the archived records
 * (the stored batches for chunks still open).
 */
import type { HubEvents } from "../events/index.ts";
import { type Db, type RawClient, rawQuery, rawTransaction, writeAudit } from "../store/index.ts";
import type { EventPartitions } from "./partitions.ts";
import type { EventSink } from "./sink.ts";
import { indexAgentStep } from "./step.ts";

export interface ReindexRequest {
  hotelId: string;
  /** Chunks whose hour starts at or after this (default: the first). */
  from?: Date;
  /** Chunks whose hour starts before this (default: all). */
  to?: Date;
  actor: string;
}

export interface ReindexProgress {
  chunks: number;
  bytesTotal: number;
  bytesDone: number;
  events: number;
}

export interface ReindexContext {
  db: Db;
  raw: RawClient;
  events: HubEvents;
  sink: EventSink;
  partitions: EventPartitions;
  maxBytesPerStep: number;
}

/**
 * @example
 * const done = await reindexHotel(context, { hotelId: "grand", actor: "cli:alice" }, (p) => bar.update(p));
 */
export async function reindexHotel(
  context: ReindexContext,
  request: ReindexRequest,
  onProgress: (progress: ReindexProgress) => void = () => {},
): Promise<ReindexProgress> {
  const chunks = await rawQuery<{ id: string | number; agent_id: string; length: string | number }>(
    context.raw,
    `select id, agent_id, length from chunks where hotel_id = $1
       and hour_start >= coalesce($2::text::timestamptz, '-infinity') and hour_start < coalesce($3::text::timestamptz, 'infinity')
     order by agent_id, hour_start, part`,
    [request.hotelId, request.from?.toISOString() ?? null, request.to?.toISOString() ?? null],
  );
  const ids = chunks.map((chunk) => Number(chunk.id));
  const agents = [...new Set(chunks.map((chunk) => chunk.agent_id))];
  const progress: ReindexProgress = {
    chunks: ids.length,
    bytesTotal: chunks.reduce((sum, chunk) => sum + Number(chunk.length), 0),
    bytesDone: 0,
    events: 0,
  };
  onProgress(progress);
  if (ids.length === 0) return progress;
  await rawTransaction(context.raw, async (tx) => {
    // The agents' index locks: no step of theirs runs while their index is taken apart.
    for (const agent of agents) {
      await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 5651))", [agent]);
    }
    await tx.query(`delete from events where ${EVENTS_OF_HOTEL} and chunk_id = any($2::bigint[])`, [
      request.hotelId,
      ids,
    ]);
    for (const table of ["leases", "hotspot_sessions"]) {
      await tx.query(
        `delete from ${table} where hotel_id = $1 and start_chunk_id = any($2::bigint[])`,
        [request.hotelId, ids],
      );
    }
    await tx.query(
      `update leases set ends_at = null, end_chunk_id = null, end_seq = null
        where hotel_id = $1 and end_chunk_id = any($2::bigint[])`,
      [request.hotelId, ids],
    );
    await tx.query(
      `update hotspot_sessions set logout_at = null, logout_reason = null, end_chunk_id = null, end_seq = null
        where hotel_id = $1 and end_chunk_id = any($2::bigint[])`,
      [request.hotelId, ids],
    );
    for (const table of ["record_gaps", "event_minutes"]) {
      await tx.query(`delete from ${table} where hotel_id = $1 and chunk_id = any($2::bigint[])`, [
        request.hotelId,
        ids,
      ]);
    }
    await tx.query("update chunks set indexed_length = 0 where id = any($1::bigint[])", [ids]);
  });
  await context.sink.remove?.({ hotelId: request.hotelId, chunkIds: ids });
  const stepContext = { ...context, fromArchive: true };
  for (const agent of agents) {
    for (;;) {
      const step = await indexAgentStep(stepContext, agent);
      progress.bytesDone += step.bytes;
      progress.events += step.rows.length;
      onProgress(progress);
      if (!step.more) break;
    }
  }
  // The hub's own indexer may have taken some of the reset chunks first (its catch-up scan
  // runs beside this): everything is indexed now either way, so say what the chunks hold.
  progress.bytesDone = progress.bytesTotal;
  if (context.sink.kind === "postgres") {
    const [counted] = await rawQuery<{ n: string | number }>(
      context.raw,
      `select count(*) as n from events where ${EVENTS_OF_HOTEL} and chunk_id = any($2::bigint[])`,
      [request.hotelId, ids],
    );
    progress.events = Number(counted?.n ?? progress.events);
  }
  onProgress(progress);
  context.events.emit({
    name: "ReindexDone",
    hotelId: request.hotelId,
    chunks: ids.length,
    events: progress.events,
    actor: request.actor,
  });
  await writeAudit(context.db, {
    actor: request.actor,
    action: "reindex",
    hotelId: request.hotelId,
    detail: {
      from: request.from?.toISOString() ?? null,
      to: request.to?.toISOString() ?? null,
      chunks: ids.length,
      events: progress.events,
    },
  });
  return progress;
}

/** The events of the hotel in `$1`, through the key the events indexes lead with. */
const EVENTS_OF_HOTEL = "hotel_key = (select key from hotels where id = $1)";
