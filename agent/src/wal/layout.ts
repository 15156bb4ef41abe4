import { readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  chunkId,
  compareChunkIds,
  microsUtcSchema,
  parseChunkId,
} from "../../../shared/src/custody/index.ts";

/**
 * Where everything lives under the data dir:
 *
 * ```
 * data-dir/
 *   agent.json                         running agent's status URL + pid (for the CLI)
 *   identity/{key.pem,cert.pem,ca.pem,identity.json}
 *   state/seq.json                     last seq that may have left the box
 *   state/chain.json                   last sealed chunk, its window end + its manifest SHA-256
 *   state/forward.json                 per chunk id: bytes the hub acknowledged, seal verdict
 *   chunks/<id>/{records.jsonl,records.idx,manifest.json,manifest.sig}
 *   chunks/<id>/window.json            parts > 0 only: {"window_start": ...}, written before any record
 *   quarantine/<id>-<ms>/              chunk dirs that could not be read at start
 * ```
 *
 * A chunk id is `YYYY-MM-DDTHH` (part 0 of the UTC hour) or `YYYY-MM-DDTHH.N`
 * (part N, opened by an early seal), as in the hub protocol's URLs.
 */
export function chunksDir(dataDir: string): string {
  return join(dataDir, "chunks");
}
export function chunkDir(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id);
}
export function recordsPath(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id, "records.jsonl");
}
export function indexPath(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id, "records.idx");
}
export function manifestPath(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id, "manifest.json");
}
export function signaturePath(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id, "manifest.sig");
}
export function windowPath(dataDir: string, id: string): string {
  return join(dataDir, "chunks", id, "window.json");
}
export function stateDir(dataDir: string): string {
  return join(dataDir, "state");
}
export function quarantineDir(dataDir: string): string {
  return join(dataDir, "quarantine");
}
export function identityDir(dataDir: string): string {
  return join(dataDir, "identity");
}
export function agentInfoPath(dataDir: string): string {
  return join(dataDir, "agent.json");
}

const MS_PER_HOUR = 3_600_000;
export const US_PER_HOUR = 3_600_000_000;

/** Hours since the epoch of a µs receive time (integer arithmetic, no Date on the hot path). */
export function hourIndexOfUs(us: number): number {
  return Math.floor(us / US_PER_HOUR);
}

/** `YYYY-MM-DDTHH` of an hour index (the id of the hour's part 0). */
export function hourName(hourIndex: number): string {
  return new Date(hourIndex * MS_PER_HOUR).toISOString().slice(0, 13);
}

/** The custody format's `hour_start` (`YYYY-MM-DDTHH:00:00Z`) of an hour index. */
export function hourStartOfIndex(hourIndex: number): string {
  return `${hourName(hourIndex)}:00:00Z`;
}

/** Hour index of an `hour_start` (`YYYY-MM-DDTHH:00:00Z`). */
export function hourIndexOfStart(hourStart: string): number {
  return Math.floor(Date.parse(hourStart) / MS_PER_HOUR);
}

/** A chunk as the agent handles it: hour index, part, id. */
export interface ChunkRef {
  id: string;
  hourIndex: number;
  part: number;
}

/** The chunk of part `part` of hour `hourIndex`. */
export function chunkRef(hourIndex: number, part: number): ChunkRef {
  return { id: chunkId(hourStartOfIndex(hourIndex), part), hourIndex, part };
}

/** The chunk an id names, or undefined when `id` is not a chunk id. */
export function chunkRefOf(id: string): ChunkRef | undefined {
  const address = parseChunkId(id);
  return address
    ? { id, hourIndex: hourIndexOfStart(address.hourStart), part: address.part }
    : undefined;
}

/** Chunk ids present on disk, in chain order (by hour, then part). */
export function listChunkIds(dataDir: string): string[] {
  try {
    return readdirSync(chunksDir(dataDir))
      .filter((name) => parseChunkId(name) !== undefined)
      .sort(compareChunkIds);
  } catch {
    return [];
  }
}

const windowFileSchema = z.strictObject({ window_start: microsUtcSchema });

/**
 * The `window_start` of a part > 0 from its window.json; undefined when the
 * file is missing or unreadable. (Part 0 starts at its hour_start.)
 */
export async function readWindowStart(dataDir: string, id: string): Promise<string | undefined> {
  const file = Bun.file(windowPath(dataDir, id));
  if (!(await file.exists())) return undefined;
  try {
    return windowFileSchema.parse(JSON.parse(await file.text())).window_start;
  } catch {
    return undefined;
  }
}

/** The window.json content of a part that starts at `windowStart`. */
export function windowFileContent(windowStart: string): string {
  return `${JSON.stringify({ window_start: windowStart })}\n`;
}
