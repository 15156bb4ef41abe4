import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";

/** The database as every module above the store sees it, whichever driver runs it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction handle: same query surface as {@link Db}. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type StoreLocation =
  /** Production: a PostgreSQL server shared by every hub process. */
  | { kind: "postgres"; url: string }
  /** Zero-setup: embedded PGlite in a directory (single writer), or in memory when `dir` is absent. */
  | { kind: "pglite"; dir?: string };

/**
 * The driver's own client, for the two things drizzle does slowly or not at
 * all: bulk loading events (COPY) and the read side's hand-written SQL.
 * postgres.js: a client of its own (drizzle changes the type parsing of the
 * client it wraps). PGlite: the one embedded instance.
 */
export type RawClient =
  | { kind: "postgres"; sql: postgres.Sql }
  | { kind: "pglite"; client: PGlite };

export interface Store {
  readonly db: Db;
  readonly raw: RawClient;
  readonly driver: StoreLocation["kind"];
  /** Apply the migrations in hub/drizzle/ that this database has not seen. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * Open the hub database with the driver the location names. Both drivers run
 * the same drizzle schema and the same queries; only this function differs.
 *
 * @example
 * const store = await openStore({ kind: "pglite", dir: "data/hub/pglite" });
 * await store.migrate();
 * await store.db.select().from(hotels);
 * await store.close();
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.kind === "postgres") {
    // onnotice: "relation already exists, skipping" from migrations is noise.
    const client = postgres(location.url, { max: 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema });
    const rawSql = postgres(location.url, { max: 4, onnotice: () => {} });
    return {
      db: db as unknown as Db,
      raw: { kind: "postgres", sql: rawSql },
      driver: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder }),
      close: async () => {
        await rawSql.end({ timeout: 5 });
        await client.end({ timeout: 5 });
      },
    };
  }
  if (location.dir) mkdirSync(location.dir, { recursive: true });
  const client = location.dir ? new PGlite(location.dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Db,
    raw: { kind: "pglite", client },
    driver: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}
