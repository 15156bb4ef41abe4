/**
 * Login throttling: failed logins counted per user name and per source
 * address in a sliding window; past the limit, that user (or address) is
 * locked out for the window, even with the right password. Redis when
 * REDIS_URL is set (every hub process sees the same counts), in-process otherwise.
 */
import type Redis from "ioredis";

export interface ThrottleLimits {
  /** Failures of one user name within `windowMs` that lock it. */
  perUser: number;
  /** Failures from one address within `windowMs` that block it. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perUser: 10,
  perAddress: 50,
  windowMs: 15 * 60_000,
};

export interface LoginThrottle {
  /** Milliseconds until the user or address may try again; 0 when it may now. */
  lockedForMs(username: string, address: string): Promise<number>;
  /** Count a failure; returns whether this failure locked the user. */
  failed(username: string, address: string): Promise<{ lockedUser: boolean }>;
  /** A success forgets the user's failures (not the address's). */
  succeeded(username: string): Promise<void>;
}

/** @example const throttle = new InProcessLoginThrottle(); */
export class InProcessLoginThrottle implements LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  constructor(readonly limits: ThrottleLimits = DEFAULT_THROTTLE) {}

  #recent(key: string, now: number): number[] {
    const kept = (this.#failures.get(key) ?? []).filter((at) => now - at < this.limits.windowMs);
    this.#failures.set(key, kept);
    return kept;
  }

  async lockedForMs(username: string, address: string): Promise<number> {
    const now = Date.now();
    const waits = [
      [this.#recent(`u:${username}`, now), this.limits.perUser],
      [this.#recent(`a:${address}`, now), this.limits.perAddress],
    ] as const;
    let wait = 0;
    for (const [times, limit] of waits) {
      if (times.length >= limit)
        wait = Math.max(wait, (times.at(-1) as number) + this.limits.windowMs - now);
    }
    return wait;
  }

  async failed(username: string, address: string) {
    const now = Date.now();
    for (const key of [`u:${username}`, `a:${address}`]) this.#recent(key, now).push(now);
    return { lockedUser: this.#recent(`u:${username}`, now).length === this.limits.perUser };
  }

  async succeeded(username: string): Promise<void> {
    this.#failures.delete(`u:${username}`);
  }
}

/** The same counts in Redis (sorted sets of failure times), shared by every hub process. */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  #key(kind: "u" | "a", value: string): string {
    return `${this.prefix}:login:${kind}:${value}`;
  }

  async #recent(key: string, now: number): Promise<string[]> {
    await this.redis.zremrangebyscore(key, "0", String(now - this.limits.windowMs));
    return this.redis.zrange(key, "0", "-1", "WITHSCORES");
  }

  async lockedForMs(username: string, address: string): Promise<number> {
    const now = Date.now();
    let wait = 0;
    for (const [key, limit] of [
      [this.#key("u", username), this.limits.perUser],
      [this.#key("a", address), this.limits.perAddress],
    ] as const) {
      const entries = await this.#recent(key, now);
      const count = entries.length / 2;
      if (count >= limit)
        wait = Math.max(wait, Number(entries.at(-1)) + this.limits.windowMs - now);
    }
    return wait;
  }

  async failed(username: string, address: string) {
    const now = Date.now();
    let userCount = 0;
    for (const key of [this.#key("u", username), this.#key("a", address)]) {
      await this.redis.zadd(key, now, `${now}-${Math.random()}`);
      await this.redis.pexpire(key, this.limits.windowMs);
      if (key === this.#key("u", username)) userCount = (await this.#recent(key, now)).length / 2;
    }
    return { lockedUser: userCount === this.limits.perUser };
  }

  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.#key("u", username));
  }
}
