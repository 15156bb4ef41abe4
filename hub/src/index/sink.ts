/**
 * Where event rows go: the PostgreSQL `events` table (default, also PGlite),
 * or Elasticsearch when ELASTICSEARCH_URL is set. The derived 5651 tables
 * always live in PostgreSQL, written in the same transaction as the watermark.
 */
import { BinaryCopy, type RawTx } from "../store/index.ts";
import { EVENT_COLUMNS, type EventRow, writeEventRow } from "./rows.ts";
import { RECORDS_PER_TURN, yieldToIo } from "./turns.ts";

export interface EventSink {
  readonly kind: "postgres" | "elasticsearch";
  /**
   * Store rows of one step, inside the step's transaction. A sink outside
   * PostgreSQL must be idempotent (the step may be retried after it wrote).
   */
  write(tx: RawTx, rows: readonly EventRow[]): Promise<void>;
  /**
   * Do the CPU work of writing `rows` ahead, outside the transaction (the
   * pipelined worker makes it while the step before is written): `write`
   * of the same array then uses it.
   */
  prepare?(rows: readonly EventRow[]): Promise<void>;
  /** Remove what `reindex` is about to rebuild. */
  remove?(selection: { hotelId: string; chunkIds: readonly number[] }): Promise<void>;
}

/**
 * The binary COPY of rows in {@link EVENT_COLUMNS} order: what the
 * PostgreSQL sink sends (and bench/query.ts --profile times alone).
 */
export function eventRowsCopy(rows: readonly EventRow[]): Uint8Array {
  const out = copyOf(rows);
  for (const row of rows) writeEventRow(row, out);
  return out.bytes();
}

// About 620 bytes a row on the hotel mix: room for most steps at once.
const copyOf = (rows: readonly EventRow[]) => new BinaryCopy(rows.length * 768);

/**
 * Rows into `events` with binary COPY: measured 5x faster than multi-row
 * INSERT on postgres.js and PGlite alike, and binary 15% cheaper for the
 * server than text (docs/decisions.md "Events: one table partitioned by day,
 * loaded with binary COPY").
 *
 * @example
 * await rawTransaction(store.raw, (tx) => postgresEventSink.write(tx, rows));
 */
export const postgresEventSink: EventSink = {
  kind: "postgres",
  async prepare(rows) {
    if (rows.length === 0) return;
    const out = copyOf(rows);
    for (let i = 0; i < rows.length; i++) {
      writeEventRow(rows[i] as EventRow, out);
      if ((i + 1) % RECORDS_PER_TURN === 0) await yieldToIo();
    }
    prepared.set(rows, out.bytes());
  },
  async write(tx, rows) {
    if (rows.length === 0) return;
    await tx.copyIn("events", EVENT_COLUMNS, prepared.get(rows) ?? eventRowsCopy(rows));
    prepared.delete(rows);
  },
};

/** COPY data made by `prepare`, until its rows are written (or dropped with them). */
const prepared = new WeakMap<readonly EventRow[], Uint8Array>();
