import { expect, test } from "bun:test";
import { lineCrc32, lineCrc32At } from "./index-file.ts";

test("lineCrc32At over a range is lineCrc32 of that range, for every length and alignment", () => {
  const bytes = new Uint8Array(700);
  for (let i = 0; i < bytes.byteLength; i++) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
  for (const start of [0, 1, 3, 8]) {
    for (let length = 0; length <= 600; length++) {
      expect(lineCrc32At(bytes, start, start + length)).toBe(
        lineCrc32(bytes.subarray(start, start + length)),
      );
    }
  }
});
