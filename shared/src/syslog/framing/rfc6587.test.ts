import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../testing/seeded-random.ts";
import {
  decodeSyslogFrames,
  encodeOctetCounted,
  type FrameError,
  SyslogFrameDecoder,
} from "./rfc6587.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const texts = (frames: Uint8Array[]) => frames.map((frame) => decoder.decode(frame));

/** Feeds `stream` in chunks of `size` bytes and returns every frame as text. */
function decodeInChunks(stream: Uint8Array, size: number, frameDecoder = new SyslogFrameDecoder()) {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += size) {
    frames.push(...frameDecoder.push(stream.subarray(i, i + size)));
  }
  frames.push(...frameDecoder.end());
  return texts(frames);
}

const firewallLine =
  "<134>Jan 15 10:30:45 gw firewall,info input: in:ether1 out:(unknown 0), proto TCP (SYN), 203.0.113.9:40000->198.51.100.1:22, len 60";
const dhcpLine =
  "<134>Jan 15 10:30:46 gw dhcp,info guest assigned 10.20.1.7 for 3C:22:FB:11:22:33 phone";

describe("octet-counted framing", () => {
  test("frames follow each other without delimiters", () => {
    const stream = new Uint8Array([
      ...encodeOctetCounted(firewallLine),
      ...encodeOctetCounted(dhcpLine),
    ]);
    expect(decodeInChunks(stream, stream.length)).toEqual([firewallLine, dhcpLine]);
  });

  test("any chunking gives the same frames, even one byte at a time", () => {
    const stream = new Uint8Array([
      ...encodeOctetCounted(firewallLine),
      ...encodeOctetCounted("<13>1 - - - - - - ünïcödé counts bytes"),
      ...encodeOctetCounted(dhcpLine),
    ]);
    const whole = decodeInChunks(stream, stream.length);
    for (const size of [1, 2, 3, 7, 64]) expect(decodeInChunks(stream, size)).toEqual(whole);
    expect(whole[1]).toBe("<13>1 - - - - - - ünïcödé counts bytes");
  });

  test("a frame may hold LF: the count decides, not the line end", () => {
    const multiLine = "<13>1 - host app - - - first line\nsecond line";
    expect(decodeInChunks(encodeOctetCounted(multiLine), 5)).toEqual([multiLine]);
  });

  test("the encoder writes LEN in bytes, then a space", () => {
    expect(decoder.decode(encodeOctetCounted("ağ"))).toBe("3 ağ");
    expect(encodeOctetCounted(bytes("abc"))).toEqual(bytes("3 abc"));
  });
});

describe("LF (non-transparent) framing", () => {
  test("lines end at LF; CRLF and blank lines are tolerated", () => {
    const stream = bytes(`${firewallLine}\r\n\n${dhcpLine}\n`);
    expect(decodeInChunks(stream, 10)).toEqual([firewallLine, dhcpLine]);
  });

  test("a last line without LF comes out at end()", () => {
    expect(decodeInChunks(bytes(`${firewallLine}\n${dhcpLine}`), 16)).toEqual([
      firewallLine,
      dhcpLine,
    ]);
  });

  test("lines that start with digits but no `LEN SP` stay LF-framed", () => {
    const lines = [
      "2026-01-15T10:30:45+03:00 gw system,info router rebooted",
      "12:00:00 script,info hi",
    ];
    expect(decodeInChunks(bytes(`${lines.join("\n")}\n`), 4)).toEqual(lines);
  });
});

describe("framing is chosen per frame, as rsyslog does", () => {
  test("octet-counted and LF frames mixed on one connection", () => {
    const stream = new Uint8Array([
      ...encodeOctetCounted(firewallLine),
      ...bytes(`${dhcpLine}\n`),
      ...encodeOctetCounted("<13>Jan 15 10:30:47 gw script,info done"),
      ...bytes("\n"), // some senders end octet-counted frames with LF as well
      ...bytes("<13>Jan 15 10:30:48 gw script,info last\n"),
    ]);
    expect(decodeInChunks(stream, 9)).toEqual([
      firewallLine,
      dhcpLine,
      "<13>Jan 15 10:30:47 gw script,info done",
      "<13>Jan 15 10:30:48 gw script,info last",
    ]);
  });
});

describe("oversized and broken input", () => {
  test("an oversized octet-counted frame is skipped by its length, counted, and decoding goes on", () => {
    const errors: FrameError[] = [];
    const frameDecoder = new SyslogFrameDecoder({
      maxFrameBytes: 50,
      onFrameError: (e) => errors.push(e),
    });
    const big = `<13>${"x".repeat(200)}`;
    const stream = new Uint8Array([
      ...encodeOctetCounted(big),
      ...encodeOctetCounted("<13>small one"),
    ]);
    expect(decodeInChunks(stream, 13, frameDecoder)).toEqual(["<13>small one"]);
    expect(frameDecoder.stats.oversizedFrames).toBe(1);
    expect(frameDecoder.stats.discardedBytes).toBe(big.length);
    expect(errors).toEqual([{ kind: "oversized", bytes: big.length }]);
  });

  test("an oversized LF line is dropped up to its LF; memory stays bounded", () => {
    const frameDecoder = new SyslogFrameDecoder({ maxFrameBytes: 64 });
    const stream = bytes(`${"y".repeat(10_000)}\n<13>after the long line\n`);
    expect(decodeInChunks(stream, 100, frameDecoder)).toEqual(["<13>after the long line"]);
    expect(frameDecoder.stats.oversizedFrames).toBe(1);
  });

  test("a stream cut inside an octet-counted frame gives what arrived, counted as truncated", () => {
    const frameDecoder = new SyslogFrameDecoder();
    expect(texts(frameDecoder.push(bytes("40 <13>cut short")))).toEqual([]);
    expect(texts(frameDecoder.end())).toEqual(["<13>cut short"]);
    expect(frameDecoder.stats.truncatedFrames).toBe(1);
  });

  test("a digit run too long to be a length is text", () => {
    expect(decodeInChunks(bytes("12345678901234 not a count\n"), 3)).toEqual([
      "12345678901234 not a count",
    ]);
  });

  test("random bytes never throw", () => {
    const random = seededRandom(7);
    const frameDecoder = new SyslogFrameDecoder({ maxFrameBytes: 300 });
    for (let round = 0; round < 2000; round++) {
      const chunk = new Uint8Array(Math.floor(random() * 200));
      for (let i = 0; i < chunk.length; i++) {
        const roll = random();
        chunk[i] =
          roll < 0.2
            ? 48 + Math.floor(random() * 10)
            : roll < 0.3
              ? 32
              : roll < 0.35
                ? 10
                : Math.floor(random() * 256);
      }
      for (const frame of frameDecoder.push(chunk)) expect(frame.length).toBeLessThanOrEqual(300);
    }
    frameDecoder.end();
  });

  test("a bad maxFrameBytes fails at construction, naming the option", () => {
    expect(() => new SyslogFrameDecoder({ maxFrameBytes: 0 })).toThrow('"maxFrameBytes"');
    expect(() => new SyslogFrameDecoder({ maxFrameBytes: 1.5 })).toThrow('"maxFrameBytes"');
  });
});

test("decodeSyslogFrames reads an async stream of chunks", async () => {
  async function* chunks() {
    const stream = new Uint8Array([...encodeOctetCounted(firewallLine), ...bytes(`${dhcpLine}\n`)]);
    for (let i = 0; i < stream.length; i += 17) yield stream.subarray(i, i + 17);
  }
  const frames: string[] = [];
  for await (const frame of decodeSyslogFrames(chunks())) frames.push(decoder.decode(frame));
  expect(frames).toEqual([firewallLine, dhcpLine]);
});
