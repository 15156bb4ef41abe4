/**
 * The hotel scope of a read: taken once from the caller's identity (the
 * admin credential: every hotel; a user: their hotels) and passed to every
 * query below. There is no unscoped call: an empty scope is refused here,
 * and the database holds the query to the same hotels again (the read role's
 * row-level security, hub/drizzle/0003_index_tables.sql).
 */
import { inArray, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { type Db, type RawClient, type RawTx, rawTransaction } from "../store/index.ts";

declare const scopeBrand: unique symbol;

/** The hotels a caller may read; make one with {@link readScope}. */
export interface ReadScope {
  readonly hotels: readonly string[];
  readonly [scopeBrand]: true;
}

/** A query asked for hotels outside the caller's scope, or for none. */
export class ScopeError extends Error {
  override readonly name = "ScopeError";
}

const HOTEL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The scope of a caller.
 *
 * @example
 * const scope = readScope(["antalya-lara"]);
 */
export function readScope(hotels: readonly string[]): ReadScope {
  if (hotels.length === 0) throw new ScopeError("a read needs at least one hotel in scope");
  for (const hotel of hotels) {
    if (!HOTEL_ID.test(hotel)) throw new ScopeError(`not a hotel id: ${JSON.stringify(hotel)}`);
  }
  return { hotels: [...new Set(hotels)] } as unknown as ReadScope;
}

/**
 * The hotels a query reads: the caller's scope, narrowed to `asked` when given.
 * Asking for a hotel outside the scope is refused, not silently dropped.
 */
export function narrowScope(scope: ReadScope, asked: readonly string[] | undefined): string[] {
  if (!asked || asked.length === 0) return [...scope.hotels];
  const outside = asked.filter((hotel) => !scope.hotels.includes(hotel));
  if (outside.length > 0)
    throw new ScopeError(`no such hotel, or not in your scope: ${outside.join(", ")}`);
  return [...new Set(asked)];
}

/** The read role (hub/drizzle/0003_index_tables.sql) and the setting its row-level security reads. */
const READ_ROLE = "logmaster_reader";
const readHotelsSetting = (scope: ReadScope) => `{${scope.hotels.join(",")}}`;

/**
 * The settings of a read transaction: the scope, the read role, and no JIT
 * compilation. The planner compiles a statement whose estimated cost passes
 * `jit_above_cost`, each partition's expressions apart: a 30-day count of
 * one hotel's `dataset` over 2M events spent 612 ms compiling 376 functions
 * and took 850-870 ms against 546-572 ms with JIT off (docs/decisions.md,
 * "Event indexes"). The reads here are index-bounded and short; none runs
 * long enough to win the compile back.
 */
const READ_SETTINGS =
  "select set_config('logmaster.read_hotels', $1, true), set_config('role', $2, true), set_config('jit', 'off', true)";

/**
 * Run `work` as the read role, confined by PostgreSQL to the scope's hotels.
 *
 * @example
 * const rows = await inReadScope(raw, scope, (tx) => tx.query("select count(*) from events"));
 */
export function inReadScope<T>(
  raw: RawClient,
  scope: ReadScope,
  work: (tx: RawTx) => Promise<T>,
): Promise<T> {
  if (scope.hotels.length === 0) throw new ScopeError("a read needs at least one hotel in scope");
  return rawTransaction(raw, async (tx) => {
    await tx.query(READ_SETTINGS, [readHotelsSetting(scope), READ_ROLE]);
    return work(tx);
  });
}

/**
 * The same for drizzle reads of the hub's own tables (hotels, agents,
 * chunks, the audit log): one transaction as the read role, which may read
 * their rows of the scope's hotels and nothing else (no writes; no audit row
 * about no hotel).
 *
 * @example
 * const rows = await inReadRole(db, scope, (tx) => tx.select().from(agents));
 */
export function inReadRole<T>(db: Db, scope: ReadScope, work: (tx: Db) => Promise<T>): Promise<T> {
  if (scope.hotels.length === 0) throw new ScopeError("a read needs at least one hotel in scope");
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('logmaster.read_hotels', ${readHotelsSetting(scope)}, true), set_config('role', ${READ_ROLE}, true), set_config('jit', 'off', true)`,
    );
    return work(tx);
  });
}

/**
 * Reads of a caller's scope as the read role; without a scope, hub-wide work
 * (the CLI on its own data dir, the workers) as the hub's own user.
 *
 * @example
 * const hotel = await scopedRead(db, request.scope, (tx) => findHotelIn(tx, "grand", request.scope));
 */
export function scopedRead<T>(
  db: Db,
  scope: ReadScope | undefined,
  work: (tx: Db) => Promise<T>,
): Promise<T> {
  return scope ? inReadRole(db, scope, work) : work(db);
}

/**
 * Test-only: the isolation suite switches the code's hotel condition off to
 * prove that the database alone (the read role's row-level security) still
 * holds every query to its scope. Never switched off outside tests.
 */
export const codeScopeFilter = { on: true };

/**
 * The code's hotel condition of a drizzle query: `column` among the scope's
 * hotels; none without a scope (hub-wide work) or with the test switch off
 * (`and()` drops an undefined condition).
 */
export function hotelCondition(column: PgColumn, scope: ReadScope | undefined): SQL | undefined {
  return scope && codeScopeFilter.on ? inArray(column, [...scope.hotels]) : undefined;
}

/**
 * The code's hotel condition on `column` for the hotels in the `$n` parameter
 * `param` (a text[]). Switched off (tests), it still names the parameter, so
 * the statement's parameters keep their types.
 */
export function hotelIn(column: string, param: string): string {
  return codeScopeFilter.on
    ? `${column} = any(${param}::text[])`
    : `(${param}::text[] is not null)`;
}

/**
 * The code's hotel condition on `events` under the alias `alias`, for the
 * hotels' `hotels.key`s in the `$n` parameter `param` (an int[], from
 * {@link hotelKeys}): the events btrees lead with the key. The read policy
 * still tests `hotel_id` on every row, so a row whose key and slug
 * disagreed would pass this and not that.
 */
export function eventHotelIn(alias: string, param: string): string {
  return codeScopeFilter.on
    ? `${alias}.hotel_key = any(${param}::int[])`
    : `(${param}::int[] is not null)`;
}

/**
 * The `hotels.key` of each hotel in `ids`, read in the caller's transaction
 * (under the read role, only its scope's hotels answer). Given to the events
 * queries as a parameter: the planner then sizes each scan by the hotel's
 * share, and the list is computed once, not on every row.
 *
 * @example
 * const keys = await hotelKeys(tx, ["grand"]);
 * await tx.query(`select count(*) from events e where ${eventHotelIn("e", "$1")}`, [keys]);
 */
export async function hotelKeys(
  tx: Pick<RawTx, "query">,
  ids: readonly string[],
): Promise<number[]> {
  const rows = await tx.query<{ key: number }>(
    "select key from hotels where id = any($1::text[]) order by key",
    [ids],
  );
  return rows.map((row) => Number(row.key));
}
