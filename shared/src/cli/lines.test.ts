import { describe, expect, test } from "bun:test";
import { readLines } from "./lines.ts";

function streamOf(...chunks: (string | number[])[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(
          typeof chunk === "string" ? encoder.encode(chunk) : new Uint8Array(chunk),
        );
      }
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, max?: number): Promise<number[][]> {
  const lines: number[][] = [];
  for await (const line of readLines(stream, max)) lines.push([...line]);
  return lines;
}

const bytes = (text: string) => [...new TextEncoder().encode(text)];

describe("readLines", () => {
  test("joins lines split across chunks and keeps the last unterminated one", async () => {
    expect(await collect(streamOf("ab", "c\nde", "f\ng"))).toEqual([
      bytes("abc"),
      bytes("def"),
      bytes("g"),
    ]);
  });

  test("drops CR of CRLF endings and keeps empty lines", async () => {
    expect(await collect(streamOf("a\r\n\r\nb\n"))).toEqual([bytes("a"), [], bytes("b")]);
  });

  test("passes invalid UTF-8 through untouched", async () => {
    expect(await collect(streamOf([0xff, 0xfe, 10, 0x41]))).toEqual([[0xff, 0xfe], [0x41]]);
  });

  test("cuts a line longer than the limit into pieces instead of buffering it", async () => {
    const lines = await collect(streamOf("x".repeat(10), "y\n"), 8);
    expect(lines).toEqual([bytes("xxxxxxxx"), bytes("xxy")]);
  });
});
