/**
 * Live tail fan-out: the index worker publishes each step's new events under
 * their hotel; every hub process hears them and hands them to its SSE
 * clients of that hotel. Redis pub/sub across processes when REDIS_URL is
 * set, an in-process emitter otherwise. At most once by nature: a client that
 * was not connected searches instead.
 */
import { EventEmitter } from "node:events";
import Redis from "ioredis";
import type { EventRow } from "../index/rows.ts";

export type TailListener = (rows: readonly EventRow[]) => void;

export interface TailBus {
  readonly kind: "redis" | "in-process";
  publish(hotelId: string, rows: readonly EventRow[]): Promise<void>;
  /** Hear the events of these hotels; returns the unsubscribe. */
  subscribe(hotelIds: readonly string[], listener: TailListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** @example const bus = new InProcessTailBus(); await bus.subscribe(["grand"], show); */
export class InProcessTailBus implements TailBus {
  readonly kind = "in-process";
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  async publish(hotelId: string, rows: readonly EventRow[]): Promise<void> {
    if (rows.length > 0) this.#emitter.emit(hotelId, rows);
  }

  async subscribe(hotelIds: readonly string[], listener: TailListener) {
    for (const id of hotelIds) this.#emitter.on(id, listener);
    return async () => {
      for (const id of hotelIds) this.#emitter.off(id, listener);
    };
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }
}

/**
 * One subscriber connection per hub process, shared by its SSE clients.
 *
 * @example const bus = await RedisTailBus.open(process.env.REDIS_URL);
 */
export class RedisTailBus implements TailBus {
  readonly kind = "redis";
  readonly #local = new InProcessTailBus();
  readonly #counts = new Map<string, number>();

  private constructor(
    readonly publisher: Redis,
    readonly subscriber: Redis,
    /** Channels are `<prefix>:tail:<hotel>`. */
    readonly prefix: string,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      if (!channel.startsWith(this.#channelOf(""))) return;
      const hotelId = channel.slice(this.#channelOf("").length);
      try {
        void this.#local.publish(hotelId, JSON.parse(message) as EventRow[]);
      } catch {
        // Not ours: nothing else publishes on these channels.
      }
    });
  }

  static async open(url: string, prefix = "logmaster"): Promise<RedisTailBus> {
    const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const subscriber = new Redis(url, { lazyConnect: true });
    await publisher.connect();
    await subscriber.connect();
    return new RedisTailBus(publisher, subscriber, prefix);
  }

  #channelOf(hotelId: string): string {
    return `${this.prefix}:tail:${hotelId}`;
  }

  async publish(hotelId: string, rows: readonly EventRow[]): Promise<void> {
    if (rows.length > 0)
      await this.publisher.publish(this.#channelOf(hotelId), JSON.stringify(rows));
  }

  async subscribe(hotelIds: readonly string[], listener: TailListener) {
    for (const id of hotelIds) {
      const count = this.#counts.get(id) ?? 0;
      if (count === 0) await this.subscriber.subscribe(this.#channelOf(id));
      this.#counts.set(id, count + 1);
    }
    const off = await this.#local.subscribe(hotelIds, listener);
    return async () => {
      await off();
      for (const id of hotelIds) {
        const count = (this.#counts.get(id) ?? 1) - 1;
        this.#counts.set(id, count);
        if (count === 0) await this.subscriber.unsubscribe(this.#channelOf(id)).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    await this.#local.close();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => {});
  }
}
