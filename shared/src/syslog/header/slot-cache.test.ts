import { expect, test } from "bun:test";
import { SlotCache } from "./slot-cache.ts";

test("a key gets back what was stored under it", () => {
  const cache = new SlotCache<string>(8);
  cache.set(20_475, "2026-01-21T");
  cache.set(-3, "negative");
  expect(cache.get(20_475)).toBe("2026-01-21T");
  expect(cache.get(-3)).toBe("negative");
  expect(cache.get(20_476)).toBeUndefined();
});

test("a key that shares a slot evicts the one before it", () => {
  const cache = new SlotCache<string>(8);
  cache.set(1, "one");
  cache.set(9, "nine");
  expect(cache.get(1)).toBeUndefined();
  expect(cache.get(9)).toBe("nine");
});

test("an empty slot answers no key, not even NaN or 0", () => {
  const cache = new SlotCache<string>(4);
  expect(cache.get(0)).toBeUndefined();
  expect(cache.get(Number.NaN)).toBeUndefined();
});

test("a size that is not a power of two is refused at construction", () => {
  expect(() => new SlotCache<string>(1000)).toThrow(
    "SlotCache size must be a power of two, got 1000",
  );
});
