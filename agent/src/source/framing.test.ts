import { expect, test } from "bun:test";
import { SyslogFrameDecoder } from "./framing.ts";

const text = (events: ReturnType<SyslogFrameDecoder["push"]>) =>
  events.map((event) =>
    event.kind === "frame" ? new TextDecoder().decode(event.bytes) : `!${event.reason}`,
  );

test("octet counting and LF framing, split across reads", () => {
  const decoder = new SyslogFrameDecoder(100);
  const bytes = new TextEncoder().encode("5 hello<13>line one\r\n11 <13>has\nLF!<14>tail");
  expect(text(decoder.push(bytes.subarray(0, 9)))).toEqual(["hello"]);
  expect(text(decoder.push(bytes.subarray(9)))).toEqual(["<13>line one", "<13>has\nLF!"]);
  expect(text(decoder.finish())).toEqual(["<14>tail"]);
});

test("over-long frames are rejected and the stream resynchronises", () => {
  const decoder = new SyslogFrameDecoder(8);
  expect(text(decoder.push(new TextEncoder().encode("<13>much too long\n<13>ok\n")))).toEqual([
    "!frame_too_long",
    "<13>ok",
  ]);
});
