import { expect, test } from "bun:test";
import { backoffDelayMs } from "./backoff.ts";

test("backoff doubles its ceiling per attempt up to the cap, with full jitter", () => {
  const top = () => 0.999999;
  expect(backoffDelayMs(0, 500, 30_000, top)).toBe(499);
  expect(backoffDelayMs(3, 500, 30_000, top)).toBe(3999);
  expect(backoffDelayMs(10, 500, 30_000, top)).toBe(29_999);
  expect(backoffDelayMs(1000, 500, 30_000, top)).toBe(29_999);
  expect(backoffDelayMs(5, 500, 30_000, () => 0)).toBe(0);
  for (let i = 0; i < 100; i++) expect(backoffDelayMs(4, 500, 30_000)).toBeLessThan(8000);
});
