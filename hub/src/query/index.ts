/**
 * The read side's door: the query engine, the 5651 lookups, devices and the
 * live tail, every call with a {@link ReadScope}. Built once per hub from its
 * database (and, for the tail, the bus the index worker publishes on).
 */
import type { TailBus } from "../live/bus.ts";
import type { RawClient } from "../store/index.ts";
import { Devices } from "./devices.ts";
import type { EventReader, QueryEngine } from "./engine.ts";
import { Lookups } from "./lookups.ts";
import { PostgresQueryEngine } from "./postgres.ts";

export { Devices, deviceNameSchema, deviceSchema } from "./devices.ts";
export type { EventReader, QueryEngine } from "./engine.ts";
export { hitOfRow, tailMatcher } from "./live.ts";
export * from "./lookups.ts";
export {
  CursorError,
  FREE_TEXT_INDEX_FIX,
  freeTextIndexUsable,
  PostgresQueryEngine,
} from "./postgres.ts";
export * from "./request.ts";
export * from "./response.ts";
export { narrowScope, type ReadScope, readScope, ScopeError } from "./scope.ts";

export interface ReadSide {
  engine: QueryEngine;
  lookups: Lookups;
  devices: Devices;
  tail: TailBus;
}

/**
 * @example
 * const read = openReadSide(store.raw, tail);
 * await read.lookups.ip(readScope(["grand"]), { ip: "10.5.1.23", at });
 * // events in Elasticsearch: openReadSide(store.raw, tail, elasticsearchEngine)
 */
export function openReadSide(
  raw: RawClient,
  tail: TailBus,
  events?: QueryEngine & EventReader,
): ReadSide {
  return {
    engine: events ?? new PostgresQueryEngine(raw),
    lookups: new Lookups(raw, events),
    devices: new Devices(raw),
    tail,
  };
}
