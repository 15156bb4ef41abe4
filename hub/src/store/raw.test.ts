import { describe, expect, test } from "bun:test";
import { copyPieces } from "./raw.ts";

describe("copyPieces", () => {
  test("cuts COPY data into socket-sized pieces and loses nothing", () => {
    const data = new Uint8Array(700_000).map((_, i) => i % 251);
    const pieces = [...copyPieces(data)];
    expect(pieces.map((piece) => piece.byteLength)).toEqual([262_144, 262_144, 175_712]);
    expect(Buffer.concat(pieces).equals(Buffer.from(data))).toBe(true);
  });

  test("no data is no piece", () => {
    expect([...copyPieces(new Uint8Array(0))]).toEqual([]);
  });
});
