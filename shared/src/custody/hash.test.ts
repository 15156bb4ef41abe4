import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMPTY_SHA256, IncrementalSha256, sha256Hex, sha256OfFile } from "./hash.ts";

describe("sha256", () => {
  test("known values", () => {
    expect(sha256Hex(new Uint8Array())).toBe(EMPTY_SHA256);
    expect(sha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("incremental: digest at any point, then keep going", () => {
    const running = new IncrementalSha256();
    expect(running.digestHex()).toBe(EMPTY_SHA256);
    running.update(new TextEncoder().encode("a"));
    expect(running.digestHex()).toBe(sha256Hex("a"));
    running.update(new TextEncoder().encode("bc"));
    expect(running.digestHex()).toBe(sha256Hex("abc"));
    expect(running.byteLength).toBe(3);
  });

  test("a file bigger than one stream piece, with progress", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custody-hash-"));
    try {
      const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
      const path = join(dir, "records.jsonl");
      writeFileSync(path, bytes);
      const progress: number[] = [];
      const result = await sha256OfFile(path, (done, total) => {
        expect(total).toBe(bytes.byteLength);
        progress.push(done);
      });
      expect(result).toEqual({
        sha256Hex: createHash("sha256").update(bytes).digest("hex"),
        byteLength: bytes.byteLength,
      });
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)).toBe(bytes.byteLength);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an empty file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custody-hash-"));
    try {
      const path = join(dir, "records.jsonl");
      writeFileSync(path, "");
      expect(await sha256OfFile(path)).toEqual({ sha256Hex: EMPTY_SHA256, byteLength: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
