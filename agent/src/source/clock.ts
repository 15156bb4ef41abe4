/**
 * Receive time in µs since the epoch, UTC, from the agent's clock.
 *
 * `Date.now()` has only ms; `performance.now()` has sub-µs resolution but no
 * epoch. The clock anchors the monotonic counter to the wall clock and
 * re-anchors every second, so an NTP correction is followed within a second.
 * Time never goes backwards:
 * records are appended in seq order and their receive times must not
 * contradict that order (nor fall into an hour already closed). A backwards
 * step of the wall clock is counted (`onStepBack`) and the clock holds at the
 * last value until the wall clock catches up.
 */
export class ReceiveClock {
  #anchorUs = 0;
  /** performance.now() at the anchor, ms (a double: sub-µs resolution for years of uptime). */
  #anchorMs = 0;
  #lastUs = 0;

  constructor(
    private readonly onStepBack?: (byUs: number) => void,
    private readonly reanchorMs = 1000,
  ) {
    this.#anchor();
  }

  #anchor(): void {
    this.#anchorMs = performance.now();
    this.#anchorUs = Date.now() * 1000;
  }

  /**
   * Now, in whole µs since 1970 (a safe integer until 2255).
   *
   * @example
   * const clock = new ReceiveClock();
   * const receivedAtUs = clock.nowUs();
   */
  nowUs(): number {
    // Read once per datagram at up to ~100k/s: performance.now() returns a
    // plain double, where process.hrtime.bigint() allocated a BigInt and
    // divided it (the receive path's largest cost after encoding).
    let elapsedUs = Math.floor((performance.now() - this.#anchorMs) * 1000);
    if (elapsedUs >= this.reanchorMs * 1000) {
      this.#anchor();
      elapsedUs = 0;
    }
    const now = this.#anchorUs + elapsedUs;
    if (now < this.#lastUs) {
      if (this.#lastUs - now > 1000) this.onStepBack?.(this.#lastUs - now);
      return this.#lastUs;
    }
    this.#lastUs = now;
    return now;
  }
}
