import { hourUtcSchema } from "./time.ts";

/**
 * A chunk's name outside its manifest (directory names, protocol URLs,
 * archive paths, CLI output): `YYYY-MM-DDTHH` for part 0 of a UTC hour, and
 * `YYYY-MM-DDTHH.N` for part N > 0 (the parts an early seal opens). One
 * chunk has exactly one id: part 0 is never written `.0`, and N has no
 * leading zeros.
 */
export const CHUNK_ID_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2})(?:\.([1-9]\d{0,8}))?$/;

/** What a chunk id names. */
export interface ChunkAddress {
  /** The id, e.g. `2026-11-22T08.1`. */
  id: string;
  /** The manifest's `hour_start`, e.g. `2026-11-22T08:00:00Z`. */
  hourStart: string;
  /** The manifest's `part`. */
  part: number;
}

/**
 * The id of part `part` of the hour that starts at `hourStart`.
 *
 * @example
 * chunkId("2026-11-22T08:00:00Z", 0) // "2026-11-22T08"
 * chunkId("2026-11-22T08:00:00Z", 1) // "2026-11-22T08.1"
 */
export function chunkId(hourStart: string, part: number): string {
  const hour = hourStart.slice(0, 13);
  return part === 0 ? hour : `${hour}.${part}`;
}

/**
 * The id of the chunk a manifest describes.
 *
 * @example
 * chunkIdOf(parseManifest(bytes).manifest) // "2026-11-22T08.1"
 */
export function chunkIdOf(manifest: { hour_start: string; part: number }): string {
  return chunkId(manifest.hour_start, manifest.part);
}

/**
 * Read a chunk id; undefined when it is not one (wrong shape, `.0`, a leading
 * zero, or not a real calendar hour).
 *
 * @example
 * parseChunkId("2026-11-22T08.1") // { id: "2026-11-22T08.1", hourStart: "2026-11-22T08:00:00Z", part: 1 }
 * parseChunkId("2026-02-30T08")   // undefined
 */
export function parseChunkId(id: string): ChunkAddress | undefined {
  const match = CHUNK_ID_PATTERN.exec(id);
  if (!match?.[1]) return undefined;
  const hourStart = `${match[1]}:00:00Z`;
  if (!hourUtcSchema.safeParse(hourStart).success) return undefined;
  return { id, hourStart, part: match[2] ? Number(match[2]) : 0 };
}

/**
 * Chunk order: by hour, then by part (numerically: `T08.2` before `T08.10`).
 * Ids that are not chunk ids sort after every chunk id, by text.
 *
 * @example
 * ["2026-11-22T09", "2026-11-22T08.10", "2026-11-22T08.2", "2026-11-22T08"].sort(compareChunkIds)
 * // ["2026-11-22T08", "2026-11-22T08.2", "2026-11-22T08.10", "2026-11-22T09"]
 */
export function compareChunkIds(a: string, b: string): number {
  const left = parseChunkId(a);
  const right = parseChunkId(b);
  if (!left || !right) {
    if (left) return -1;
    if (right) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (left.hourStart !== right.hourStart) return left.hourStart < right.hourStart ? -1 : 1;
  return left.part - right.part;
}
