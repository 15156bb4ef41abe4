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

const channelOf = (hotelId: string) => `logmaster:tail:${hotelId}`;

/** @example const bus = new InProcessTailBus(); await bus.subscribe(["grand"], show); */
export class InProcessTailBus implements TailBus {
  readonly kind = "in-process";
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  async publish(hotelId: string, rows: readonly EventRow[]): Promise<void> {
    if (rows.length > 0) this.#emitter.emit(channelOf(hotelId), rows);
  }

  async subscribe(hotelIds: readonly string[], listener: TailListener) {
    for (const id of hotelIds) this.#emitter.on(channelOf(id), listener);
    return async () => {
      for (const id of hotelIds) this.#emitter.off(channelOf(id), listener);
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
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      const hotelId = channel.slice("logmaster:tail:".length);
      try {
        void this.#local.publish(hotelId, JSON.parse(message) as EventRow[]);
      } catch {
        // Not ours: nothing else publishes on these channels.
      }
    });
  }

  static async open(url: string): Promise<RedisTailBus> {
    const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const subscriber = new Redis(url, { lazyConnect: true });
    await publisher.connect();
    await subscriber.connect();
    return new RedisTailBus(publisher, subscriber);
  }

  async publish(hotelId: string, rows: readonly EventRow[]): Promise<void> {
    if (rows.length > 0) await this.publisher.publish(channelOf(hotelId), JSON.stringify(rows));
  }

  async subscribe(hotelIds: readonly string[], listener: TailListener) {
    for (const id of hotelIds) {
      const count = this.#counts.get(id) ?? 0;
      if (count === 0) await this.subscriber.subscribe(channelOf(id));
      this.#counts.set(id, count + 1);
    }
    const off = await this.#local.subscribe(hotelIds, listener);
    return async () => {
      await off();
      for (const id of hotelIds) {
        const count = (this.#counts.get(id) ?? 1) - 1;
        this.#counts.set(id, count);
        if (count === 0) await this.subscriber.unsubscribe(channelOf(id)).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    await this.#local.close();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => {});
  }
}
