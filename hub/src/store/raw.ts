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
   * `COPY table (columns) FROM STDIN` with rows in PostgreSQL's text format
   * (tab-separated, `\N` for null, escaped with {@link copyText}), UTF-8
   * encoded ({@link CopyBytes}).
   */
  copyIn(table: string, columns: readonly string[], rows: Uint8Array): Promise<void>;
}

/** COPY hangs without an error on some bad rows (postgres.js); this bounds it. */
const COPY_TIMEOUT_MS = 60_000;

/** One value in COPY's text format. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  // Backslash first, then the characters that would end a field or a row.
  return /[\\\t\n\r]/.test(value)
    ? value
        .replaceAll("\\", "\\\\")
        .replaceAll("\t", "\\t")
        .replaceAll("\n", "\\n")
        .replaceAll("\r", "\\r")
    : value;
}

/** A PostgreSQL array literal of text values, for COPY (`{a,"b c"}`). */
export function copyTextArray(values: readonly string[] | undefined): string | null {
  if (!values) return null;
  return `{${values.map((value) => `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

/**
 * COPY rows in pieces of about {@link COPY_PIECE_BYTES}, cut after a row:
 * one multi-megabyte socket write costs Bun's socket a copy of what is left
 * on every partial write (measured: a third of the index step's CPU).
 */
export function* copyPieces(rows: Uint8Array): Generator<Uint8Array> {
  let from = 0;
  while (from < rows.byteLength) {
    const cut = rows.indexOf(0x0a, from + COPY_PIECE_BYTES);
    const to = cut === -1 ? rows.byteLength : cut + 1;
    yield rows.subarray(from, to);
    from = to;
  }
}

const COPY_PIECE_BYTES = 256 * 1024;

/**
 * Rows of COPY text written straight into one growing UTF-8 buffer: no
 * multi-megabyte string to flatten, cut and encode again in pieces.
 *
 * @example
 * const out = new CopyBytes();
 * for (const row of rows) out.push(eventRowToCopy(row));
 * await tx.copyIn("events", EVENT_COLUMNS, out.bytes());
 */
export class CopyBytes {
  #buffer = Buffer.allocUnsafe(1 << 20);
  #length = 0;

  /** Append text (a row with its newline). */
  push(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = text.length * 3;
    if (this.#length + most > this.#buffer.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.byteLength * 2, this.#length + most));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** The bytes so far (a view: valid until the next push). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

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
 *   await tx.copyIn("events", ["hotel_id", "raw"], new TextEncoder().encode("grand\tline\n"));
 *   await tx.query("update chunks set indexed_length = $1 where id = $2", [120, 7]);
 * });
 */
export function rawTransaction<T>(raw: RawClient, work: (tx: RawTx) => Promise<T>): Promise<T> {
  if (raw.kind === "postgres") {
    return raw.sql.begin(async (sql) =>
      work({
        query: async <R extends Row>(text: string, params: readonly unknown[] = []) =>
          (await sql.unsafe(text, params as never[])) as unknown as R[],
        copyIn: async (table, columns, rows) => {
          const writable = await sql
            .unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`)
            .writable();
          await withTimeout(
            pipeline(Readable.from(copyPieces(rows)), writable),
            `COPY into ${table}`,
          );
        },
      }),
    ) as Promise<T>;
  }
  return raw.client.transaction(async (tx) =>
    work({
      query: async <R extends Row>(text: string, params: readonly unknown[] = []) =>
        (await tx.query<R>(text, params as unknown[])).rows,
      copyIn: async (table, columns, rows) => {
        await tx.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], {
          // CopyBytes' buffer is a plain ArrayBuffer (never shared memory).
          blob: new Blob([rows as Uint8Array<ArrayBuffer>]),
        });
      },
    }),
  );
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
