/**
 * The hub's durable state: one drizzle schema, two drivers (PostgreSQL via
 * postgres.js, embedded PGlite). Everything above this folder uses `Db` only.
 */
export * from "./agents.ts";
export * from "./audit.ts";
export * from "./chunks.ts";
export * from "./copy.ts";
export {
  type Db,
  openStore,
  type RawClient,
  type Store,
  type StoreLocation,
  type Tx,
} from "./db.ts";
export * from "./hotels.ts";
export * from "./raw.ts";
export * from "./saved-searches.ts";
export * as tables from "./schema.ts";
export * from "./scope.ts";
export * from "./settings.ts";
export * from "./timestamps.ts";
export * from "./tokens.ts";
export * from "./users.ts";
