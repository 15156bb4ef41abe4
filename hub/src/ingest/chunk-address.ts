import { type ChunkAddress, parseChunkId } from "../../../shared/src/custody/index.ts";

/**
 * The chunk address of the protocol, `/v1/chunks/{id}/...`: `YYYY-MM-DDTHH`
 * for part 0 of a UTC hour, `YYYY-MM-DDTHH.N` for part N > 0.
 */
export interface ChunkPath extends ChunkAddress {
  /** hour_start as a Date, the store's key. */
  hourDate: Date;
}

/**
 * Parse a URL chunk id; undefined when it is not one (shape, `.0`, not a real calendar hour).
 *
 * @example
 * parseChunkPath("2026-11-22T08.1") // { id, hourStart: "2026-11-22T08:00:00Z", part: 1, hourDate }
 */
export function parseChunkPath(id: string): ChunkPath | undefined {
  const address = parseChunkId(id);
  return address ? { ...address, hourDate: new Date(address.hourStart) } : undefined;
}
