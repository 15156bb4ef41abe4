/**
 * Hand-written SQL on either driver, for the read side and the bulk loader:
 * one small surface (`query`, `copyIn`) that postgres.js and PGlite both
 * implement, so the index worker and the query engine never ask which one
 * runs. Values come back as the drivers give them: bigint columns may be a
 * string (postgres.js) or a bigint (PGlite); callers convert with Number().
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { RawClient } from "./db.ts";

export type Row = Record<string, unknown>;

export interface RawTx {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * `COPY table (columns) FROM STDIN` of rows in PostgreSQL's binary format
   * ({@link BinaryCopy}).
   */
  copyIn(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
  /**
   * Statements run in the order given, sent together where the driver can
   * (postgres.js pipelines them: one round trip for all; PGlite runs them one
   * by one): for a step's small writes that need no answer before the next.
   * Each statement's rows, in order; the first failure rejects.
   */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
}

/** One statement of {@link RawTx.batch}. */
export interface Statement {
  text: string;
  params: readonly unknown[];
}

/** COPY hangs without an error on some bad rows (postgres.js); this bounds it. */
const COPY_TIMEOUT_MS = 60_000;

/**
 * COPY data in pieces of {@link COPY_PIECE_BYTES}: one multi-megabyte socket
 * write costs Bun's socket a copy of what is left on every partial write
 * (measured: a third of the index step's CPU). Binary COPY rows may span
 * pieces: the server reads the pieces as one stream.
 */
export function* copyPieces(data: Uint8Array): Generator<Uint8Array> {
  for (let from = 0; from < data.byteLength; from += COPY_PIECE_BYTES)
    yield data.subarray(from, Math.min(data.byteLength, from + COPY_PIECE_BYTES));
}

const COPY_PIECE_BYTES = 256 * 1024;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took over ${COPY_TIMEOUT_MS} ms`)),
      COPY_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Run `work` in one transaction of the raw client.
 *
 * @example
 * await rawTransaction(store.raw, async (tx) => {
 *   await tx.copyIn("events", EVENT_COLUMNS, eventRowsCopy(rows));
 *   await tx.query("update chunks set indexed_length = $1 where id = $2", [120, 7]);
 * });
 */
export function rawTransaction<T>(raw: RawClient, work: (tx: RawTx) => Promise<T>): Promise<T> {
  if (raw.kind === "postgres") {
    return raw.sql.begin(async (sql) =>
      work({
        query: async <R extends Row>(text: string, params: readonly unknown[] = []) =>
          (await sql.unsafe(text, params as never[])) as unknown as R[],
        // Issued without waiting: the connection sends them back to back, the server runs them in order.
        batch: (statements) =>
          Promise.all(
            statements.map(
              async ({ text, params }) =>
                (await sql.unsafe(text, params as never[])) as unknown as Row[],
            ),
          ),
        copyIn: async (table, columns, data) => {
          const writable = await sql
            .unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN (FORMAT binary)`)
            .writable();
          await withTimeout(
            pipeline(Readable.from(copyPieces(data)), writable),
            `COPY into ${table}`,
          );
        },
      }),
    ) as Promise<T>;
  }
  return raw.client.transaction(async (tx) => {
    const query = async <R extends Row>(text: string, params: readonly unknown[] = []) =>
      (await tx.query<R>(text, params as unknown[])).rows;
    return work({
      query,
      batch: async (statements) => {
        const results: Row[][] = [];
        for (const { text, params } of statements) results.push(await query(text, params));
        return results;
      },
      copyIn: async (table, columns, data) => {
        await tx.query(
          `COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' (FORMAT binary)`,
          [],
          {
            // BinaryCopy's buffer is a plain ArrayBuffer (never shared memory).
            blob: new Blob([data as Uint8Array<ArrayBuffer>]),
          },
        );
      },
    });
  });
}

/**
 * One statement outside a transaction.
 *
 * @example
 * const [row] = await rawQuery(store.raw, "select count(*)::int as n from events");
 */
export async function rawQuery<T extends Row = Row>(
  raw: RawClient,
  text: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  if (raw.kind === "postgres")
    return (await raw.sql.unsafe(text, params as never[])) as unknown as T[];
  return (await raw.client.query<T>(text, params as unknown[])).rows;
}
