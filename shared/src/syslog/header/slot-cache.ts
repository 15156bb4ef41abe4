/**
 * A fixed number of slots keyed by an integer, each key in one slot (`key & mask`),
 * for the header readers' per-line memos (a day's `YYYY-MM-DDT`, a topics token's
 * verdict). A lookup is an array read and a compare: a `Map` hashes its key first,
 * which on the parser's hot path cost more than the work it saves. A new key evicts
 * the one that shared its slot, so the cache never grows.
 *
 * @example
 * const names = new SlotCache<string>(256);
 * names.set(20_475, "2026-01-21T");
 * names.get(20_475); // "2026-01-21T"
 */
export class SlotCache<V> {
  /** NaN in an empty slot: equal to no key. */
  private readonly keys: Float64Array;
  private readonly values: (V | undefined)[];
  private readonly mask: number;

  /** `slotCount` is a power of two. */
  constructor(slotCount: number) {
    if (!Number.isInteger(Math.log2(slotCount))) {
      throw new Error(`SlotCache size must be a power of two, got ${slotCount}`);
    }
    this.keys = new Float64Array(slotCount).fill(Number.NaN);
    this.values = new Array<V | undefined>(slotCount).fill(undefined);
    this.mask = slotCount - 1;
  }

  /** The value stored under the integer `key`, if its slot still holds it. */
  get(key: number): V | undefined {
    const slot = key & this.mask;
    return this.keys[slot] === key ? this.values[slot] : undefined;
  }

  set(key: number, value: V): void {
    const slot = key & this.mask;
    this.keys[slot] = key;
    this.values[slot] = value;
  }
}
