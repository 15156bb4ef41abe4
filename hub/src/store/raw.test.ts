import { describe, expect, test } from "bun:test";
import { copyPieces } from "./raw.ts";

describe("copyPieces", () => {
  test("cuts COPY text after whole rows and loses nothing", () => {
    const row = `${"é".repeat(40_000)}\tğ\n`;
    const text = row.repeat(5);
    const pieces = [...copyPieces(text)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) expect(piece.endsWith("\n")).toBe(true);
  });

  test("text without a newline near the end is one piece, and empty text none", () => {
    expect([...copyPieces("a\tb")]).toEqual(["a\tb"]);
    expect([...copyPieces("")]).toEqual([]);
  });
});
