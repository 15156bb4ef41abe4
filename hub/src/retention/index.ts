/**
 * Retention: each hotel keeps its sealed chunks `retention_days` (default
 * 730, Law 5651's two years) and then the purge removes them (archive files,
 * batches, chunk rows), unless the hotel is under legal hold. Every purge is
 * audit-logged, per hotel, with the chunks it removed; a dry run is logged
 * too (marked so) and removes nothing.
 */
import { rm } from "node:fs/promises";
import { and, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { chunkId } from "../../../shared/src/custody/index.ts";
import type { HubEvents } from "../events/index.ts";
import type { EventSink } from "../index/sink.ts";
import { type Db, findHotel, type Hotel, tables, writeAudit } from "../store/index.ts";

export interface PurgedHotel {
  hotel_id: string;
  legal_hold: boolean;
  retention_days: number;
  /** `agent/chunk-id` of each chunk removed (or that would be, in a dry run). */
  chunks: string[];
}

export interface PurgeSummary {
  dry_run: boolean;
  hotels: PurgedHotel[];
  chunks_purged: number;
  /** Day partitions of the index that the purge emptied and dropped (`events_YYYYMMDD`). */
  partitions_dropped?: string[];
}

/**
 * Purge every hotel's sealed chunks whose hour ended more than its
 * `retention_days` ago; hotels under legal hold are listed with nothing
 * purged. Open chunks are never purged (they are not evidence yet).
 *
 * @example
 * const summary = await purgeExpiredChunks({ db, events }, { dryRun: true, actor: "cli:alice" });
 */
export async function purgeExpiredChunks(
  context: { db: Db; events: HubEvents; indexedElsewhere?: Pick<EventSink, "remove"> },
  options: { dryRun: boolean; actor: string; now?: Date },
): Promise<PurgeSummary> {
  const { db } = context;
  const now = options.now ?? new Date();
  const {
    chunks,
    chunkBatches,
    hotels,
    events,
    eventMinutes,
    leases,
    hotspotSessions,
    recordGaps,
  } = tables;
  const summary: PurgeSummary = { dry_run: options.dryRun, hotels: [], chunks_purged: 0 };
  for (const hotel of await db.select().from(hotels)) {
    const entry: PurgedHotel = {
      hotel_id: hotel.id,
      legal_hold: hotel.legalHold,
      retention_days: hotel.retentionDays,
      chunks: [],
    };
    if (!hotel.legalHold) {
      // The hour must have *ended* retention_days ago.
      const cutoff = new Date(now.getTime() - hotel.retentionDays * 86_400_000 - 3_600_000);
      const expired = await db
        .select({
          id: chunks.id,
          agentId: chunks.agentId,
          hourStart: chunks.hourStart,
          part: chunks.part,
          archivePath: chunks.archivePath,
        })
        .from(chunks)
        .where(
          and(
            eq(chunks.hotelId, hotel.id),
            isNotNull(chunks.sealedAt),
            lt(chunks.hourStart, cutoff),
          ),
        );
      entry.chunks = expired.map(
        (row) => `${row.agentId}/${chunkId(row.hourStart.toISOString(), row.part)}`,
      );
      if (expired.length > 0 || options.dryRun) {
        await writeAudit(db, {
          actor: options.actor,
          action: "purge",
          hotelId: hotel.id,
          detail: {
            dry_run: options.dryRun,
            retention_days: hotel.retentionDays,
            cutoff: cutoff.toISOString(),
          },
          chunks: entry.chunks,
        });
      }
      if (!options.dryRun && expired.length > 0) {
        const ids = expired.map((row) => row.id);
        const hours = expired.map((row) => row.hourStart.getTime());
        // Records are received within their chunk's hour; a margin for parts and late lines.
        const receivedFrom = new Date(Math.min(...hours) - 3_600_000);
        const receivedTo = new Date(Math.max(...hours) + 2 * 3_600_000);
        await db.transaction(async (tx) => {
          // The index goes with the evidence: what no chunk proves any more is not searchable.
          await tx
            .delete(events)
            .where(
              and(
                eq(events.hotelKey, hotel.key),
                inArray(events.chunkId, ids),
                gte(events.receivedAt, receivedFrom),
                lt(events.receivedAt, receivedTo),
              ),
            );
          for (const table of [leases, hotspotSessions]) {
            await tx.delete(table).where(inArray(table.startChunkId, ids));
          }
          await tx.delete(recordGaps).where(inArray(recordGaps.chunkId, ids));
          await tx.delete(eventMinutes).where(inArray(eventMinutes.chunkId, ids));
          await tx.delete(chunkBatches).where(inArray(chunkBatches.chunkId, ids));
          await tx.delete(chunks).where(inArray(chunks.id, ids));
        });
        // Elasticsearch after PostgreSQL: a crash in between leaves events no chunk proves,
        // which the next purge cannot find; the daily job's next run of `reindex` would.
        await context.indexedElsewhere?.remove?.({ hotelId: hotel.id, chunkIds: ids });
        // Rows first: a crash in between leaves orphan files (found again by nothing,
        // harmless), never a row that points at deleted evidence.
        for (const row of expired) {
          if (row.archivePath) await rm(row.archivePath, { recursive: true, force: true });
        }
      }
    }
    summary.chunks_purged += entry.chunks.length;
    summary.hotels.push(entry);
    context.events.emit({
      name: "ChunksPurged",
      hotelId: hotel.id,
      chunks: entry.chunks.length,
      dryRun: options.dryRun,
    });
  }
  if (!options.dryRun) summary.partitions_dropped = await dropEmptyEventPartitions(db, now);
  return summary;
}

/**
 * Drop the day partitions of `events` older than two days that the purge
 * left empty (every hotel's chunks of that day are gone): their space goes
 * back at once, without waiting for a vacuum.
 */
async function dropEmptyEventPartitions(db: Db, now: Date): Promise<string[]> {
  const before = `events_${new Date(now.getTime() - 2 * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "")}`;
  const result = await db.execute(
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'events'::regclass and c.relname < ${before} order by 1`,
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    name: string;
  }[];
  const dropped: string[] = [];
  for (const { name } of rows) {
    if (!/^events_\d{8}$/.test(name)) continue;
    const probe = await db.execute(sql.raw(`select 1 from ${name} limit 1`));
    const any = (Array.isArray(probe) ? probe : (probe as { rows: unknown[] }).rows).length > 0;
    if (any) continue;
    await db.execute(sql.raw(`drop table if exists ${name}`));
    dropped.push(name);
  }
  return dropped;
}

/**
 * Change a hotel's retention or legal hold (audit-logged).
 *
 * @example
 * await setHotelRetention(db, { hotel: "grand", retentionDays: 1095, legalHold: true, actor: "cli:alice" });
 */
export async function setHotelRetention(
  db: Db,
  input: { hotel: string; retentionDays?: number; legalHold?: boolean; actor: string },
): Promise<Hotel | undefined> {
  const hotel = await findHotel(db, input.hotel);
  if (!hotel) return undefined;
  const change: Partial<Hotel> = {};
  if (input.retentionDays !== undefined) change.retentionDays = input.retentionDays;
  if (input.legalHold !== undefined) change.legalHold = input.legalHold;
  if (Object.keys(change).length === 0) return hotel;
  const [row] = await db
    .update(tables.hotels)
    .set(change)
    .where(eq(tables.hotels.id, hotel.id))
    .returning();
  await writeAudit(db, {
    actor: input.actor,
    action: "hotel_set",
    hotelId: hotel.id,
    detail: {
      before: { retention_days: hotel.retentionDays, legal_hold: hotel.legalHold },
      after: { retention_days: row?.retentionDays, legal_hold: row?.legalHold },
    },
  });
  return row;
}
