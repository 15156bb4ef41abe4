import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { disclosedLineSchema, discloseLines, lineIsInChunk } from "./disclosure.ts";
import { hasMerkleRoot, parseManifest } from "./manifest.ts";

const VECTORS = join(import.meta.dir, "../../../tests/vectors/v1.1");
const chunk = (name: string) => ({
  records: new Uint8Array(readFileSync(join(VECTORS, name, "records.jsonl"))),
  manifest: parseManifest(new Uint8Array(readFileSync(join(VECTORS, name, "manifest.json"))))
    .manifest,
});

describe("disclosed lines", () => {
  const { records, manifest } = chunk("chunk-3");
  if (!hasMerkleRoot(manifest)) throw new Error("chunk-3 of the v1.1 vectors is format 1.1");
  const seqs = new TextDecoder()
    .decode(records)
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { seq: number }).seq);

  test("each asked-for line, with its index and path, proves itself against the signed root", () => {
    const asked = new Set([seqs[1] as number, seqs[4] as number, 999_999]);
    const { lines, missing, size } = discloseLines(records, asked);
    expect(size).toBe(manifest.record_count);
    expect(missing).toEqual([999_999]);
    expect(lines.map((line) => line.index)).toEqual([1, 4]);
    for (const line of lines) {
      expect(disclosedLineSchema.parse(line)).toEqual(line);
      expect(new TextDecoder().decode(records).split("\n")[line.index]).toBe(line.line);
      expect(lineIsInChunk(line, manifest)).toBe(true);
    }
  });

  test("a changed byte, another index, a shortened path or another chunk's root each fail", () => {
    const [line] = discloseLines(records, new Set([seqs[2] as number])).lines;
    if (!line) throw new Error("no line");
    expect(
      lineIsInChunk({ ...line, line: line.line.replace(/"seq":\d+/, '"seq":7') }, manifest),
    ).toBe(false);
    expect(lineIsInChunk({ ...line, index: line.index + 1 }, manifest)).toBe(false);
    expect(lineIsInChunk({ ...line, audit_path: line.audit_path.slice(1) }, manifest)).toBe(false);
    const other = chunk("chunk-4").manifest;
    if (!hasMerkleRoot(other)) throw new Error("chunk-4 of the v1.1 vectors is format 1.1");
    expect(lineIsInChunk(line, other)).toBe(false);
  });
});
