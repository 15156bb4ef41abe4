/**
 * One step of the index worker for one agent: in one transaction, under a
 * per-agent lock that every hub process shares (a PostgreSQL advisory lock),
 * take the bytes of the agent's chunks past their `indexed_length`, parse
 * each record with the shared parser, write events (the sink), leases,
 * sessions, gaps and devices, and move the watermark. Crash anywhere and the
 * transaction is gone whole: the next step starts at the same byte. Two hubs
 * stepping the same agent take turns; the second finds nothing left.
 */
import { join } from "node:path";
import { chunkId as formatChunkId } from "../../../shared/src/custody/chunk-id.ts";
import { MAX_LINE_BYTES } from "../../../shared/src/custody/records-file.ts";
import { parseSyslog } from "../../../shared/src/syslog/index.ts";
import type { HubEvents } from "../events/index.ts";
import { type Db, type RawClient, type RawTx, rawTransaction } from "../store/index.ts";
import { Derivation } from "./derive.ts";
import { type EventPartitions, utcDay } from "./partitions.ts";
import { readRecords, wholeLinesLength } from "./records.ts";
import { type EventRow, eventRow } from "./rows.ts";
import type { EventSink } from "./sink.ts";

export interface IndexStepContext {
  db: Db;
  raw: RawClient;
  sink: EventSink;
  partitions: EventPartitions;
  events: HubEvents;
  /** At most this many bytes of records.jsonl per step (a step is one transaction). */
  maxBytesPerStep: number;
  /** Read sealed chunks from the archive instead of the stored batches (reindex). */
  fromArchive?: boolean;
  dataDir?: string;
}

/** What a step indexed: the rows (for the live tail) and how far it got. */
export interface IndexStepResult {
  hotelId: string | undefined;
  rows: EventRow[];
  bytes: number;
  /** Bytes of this agent still waiting after the step. */
  more: boolean;
}

interface PendingChunk {
  id: number;
  hotel_id: string;
  hour_start: Date | string;
  part: number;
  length: number;
  indexed_length: number;
  devices_counted_length: number;
  archive_path: string | null;
  status: string;
}

/**
 * Parse whole records.jsonl lines of one chunk into event rows (appended to
 * `rows`) and feed the derivation: the index's one transform, shared by the
 * worker, `reindex` and bench/query.ts.
 *
 * @example
 * const rows: EventRow[] = [];
 * indexRecordBytes(bytes, { hotelId, agentId, chunkId }, new Derivation(hotelId, agentId), rows, warn);
 */
export function indexRecordBytes(
  bytes: Uint8Array,
  chunk: { hotelId: string; agentId: string; chunkId: number; chunk: string },
  derivation: Derivation,
  rows: EventRow[],
  onInvalid: (line: string, reason: string) => void,
  /** Lines ending at or before this byte of `bytes` were counted towards devices before. */
  countedUpTo = 0,
): void {
  for (const record of readRecords(bytes, onInvalid)) {
    if (record.kind === "gap") {
      derivation.addGap(record, chunk.chunkId);
      continue;
    }
    const parsed = parseSyslog(record.bytes ?? record.text, { receivedAt: new Date(record.ts) });
    const row = eventRow(parsed, {
      ...chunk,
      seq: record.seq,
      receivedAt: record.ts,
      deviceIp: record.src,
    });
    derivation.add(
      row,
      {
        hostname: parsed["client.hostname"],
        server: parsed["routeros.dhcp.server"],
        reason: parsed["event.reason"],
      },
      record.endByte > countedUpTo,
    );
    rows.push(row);
  }
}

/** A partition a step needs is missing: made outside the step's transaction, then the step runs again. */
class MissingPartitions extends Error {
  constructor(readonly days: string[]) {
    super(`missing event partitions: ${days.join(", ")}`);
  }
}

/**
 * Bytes `[from, to)` of a chunk's records.jsonl: from the archive (reindex of
 * a sealed chunk), else from the stored batches, read in the step's own
 * transaction (PGlite has one connection: a read beside it would wait for it).
 */
async function chunkBytes(
  context: IndexStepContext,
  tx: RawTx,
  chunk: PendingChunk,
  from: number,
  to: number,
): Promise<Uint8Array> {
  if (context.fromArchive && chunk.archive_path && chunk.status === "verified") {
    const path = join(chunk.archive_path, "records.jsonl");
    return new Uint8Array(await Bun.file(path).slice(from, to).arrayBuffer());
  }
  const out = new Uint8Array(to - from);
  const rows = await tx.query<{ offset: number | string; bytes: Uint8Array }>(
    `select "offset", bytes from chunk_batches
      where chunk_id = $1 and "offset" < $3 and "offset" + length(bytes) > $2 order by "offset"`,
    [chunk.id, from, to],
  );
  for (const row of rows) {
    const offset = Number(row.offset);
    const sliceFrom = Math.max(from, offset);
    const sliceTo = Math.min(to, offset + row.bytes.byteLength);
    out.set(row.bytes.subarray(sliceFrom - offset, sliceTo - offset), sliceFrom - from);
  }
  return out;
}

/** The chunk id of the custody format (`YYYY-MM-DDTHH` or `.N`) of a chunks row. */
export function chunkIdOfRow(row: { hour_start: Date | string; part: number }): string {
  return formatChunkId(new Date(row.hour_start).toISOString(), Number(row.part));
}

/**
 * Index what is waiting for one agent, up to the step's byte budget.
 *
 * @example
 * const { rows, more } = await indexAgentStep(context, "grand-abcd2345");
 */
export async function indexAgentStep(
  context: IndexStepContext,
  agentId: string,
): Promise<IndexStepResult> {
  let retried = false;
  for (;;) {
    try {
      return await rawTransaction(context.raw, (tx) => stepInTransaction(context, tx, agentId));
    } catch (error) {
      if (error instanceof MissingPartitions) {
        await context.partitions.ensure(error.days);
        continue;
      }
      // Retention dropped a day this process thought it had: forget, and make it again.
      if (!retried && /no partition of relation "events"/.test(String(error))) {
        retried = true;
        context.partitions.forgetAll();
        continue;
      }
      throw error;
    }
  }
}

async function stepInTransaction(
  context: IndexStepContext,
  tx: RawTx,
  agentId: string,
): Promise<IndexStepResult> {
  await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 5651))", [agentId]);
  const pending = await tx.query<PendingChunk & Record<string, unknown>>(
    `select id, hotel_id, hour_start, part, length, indexed_length, devices_counted_length, archive_path, status
       from chunks where agent_id = $1 and indexed_length < length
      order by hour_start, part limit 16`,
    [agentId],
  );
  const result: IndexStepResult = { hotelId: undefined, rows: [], bytes: 0, more: false };
  if (pending.length === 0) return result;
  const hotelId = String(pending[0]?.hotel_id);
  result.hotelId = hotelId;
  const derivation = new Derivation(hotelId, agentId);
  let budget = context.maxBytesPerStep;
  const moves: { id: number; from: number; to: number }[] = [];
  for (const chunk of pending) {
    const id = Number(chunk.id);
    const from = Number(chunk.indexed_length);
    const length = Number(chunk.length);
    if (budget <= 0) {
      result.more = true;
      break;
    }
    let to = Math.min(length, from + budget);
    let bytes = await chunkBytes(context, tx, chunk, from, to);
    let whole = wholeLinesLength(bytes);
    if (whole === 0 && to < length) {
      // Less than a line of budget left after earlier chunks: this one waits for the next step.
      if (moves.length > 0) {
        result.more = true;
        break;
      }
      // One line longer than the budget: take it whole (a record line is at most MAX_LINE_BYTES).
      to = Math.min(length, from + MAX_LINE_BYTES + 1);
      bytes = await chunkBytes(context, tx, chunk, from, to);
      whole = wholeLinesLength(bytes);
    }
    // The chunk ends in a line still arriving: its later chunks wait too (seq order).
    if (whole === 0) break;
    budget -= whole;
    if (from + whole < length) result.more = true;
    const chunkName = chunkIdOfRow(chunk);
    indexRecordBytes(
      bytes.subarray(0, whole),
      { hotelId, agentId, chunkId: id, chunk: chunkName },
      derivation,
      result.rows,
      (line, reason) =>
        context.events.emit({
          name: "IndexRecordInvalid",
          hotelId,
          agentId,
          chunk: chunkName,
          reason,
          line: line.slice(0, 200),
        }),
      Math.max(0, Number(chunk.devices_counted_length) - from),
    );
    moves.push({ id, from, to: from + whole });
    result.bytes += whole;
    // Records go in seq order: an unfinished chunk holds back the agent's later chunks.
    if (from + whole < length) break;
  }
  const missing = new Set<string>();
  for (const row of result.rows) {
    const day = utcDay(row.receivedAt);
    if (!context.partitions.has(day)) missing.add(day);
  }
  if (missing.size > 0 && context.sink.kind === "postgres")
    throw new MissingPartitions([...missing]);
  await writeIndexedStep(tx, context.sink, result.rows, derivation, moves);
  return result;
}

/** A part of {@link writeIndexedStep}, for bench/query.ts's timings. */
export type IndexWritePart = "events" | "derived" | "watermark";

/**
 * The writing half of a step, inside its transaction: the events (the sink),
 * the derived 5651 tables, then every chunk's watermark in one statement
 * (one round trip per step, not one per chunk). Each move must find its
 * chunk at `from`: anything else means someone else indexed it, and nothing
 * of the step may stand.
 *
 * @example
 * await writeIndexedStep(tx, postgresEventSink, rows, derivation, [{ id: 7, from: 0, to: 4096 }]);
 */
export async function writeIndexedStep(
  tx: RawTx,
  sink: EventSink,
  rows: readonly EventRow[],
  derivation: Derivation,
  moves: readonly { id: number; from: number; to: number }[],
  onPart?: (part: IndexWritePart) => void,
): Promise<void> {
  await sink.write(tx, rows);
  onPart?.("events");
  await derivation.write(tx);
  onPart?.("derived");
  if (moves.length > 0) {
    const updated = await tx.query(
      `update chunks c set indexed_length = m.to_length,
              devices_counted_length = greatest(c.devices_counted_length, m.to_length)
         from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as m(id, from_length, to_length)
        where c.id = m.id and c.indexed_length = m.from_length
        returning c.id`,
      [moves.map((move) => move.id), moves.map((move) => move.from), moves.map((move) => move.to)],
    );
    // Impossible under the agent lock; if it happens, nothing of this step may stand.
    if (updated.length !== moves.length)
      throw new Error(
        `chunks ${moves.map((move) => move.id).join(", ")}: ${moves.length - updated.length} indexed by someone else`,
      );
  }
  onPart?.("watermark");
}
