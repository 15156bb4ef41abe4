import { describe, expect, test } from "bun:test";
import { CopyBytes, copyPieces } from "./raw.ts";

describe("copyPieces", () => {
  const row = `${"é".repeat(100_000)}\tğ\n`;
  const text = row.repeat(5);

  test("cuts COPY text after whole rows and loses nothing", () => {
    const pieces = [...copyPieces(text)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) expect(piece.endsWith("\n")).toBe(true);
  });

  test("cuts UTF-8 bytes the same way, between rows, never inside a character", () => {
    const bytes = new TextEncoder().encode(text);
    const pieces = [...copyPieces(bytes)];
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece[piece.byteLength - 1]).toBe(0x0a);
    expect(pieces.map((piece) => new TextDecoder().decode(piece)).join("")).toBe(text);
  });

  test("text without a newline near the end is one piece, and empty text none", () => {
    expect([...copyPieces("a\tb")]).toEqual(["a\tb"]);
    expect([...copyPieces("")]).toEqual([]);
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
