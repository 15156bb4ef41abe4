/**
 * A user's saved searches (the dashboard's search page): rows of one user
 * only, read and written in a transaction that PostgreSQL confines to that
 * user. The code names the user in every query as well; the database makes a
 * query that forgot it see nothing of anyone else (migration 0009).
 */
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "./db.ts";
import { savedSearches } from "./schema.ts";

export type SavedSearchRow = typeof savedSearches.$inferSelect;

/** The role a user-scoped transaction runs as (hub/drizzle/0009_saved_searches.sql). */
export const USER_SCOPE_ROLE = "logmaster_user_scope";

/** Saved searches one account may keep: a menu, not a store of data. */
export const MAX_SAVED_SEARCHES_PER_USER = 100;

/** A user already keeps {@link MAX_SAVED_SEARCHES_PER_USER} searches and asked for a new name. */
export class SavedSearchLimitError extends Error {
  override readonly name = "SavedSearchLimitError";
}

/**
 * Run `work` in one transaction that PostgreSQL confines to one user's saved
 * searches (row-level security on `logmaster.user_id`), as a role that holds
 * no other privilege. The user comes from the authenticated session, never
 * from a request.
 *
 * @example
 * const rows = await inUserScope(db, principal.userId, (tx) => tx.select().from(savedSearches));
 */
export function inUserScope<T>(db: Db, userId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!userId) throw new Error("inUserScope needs a user id");
  return db.transaction(async (tx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await tx.execute(
      sql`select set_config('logmaster.user_id', ${userId}, true), set_config('role', ${USER_SCOPE_ROLE}, true)`,
    );
    return work(tx);
  });
}

/**
 * The user's saved searches, by name.
 *
 * @example
 * const mine = await listSavedSearches(db, principal.userId);
 */
export function listSavedSearches(db: Db, userId: string): Promise<SavedSearchRow[]> {
  return inUserScope(db, userId, (tx) =>
    tx
      .select()
      .from(savedSearches)
      .where(eq(savedSearches.userId, userId))
      .orderBy(asc(savedSearches.name), asc(savedSearches.id)),
  );
}

/**
 * Save a search under a name: a new row, or the user's search of that name
 * with its query replaced. Refused (SavedSearchLimitError) when the name is
 * new and the user keeps the most searches allowed.
 *
 * @example
 * await saveSearch(db, principal.userId, { name: "Lara DHCP", query: "q=assigned&range=24h" });
 */
export function saveSearch(
  db: Db,
  userId: string,
  search: { name: string; query: string },
): Promise<SavedSearchRow> {
  return inUserScope(db, userId, async (tx) => {
    const [kept] = await tx
      .select({ count: count() })
      .from(savedSearches)
      .where(and(eq(savedSearches.userId, userId), sql`${savedSearches.name} <> ${search.name}`));
    if ((kept?.count ?? 0) >= MAX_SAVED_SEARCHES_PER_USER) {
      throw new SavedSearchLimitError(
        `you keep ${MAX_SAVED_SEARCHES_PER_USER} saved searches already: delete one first, or save under one of their names`,
      );
    }
    const [row] = await tx
      .insert(savedSearches)
      .values({ id: randomUUID(), userId, name: search.name, query: search.query })
      .onConflictDoUpdate({
        target: [savedSearches.userId, savedSearches.name],
        set: { query: search.query, updatedAt: sql`now()` },
      })
      .returning();
    if (!row) throw new Error("saved search upsert returned nothing");
    return row;
  });
}

/**
 * Delete one of the user's saved searches; false when the user has none with
 * that id (another user's id is none of theirs).
 *
 * @example
 * if (!(await deleteSavedSearch(db, principal.userId, id))) throw new RefusedRequestError("…", 404);
 */
export async function deleteSavedSearch(db: Db, userId: string, id: string): Promise<boolean> {
  const deleted = await inUserScope(db, userId, (tx) =>
    tx
      .delete(savedSearches)
      .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, userId)))
      .returning({ id: savedSearches.id }),
  );
  return deleted.length === 1;
}
