import { describe, expect, test } from "bun:test";
import { CopyBytes, copyPieces } from "./raw.ts";

describe("copyPieces", () => {
  const row = `${"é".repeat(100_000)}\tğ\n`;
  const text = row.repeat(5);
  const utf8 = (value: string) => new TextEncoder().encode(value);
  const decoded = (pieces: Uint8Array[]) => pieces.map((piece) => new TextDecoder().decode(piece));

  test("cuts COPY rows after whole rows, never inside a character, and loses nothing", () => {
    const pieces = [...copyPieces(utf8(text))];
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece[piece.byteLength - 1]).toBe(0x0a);
    expect(decoded(pieces).join("")).toBe(text);
  });

  test("rows without a newline near the end are one piece, and no rows none", () => {
    expect(decoded([...copyPieces(utf8("a\tb"))])).toEqual(["a\tb"]);
    expect([...copyPieces(utf8(""))]).toEqual([]);
  });
});

describe("CopyBytes", () => {
  test("rows pushed as text come out as their UTF-8, across growth of the buffer", () => {
    const out = new CopyBytes();
    const rows = Array.from({ length: 3000 }, (_, i) => `${i}\tŞişli İzmir ${"x".repeat(i)}\n`);
    for (const row of rows) out.push(row);
    expect(new TextDecoder().decode(out.bytes())).toBe(rows.join(""));
  });
});
