/**
 * Daily partitions of `events` (events_YYYYMMDD). Made ahead for today and
 * the next two days by the indexer's start and the daily job, and on demand
 * when a step meets an older or later day (a backlog, a reindex): in a short
 * transaction of their own, since creating a partition locks the parent table.
 */
import { type RawClient, rawQuery } from "../store/index.ts";

/** A day in milliseconds (a UTC day: partitions are by UTC day). */
export const DAY_MS = 86_400_000;

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(time: string | number | Date): string {
  // The custody format's times are UTC ISO strings: their day is their first ten characters.
  if (typeof time === "string" && time[10] === "T" && time.endsWith("Z")) return time.slice(0, 10);
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * The days this process knows have a partition.
 *
 * @example
 * const partitions = new EventPartitions(store.raw);
 * await partitions.ensure(["2026-03-12"]);
 */
export class EventPartitions {
  readonly #known = new Set<string>();

  constructor(readonly raw: RawClient) {}

  has(day: string): boolean {
    return this.#known.has(day);
  }

  async ensure(days: Iterable<string>): Promise<void> {
    for (const day of days) {
      if (this.#known.has(day)) continue;
      try {
        await rawQuery(this.raw, "select logmaster_ensure_events_partition($1::date)", [day]);
      } catch (error) {
        // Another hub made it at the same moment: the function's second look, after its lock,
        // reads a stale catalog and misses the new table (duplicate_table). It is there: done.
        if ((error as { code?: unknown }).code !== "42P07") throw error;
      }
      this.#known.add(day);
    }
  }

  /** Today and the next `daysAhead` days. */
  async ensureAhead(now = Date.now(), daysAhead = 2): Promise<void> {
    const days = Array.from({ length: daysAhead + 1 }, (_, i) => utcDay(now + i * DAY_MS));
    await this.ensure(days);
  }

  /** Forget every day (retention may have dropped some): they are checked again when next needed. */
  forgetAll(): void {
    this.#known.clear();
  }
}
