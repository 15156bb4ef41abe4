import { readdirSync, rmSync, statSync } from "node:fs";
import type { AgentTelemetry } from "../events/index.ts";
import type { ForwardState } from "../forward/state.ts";
import { chunkDir, listChunkIds } from "../wal/layout.ts";

/**
 * Delete sealed chunks the hub has **verified**, once their verdict is older
 * than the retention window; when `underPressure` (the disk budget is full),
 * verified chunks go oldest first regardless of age. Anything without a
 * `verified` verdict (unsent, failed, conflicting) is never deleted.
 * Returns the bytes freed.
 *
 * @example
 * const freed = pruneVerifiedChunks(dataDir, forwarder.state, { retentionHours: 168, underPressure: false }, telemetry);
 * wal.releaseDiskBytes(freed);
 */
export function pruneVerifiedChunks(
  dataDir: string,
  state: ForwardState,
  options: { retentionHours: number; underPressure: boolean; nowMs?: number },
  telemetry: AgentTelemetry,
): number {
  const nowMs = options.nowMs ?? Date.now();
  let freed = 0;
  for (const id of listChunkIds(dataDir)) {
    const chunk = state.get(id);
    if (chunk.verdict !== "verified") continue;
    const old = nowMs - (chunk.verdictAtMs ?? 0) >= options.retentionHours * 3_600_000;
    if (!old && !options.underPressure) continue;
    const dir = chunkDir(dataDir, id);
    let bytes = 0;
    for (const name of readdirSync(dir)) bytes += statSync(`${dir}/${name}`).size;
    rmSync(dir, { recursive: true, force: true });
    state.forget(id);
    freed += bytes;
    telemetry.emit("ChunkPruned", { why: old ? "retention" : "disk_full" }, { chunk: id, bytes });
  }
  return freed;
}
