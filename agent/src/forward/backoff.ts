/**
 * Exponential backoff with full jitter: the n-th retry waits a random time
 * between 0 and min(cap, base × 2^n), so that many agents coming back after a
 * hub outage do not retry in step.
 *
 * @example
 * await Bun.sleep(backoffDelayMs(attempt, 500, 30_000));
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
