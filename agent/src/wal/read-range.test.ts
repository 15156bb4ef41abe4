import { expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRange } from "./read-range.ts";

test("reads the asked range, and only what there is at the end of the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "lm-read-range-"));
  const path = join(dir, "data");
  writeFileSync(path, "0123456789");
  const fd = openSync(path, "r");
  try {
    expect(new TextDecoder().decode(readRange(fd, 2, 5))).toBe("23456");
    expect(new TextDecoder().decode(readRange(fd, 7, 100))).toBe("789");
    expect(readRange(fd, 10, 4).byteLength).toBe(0);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
