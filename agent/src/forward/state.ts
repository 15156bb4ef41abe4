import { z } from "zod";
import { readJsonFile, writeFileAtomic } from "../wal/atomic.ts";
import { stateDir } from "../wal/layout.ts";

const chunkForwardStateSchema = z.object({
  /** Bytes of records.jsonl the hub has acknowledged as durably stored. */
  ackedOffset: z.number().int().min(0),
  /** The hub's verdict after PUT /seal; the chunk is done once it has one. */
  verdict: z.enum(["verified", "failed"]).optional(),
  reason: z.string().optional(),
  /** When the verdict came (ms since epoch); retention counts from here. */
  verdictAtMs: z.number().optional(),
  /** The hub holds different bytes for this chunk: sending stopped, an operator must look. */
  conflict: z.boolean().optional(),
});
const forwardStateSchema = z.object({ chunks: z.record(z.string(), chunkForwardStateSchema) });

export type ChunkForwardState = z.infer<typeof chunkForwardStateSchema>;

/**
 * state/forward.json: what the hub acknowledged, per chunk id (`YYYY-MM-DDTHH[.N]`).
 *
 * Promise: an offset is written here only after the hub answered that it
 * holds those bytes durably, so after a crash the agent never skips bytes;
 * it may resend some (the hub answers `duplicate`). On restart the agent asks
 * the hub (`GET /v1/chunks/{id}`) anyway; this file is the fallback and the
 * record of seal verdicts (which decide what may be pruned).
 */
export class ForwardState {
  private constructor(
    private readonly path: string,
    readonly chunks: Record<string, ChunkForwardState>,
  ) {}

  static async load(dataDir: string): Promise<ForwardState> {
    const path = `${stateDir(dataDir)}/forward.json`;
    const parsed = forwardStateSchema.safeParse(await readJsonFile(path).catch(() => undefined));
    return new ForwardState(path, parsed.success ? parsed.data.chunks : {});
  }

  get(id: string): ChunkForwardState {
    return this.chunks[id] ?? { ackedOffset: 0 };
  }

  update(id: string, change: Partial<ChunkForwardState>): void {
    this.chunks[id] = { ...this.get(id), ...change };
    this.#save();
  }

  forget(id: string): void {
    delete this.chunks[id];
    this.#save();
  }

  #save(): void {
    writeFileAtomic(this.path, `${JSON.stringify({ chunks: this.chunks })}\n`);
  }
}
