import { describe, expect, test } from "bun:test";
import { BatchDecodeError, decompressBatch, inspectZstdFrame } from "./zstd.ts";

const MiB = 1024 * 1024;

describe("bounded zstd batches", () => {
  const text = new TextEncoder().encode('{"seq":1}\n'.repeat(1000));

  test("a frame from Bun.zstdCompressSync decodes to its declared length", () => {
    const body = Bun.zstdCompressSync(text);
    expect(inspectZstdFrame(body).contentSize).toBe(text.byteLength);
    expect(decompressBatch(body, text.byteLength, MiB)).toEqual(text);
  });

  test("a bomb (256 MiB of zeros in a few KiB) is refused before decoding", () => {
    const bomb = Bun.zstdCompressSync(new Uint8Array(256 * MiB));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const attempt = () => decompressBatch(bomb, 10, 64 * MiB);
    expect(attempt).toThrow(BatchDecodeError);
    try {
      attempt();
    } catch (error) {
      expect((error as BatchDecodeError).tooLarge).toBe(true);
    }
  });

  test("length mismatch, garbage, two frames and truncation are malformed, not too large", () => {
    const body = Bun.zstdCompressSync(text);
    for (const bad of [
      () => decompressBatch(body, text.byteLength - 1, MiB),
      () => decompressBatch(new TextEncoder().encode("plain text"), 10, MiB),
      () => decompressBatch(Buffer.concat([body, body]), text.byteLength, MiB),
      () => decompressBatch(body.subarray(0, body.byteLength - 2), text.byteLength, MiB),
    ]) {
      expect(bad).toThrow(BatchDecodeError);
    }
  });
});
