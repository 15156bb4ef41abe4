/**
 * One step of the index worker for one agent: take the bytes of the agent's
 * chunks past their `indexed_length`, parse each record with the shared
 * parser (the plan), then in one transaction, under a per-agent lock that
 * every hub process shares (a PostgreSQL advisory lock), write events (the
 * sink), leases, sessions, gaps and devices, and move the watermark. Crash
 * anywhere and the transaction is gone whole: the next step starts at the
 * same byte. Two hubs stepping the same agent take turns; the second finds
 * nothing left, or finds its plan overtaken and plans again. On PostgreSQL
 * the worker plans the next step while the last one commits.
 */
import { join } from "node:path";
import { chunkId as formatChunkId } from "../../../shared/src/custody/chunk-id.ts";
import { MAX_LINE_BYTES } from "../../../shared/src/custody/records-file.ts";
import { parseSyslog } from "../../../shared/src/syslog/index.ts";
import type { HubEvents } from "../events/index.ts";
import {
  type Db,
  type RawClient,
  type RawTx,
  rawQuery,
  rawTransaction,
  unixMicros,
} from "../store/index.ts";
import { Derivation } from "./derive.ts";
import { DAY_MS, type EventPartitions, utcDay } from "./partitions.ts";
import { readRecords, wholeLinesLength } from "./records.ts";
import { deviceAddress, type EventRow, eventRow } from "./rows.ts";
import type { EventSink } from "./sink.ts";
import { RECORDS_PER_TURN, yieldToIo } from "./turns.ts";

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
  hotel_key: number;
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
 * await indexRecordBytes(bytes, { hotelId, hotelKey, agentId, chunkId, chunk }, new Derivation(hotelId, agentId), rows, warn);
 */
export async function indexRecordBytes(
  bytes: Uint8Array,
  chunk: { hotelId: string; hotelKey: number; agentId: string; chunkId: number; chunk: string },
  derivation: Derivation,
  rows: EventRow[],
  onInvalid: (line: string, reason: string) => void,
  /** Lines ending at or before this byte of `bytes` were counted towards devices before. */
  countedUpTo = 0,
): Promise<void> {
  let sinceYield = 0;
  for (const record of readRecords(bytes, onInvalid)) {
    // Let a step being written meanwhile send its COPY (the socket drains between turns).
    if (++sinceYield === RECORDS_PER_TURN) {
      sinceYield = 0;
      await yieldToIo();
    }
    if (record.kind === "gap") {
      derivation.addGap(record, chunk.chunkId);
      continue;
    }
    const deviceIp = deviceAddress(record.src);
    if (deviceIp === null) {
      // Counted like any record the index cannot read, and left out: the seal refuses its chunk.
      onInvalid(`seq ${record.seq} src ${record.src.slice(0, 100)}`, "src is not an address");
      continue;
    }
    const receivedUs = unixMicros(record.ts);
    if (receivedUs === undefined) {
      onInvalid(`seq ${record.seq} ts ${record.ts.slice(0, 100)}`, "ts is not a time");
      continue;
    }
    const parsed = parseSyslog(record.bytes ?? record.text, {
      receivedAt: new Date(Math.floor(receivedUs / 1000)),
    });
    const row = eventRow(parsed, {
      hotelId: chunk.hotelId,
      hotelKey: chunk.hotelKey,
      agentId: chunk.agentId,
      chunkId: chunk.chunkId,
      chunk: chunk.chunk,
      seq: record.seq,
      receivedAt: record.ts,
      receivedUs,
      deviceIp,
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

/** Something that runs a statement: a transaction, or the raw client outside one. */
type Queryable = Pick<RawTx, "query">;

/**
 * The step's watermark moves did not find their chunks where the step began:
 * another hub process indexed them first. Nothing of the step stands; the
 * pipelined loop plans again from what is committed.
 */
export class StepOvertaken extends Error {
  constructor(ids: readonly number[], missed: number) {
    super(`chunks ${ids.join(", ")}: ${missed} indexed by someone else`);
  }
}

/**
 * Bytes `[from, to)` of a chunk's records.jsonl: from the archive (reindex of
 * a sealed chunk), else from the stored batches. Stored batches never change
 * once committed, so this may run inside the step's transaction (PGlite has
 * one connection: a read beside it would wait for it) or outside it (the
 * pipelined loop reads the next step while the last one commits).
 */
async function chunkBytes(
  context: IndexStepContext,
  q: Queryable,
  chunk: PendingChunk,
  from: number,
  to: number,
): Promise<Uint8Array> {
  if (context.fromArchive && chunk.archive_path && chunk.status === "verified") {
    const path = join(chunk.archive_path, "records.jsonl");
    return new Uint8Array(await Bun.file(path).slice(from, to).arrayBuffer());
  }
  const out = new Uint8Array(to - from);
  const rows = await q.query<{ offset: number | string; bytes: Uint8Array }>(
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

/** A step read and parsed, not yet written: what {@link writePlannedStep} commits. */
export interface PlannedStep extends IndexStepResult {
  derivation: Derivation | undefined;
  moves: { id: number; from: number; to: number }[];
  /** Lines that are not custody records: reported once the step is written (a plan may be dropped). */
  invalid: { chunk: string; reason: string; line: string }[];
}

/**
 * Read and parse what is waiting for one agent, up to the step's byte budget.
 * `after`: where a step still being written leaves its chunks (chunk id ->
 * byte), so the next step can be planned while that one commits.
 */
async function planStep(
  context: IndexStepContext,
  q: Queryable,
  agentId: string,
  after?: ReadonlyMap<number, number>,
): Promise<PlannedStep> {
  const planned: PlannedStep = {
    hotelId: undefined,
    rows: [],
    bytes: 0,
    more: false,
    derivation: undefined,
    moves: [],
    invalid: [],
  };
  // A step holds at most 16 chunks; past the ones a step in flight finishes, 16 more.
  const pending = await q.query<PendingChunk & Record<string, unknown>>(
    `select c.id, c.hotel_id, h.key as hotel_key, c.hour_start, c.part, c.length, c.indexed_length,
            c.devices_counted_length, c.archive_path, c.status
       from chunks c join hotels h on h.id = c.hotel_id
      where c.agent_id = $1 and c.indexed_length < c.length
      order by c.hour_start, c.part limit $2`,
    [agentId, 16 + (after?.size ?? 0)],
  );
  let budget = context.maxBytesPerStep;
  let taken = 0;
  for (const chunk of pending) {
    const id = Number(chunk.id);
    const from = Math.max(Number(chunk.indexed_length), after?.get(id) ?? 0);
    const length = Number(chunk.length);
    if (from >= length) continue;
    if (budget <= 0 || taken === 16) {
      planned.more = true;
      break;
    }
    const hotelId = String(chunk.hotel_id);
    planned.hotelId ??= hotelId;
    planned.derivation ??= new Derivation(hotelId, agentId);
    let to = Math.min(length, from + budget);
    let bytes = await chunkBytes(context, q, chunk, from, to);
    let whole = wholeLinesLength(bytes);
    if (whole === 0 && to < length) {
      // Less than a line of budget left after earlier chunks: this one waits for the next step.
      if (planned.moves.length > 0) {
        planned.more = true;
        break;
      }
      // One line longer than the budget: take it whole (a record line is at most MAX_LINE_BYTES).
      to = Math.min(length, from + MAX_LINE_BYTES + 1);
      bytes = await chunkBytes(context, q, chunk, from, to);
      whole = wholeLinesLength(bytes);
    }
    // The chunk ends in a line still arriving: its later chunks wait too (seq order).
    if (whole === 0) break;
    budget -= whole;
    taken++;
    if (from + whole < length) planned.more = true;
    const chunkName = chunkIdOfRow(chunk);
    await indexRecordBytes(
      bytes.subarray(0, whole),
      { hotelId, hotelKey: Number(chunk.hotel_key), agentId, chunkId: id, chunk: chunkName },
      planned.derivation,
      planned.rows,
      (line, reason) =>
        planned.invalid.push({ chunk: chunkName, reason, line: line.slice(0, 200) }),
      Math.max(0, Number(chunk.devices_counted_length) - from),
    );
    planned.moves.push({ id, from, to: from + whole });
    planned.bytes += whole;
    // Records go in seq order: an unfinished chunk holds back the agent's later chunks.
    if (from + whole < length) break;
  }
  // The sink's share of the work done with the plan, so the step's transaction only sends.
  await context.sink.prepare?.(planned.rows);
  return planned;
}

/** The days of a plan's rows that have no partition yet (this process's view). */
export function missingDays(context: IndexStepContext, rows: readonly EventRow[]): string[] {
  if (context.sink.kind !== "postgres") return [];
  const missing = new Set<string>();
  let lastDay = Number.NaN;
  for (const row of rows) {
    // Rows come in time order: most fall on the day of the row before.
    const dayNumber = Math.floor(row.receivedUs / DAY_US);
    if (dayNumber === lastDay) continue;
    lastDay = dayNumber;
    const day = utcDay(dayNumber * DAY_MS);
    if (!context.partitions.has(day)) missing.add(day);
  }
  return [...missing];
}

const DAY_US = DAY_MS * 1000;

/** Report a written step's invalid lines (the event table counts them). */
function reportInvalid(context: IndexStepContext, agentId: string, planned: PlannedStep): void {
  for (const bad of planned.invalid)
    context.events.emit({
      name: "IndexRecordInvalid",
      hotelId: planned.hotelId ?? "",
      agentId,
      chunk: bad.chunk,
      reason: bad.reason,
      line: bad.line,
    });
}

/**
 * Run `work` (a step's transaction) until the partitions it needs exist:
 * missing ones are made outside the transaction (making one locks the parent
 * table), and a day retention dropped under this process is made again once.
 */
async function withPartitions<T>(context: IndexStepContext, work: () => Promise<T>): Promise<T> {
  let retried = false;
  for (;;) {
    try {
      return await work();
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

/** The step's writes in one transaction under the agent's lock (`plan`: read in it too). */
async function stepTransaction(
  context: IndexStepContext,
  agentId: string,
  plan: (tx: RawTx) => Promise<PlannedStep>,
): Promise<PlannedStep> {
  const planned = await withPartitions(context, () =>
    rawTransaction(context.raw, async (tx) => {
      await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 5651))", [agentId]);
      const step = await plan(tx);
      const missing = missingDays(context, step.rows);
      if (missing.length > 0) throw new MissingPartitions(missing);
      if (step.derivation)
        await writeIndexedStep(tx, context.sink, step.rows, step.derivation, step.moves);
      return step;
    }),
  );
  reportInvalid(context, agentId, planned);
  return planned;
}

/**
 * Index what is waiting for one agent, up to the step's byte budget: read,
 * parse and write in one transaction under the agent's lock.
 *
 * @example
 * const { rows, more } = await indexAgentStep(context, "grand-abcd2345");
 */
export async function indexAgentStep(
  context: IndexStepContext,
  agentId: string,
): Promise<IndexStepResult> {
  return stepResult(
    await stepTransaction(context, agentId, (tx) => planStep(context, tx, agentId)),
  );
}

/** A partition a step needs is missing: made outside the step's transaction, then the step runs again. */
class MissingPartitions extends Error {
  constructor(readonly days: string[]) {
    super(`missing event partitions: ${days.join(", ")}`);
  }
}

const stepResult = (planned: PlannedStep): IndexStepResult => ({
  hotelId: planned.hotelId,
  rows: planned.rows,
  bytes: planned.bytes,
  more: planned.more,
});

/**
 * Step one agent until nothing is left, reading and parsing the next step
 * while the last one commits (PostgreSQL: the parse on this process's core,
 * the COPY on the server's, side by side). The plan is made outside the
 * agent's lock from where the step in flight leaves its chunks; the write
 * checks every chunk is still where the plan began, so a plan overtaken by
 * another hub is dropped and made again, never written twice. PGlite has one
 * connection: it steps one transaction at a time ({@link indexAgentStep}).
 *
 * @example
 * await indexAgentSteps(context, agentId, async (step) => tail.publish(step.hotelId, step.rows), () => stopping);
 */
export async function indexAgentSteps(
  context: IndexStepContext,
  agentId: string,
  onStep: (step: IndexStepResult, ms: number) => Promise<void>,
  stopping: () => boolean,
): Promise<void> {
  if (context.raw.kind !== "postgres") {
    for (;;) {
      const started = performance.now();
      const step = await indexAgentStep(context, agentId);
      await onStep(step, performance.now() - started);
      if (!step.more || stopping()) return;
    }
  }
  const raw = context.raw;
  const outside: Queryable = { query: (text, params) => rawQuery(raw, text, params) };
  let started = performance.now();
  let planned = await planStep(context, outside, agentId);
  for (;;) {
    // Nothing waiting (or what was planned is done): no transaction to open.
    if (planned.moves.length === 0) return;
    const plan = planned;
    const writing = stepTransaction(context, agentId, async () => plan);
    const after = new Map(planned.moves.map((move) => [move.id, move.to]));
    const next =
      planned.more && !stopping() ? planStep(context, outside, agentId, after) : undefined;
    try {
      await writing;
    } catch (error) {
      await next?.catch(() => undefined);
      if (!(error instanceof StepOvertaken)) throw error;
      started = performance.now();
      planned = await planStep(context, outside, agentId);
      continue;
    }
    await onStep(stepResult(planned), performance.now() - started);
    if (!next) return;
    started = performance.now();
    planned = await next;
  }
}

/** A part of {@link writeIndexedStep}, for bench/query.ts's timings. */
export type IndexWritePart = "events" | "derived";

/** Moves each chunk's watermark from `from` to `to`; the ids it moved come back. */
const MOVE_WATERMARKS = `update chunks c set indexed_length = m.to_length,
        devices_counted_length = greatest(c.devices_counted_length, m.to_length)
   from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as m(id, from_length, to_length)
  where c.id = m.id and c.indexed_length = m.from_length
  returning c.id`;

/**
 * The writing half of a step, inside its transaction: the events (the sink),
 * then the derived 5651 tables and every chunk's watermark, sent together
 * (one round trip for all of them, not one per table or chunk). Each move
 * must find its chunk at `from`: anything else means someone else indexed
 * it first ({@link StepOvertaken}), and nothing of the step may stand.
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
  // The watermark last: its update locks the chunk rows, and ingest appending
  // to the open chunk must not wait behind this step's COPY for that lock.
  const statements = derivation.statements();
  if (moves.length > 0)
    statements.push({
      text: MOVE_WATERMARKS,
      params: [moves.map((m) => m.id), moves.map((m) => m.from), moves.map((m) => m.to)],
    });
  const results = await tx.batch(statements);
  onPart?.("derived");
  const moved = moves.length > 0 ? (results.at(-1)?.length ?? 0) : 0;
  // Under the agent's lock only a step planned outside it can miss: nothing of it may stand.
  if (moved !== moves.length)
    throw new StepOvertaken(
      moves.map((move) => move.id),
      moves.length - moved,
    );
}
