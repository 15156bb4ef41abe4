import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import type { ChunkPath } from "../ingest/chunk-address.ts";

/**
 * Where a sealed chunk lives: `archive/<hotel>/<agent>/YYYY/MM/DD/HH/` for
 * part 0 of an hour, `.../HH.N/` for part N. Every part of the path comes from
 * the certificate or a validated chunk id, never from a body.
 */
export function chunkArchiveDir(
  dataDir: string,
  hotelId: string,
  agentId: string,
  chunk: ChunkPath,
): string {
  const [date = "", hh = ""] = chunk.id.split("T");
  const [yyyy = "", mm = "", dd = ""] = date.split("-");
  return join(dataDir, "archive", hotelId, agentId, yyyy, mm, dd, hh);
}

/** Write a file from pieces and fsync it before returning. */
export async function writeFileDurably(
  path: string,
  pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<number> {
  const handle = await open(path, "w", 0o640);
  let written = 0;
  try {
    for await (const piece of pieces) {
      await handle.write(piece);
      written += piece.byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return written;
}

/** fsync a directory, so the names of files just written survive a power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
}
