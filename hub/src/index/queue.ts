/**
 * The index queue: "agent X has new bytes", said by the ingest route after a
 * batch is durable and taken by whichever hub process indexes next. With
 * REDIS_URL it is a Redis Stream with one consumer group shared by all hubs
 * (an entry left pending by a hub that died is claimed by another after
 * `claimIdleMs`); without, an in-process set. A notice only says where to
 * look: the watermark in `chunks.indexed_length` says what is left, so a lost
 * or repeated notice costs nothing (the indexer's catch-up scan finds work
 * no notice announced).
 */
import { hostname } from "node:os";
import Redis from "ioredis";

export interface TakenNotices {
  agentIds: string[];
  /** Mark the notices done (after their steps committed). */
  ack(): Promise<void>;
}

export interface IndexQueue {
  readonly kind: "redis" | "in-process";
  notify(agentId: string): Promise<void>;
  /** Up to `max` notices, waiting at most `blockMs` for the first. */
  take(max: number, blockMs: number): Promise<TakenNotices>;
  /** Notices not yet acknowledged (waiting or being worked on). */
  depth(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The zero-setup queue: a set of agent ids in this process.
 *
 * @example
 * const queue = new InProcessIndexQueue();
 * await queue.notify("grand-abcd2345");
 * const { agentIds, ack } = await queue.take(100, 1000);
 */
export class InProcessIndexQueue implements IndexQueue {
  readonly kind = "in-process";
  readonly #waiting = new Set<string>();
  #wake: (() => void) | undefined;
  #closed = false;

  async notify(agentId: string): Promise<void> {
    this.#waiting.add(agentId);
    this.#wake?.();
  }

  async take(max: number, blockMs: number): Promise<TakenNotices> {
    if (this.#waiting.size === 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, blockMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    const agentIds = [...this.#waiting].slice(0, max);
    for (const id of agentIds) this.#waiting.delete(id);
    return { agentIds, ack: async () => {} };
  }

  async depth(): Promise<number> {
    return this.#waiting.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
  }
}

export const INDEX_STREAM = "logmaster:index";
export const INDEX_GROUP = "indexers";

/**
 * The shared queue of several hub processes.
 *
 * @example
 * const queue = await RedisIndexQueue.open(process.env.REDIS_URL);
 */
export class RedisIndexQueue implements IndexQueue {
  readonly kind = "redis";
  readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private constructor(
    /** For XADD, XACK and the rest. */
    readonly commands: Redis,
    /** For the blocking XREADGROUP only (it holds its connection while it waits). */
    readonly reader: Redis,
    readonly stream: string,
    readonly claimIdleMs: number,
  ) {}

  static async open(
    url: string,
    options: { stream?: string; claimIdleMs?: number } = {},
  ): Promise<RedisIndexQueue> {
    const commands = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const reader = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    await commands.connect();
    await reader.connect();
    const stream = options.stream ?? INDEX_STREAM;
    try {
      await commands.xgroup("CREATE", stream, INDEX_GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
    return new RedisIndexQueue(commands, reader, stream, options.claimIdleMs ?? 30_000);
  }

  async notify(agentId: string): Promise<void> {
    // MAXLEN keeps a stream nobody reads from growing without end; the watermark keeps the work.
    await this.commands.xadd(this.stream, "MAXLEN", "~", "100000", "*", "agent", agentId);
  }

  async take(max: number, blockMs: number): Promise<TakenNotices> {
    const entries: [string, string[]][] = [];
    // First what a dead hub left pending, then new notices.
    const claimed = (await this.commands.xautoclaim(
      this.stream,
      INDEX_GROUP,
      this.consumer,
      this.claimIdleMs,
      "0-0",
      "COUNT",
      max,
    )) as [string, [string, string[]][]];
    entries.push(...(claimed[1] ?? []).filter((entry) => Array.isArray(entry[1])));
    if (entries.length === 0) {
      const read = (await this.reader.xreadgroup(
        "GROUP",
        INDEX_GROUP,
        this.consumer,
        "COUNT",
        max,
        "BLOCK",
        blockMs,
        "STREAMS",
        this.stream,
        ">",
      )) as [string, [string, string[]][]][] | null;
      for (const [, streamEntries] of read ?? []) entries.push(...streamEntries);
    }
    const agentIds = new Set<string>();
    for (const [, fields] of entries) {
      const at = fields.indexOf("agent");
      if (at !== -1 && fields[at + 1]) agentIds.add(fields[at + 1] as string);
    }
    const ids = entries.map(([id]) => id);
    return {
      agentIds: [...agentIds],
      ack: async () => {
        if (ids.length > 0) await this.commands.xack(this.stream, INDEX_GROUP, ...ids);
      },
    };
  }

  async depth(): Promise<number> {
    const groups = (await this.commands.xinfo("GROUPS", this.stream)) as unknown[][];
    for (const group of groups) {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
      if (fields.get("name") === INDEX_GROUP) {
        return Number(fields.get("pending") ?? 0) + Number(fields.get("lag") ?? 0);
      }
    }
    return 0;
  }

  async close(): Promise<void> {
    this.reader.disconnect();
    await this.commands.quit().catch(() => {});
  }
}
