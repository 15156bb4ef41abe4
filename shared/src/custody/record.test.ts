import { describe, expect, test } from "bun:test";
import { isUtf8 } from "node:buffer";
import { seededRandom } from "../testing/seeded-random.ts";
import { CustodyError, type CustodyErrorCode } from "./errors.ts";
import {
  type DataRecordInput,
  datagramBytes,
  encodeDataRecord,
  encodeDataRecordInto,
  encodeGapRecord,
  isGapRecord,
  maxDataRecordBytes,
  parseRecordLine,
} from "./record.ts";

const HOUR_8_US = 1_795_334_400_000_000; // 2026-11-22T08:00:00Z
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER =
  '{"seq":7,"ts":"2026-11-22T08:00:00.123456Z","src":"192.168.88.1","port":51234,"transport":"udp",';

function input(bytes: Uint8Array, overrides: Partial<DataRecordInput> = {}): DataRecordInput {
  return {
    seq: 7,
    receivedAtUs: HOUR_8_US + 123_456,
    src: "192.168.88.1",
    port: 51234,
    transport: "udp",
    bytes,
    ...overrides,
  };
}

function lineOf(bytes: Uint8Array, overrides: Partial<DataRecordInput> = {}): string {
  return decoder.decode(encodeDataRecord(input(bytes, overrides)));
}

function expectCode(run: () => unknown, code: CustodyErrorCode): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CustodyError);
    expect((error as CustodyError).code).toBe(code);
    return;
  }
  throw new Error(`expected CustodyError ${code}`);
}

/** The escape RFC 8259 / JSON.stringify writes for a control character, spelled out independently. */
const CONTROL_ESCAPES: Record<number, string> = {
  8: "\\b",
  9: "\\t",
  10: "\\n",
  12: "\\f",
  13: "\\r",
};

describe("encodeDataRecord", () => {
  test("a realistic MikroTik datagram, fixed key order, \\n-terminated", () => {
    const msg = "<134>dhcp,info dhcp-guest assigned 10.20.30.40 for AA:BB:CC:DD:EE:FF";
    expect(lineOf(encoder.encode(msg))).toBe(`${HEADER}"msg":"${msg}"}\n`);
  });

  test("every control character U+0000..U+001F is escaped the RFC 8259 way", () => {
    for (let code = 0; code < 0x20; code++) {
      const escaped = CONTROL_ESCAPES[code] ?? `\\u00${code.toString(16).padStart(2, "0")}`;
      expect(lineOf(new Uint8Array([0x61, code, 0x62]))).toBe(`${HEADER}"msg":"a${escaped}b"}\n`);
    }
  });

  test.each([
    ['"', '\\"'],
    ["\\", "\\\\"],
    ["/", "/"], // solidus is not escaped
    ["\x7f", "\x7f"], // DEL is not a JSON control character
    ["\u2028\u2029", "\u2028\u2029"], // literal, as JSON.stringify writes them
    ["ş ğ İ ı ç ö ü Ş Ğ", "ş ğ İ ı ç ö ü Ş Ğ"],
    ["😀 emoji", "😀 emoji"],
    ["\ufeff<134>bom first", "\ufeff<134>bom first"], // a leading BOM is datagram content and stays
    ["", ""],
  ])("%j is written as %j", (text, written) => {
    const line = lineOf(encoder.encode(text));
    expect(line).toBe(`${HEADER}"msg":"${written}"}\n`);
  });

  test.each([
    ["lone 0xFF", [0xff], "/w=="],
    ["truncated 2-byte sequence", [0x3c, 0xc3], "PMM="],
    ["overlong '/'", [0xc0, 0xaf], "wK8="],
    ["UTF-8-encoded surrogate", [0xed, 0xa0, 0x80], "7aCA"],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], "9JCAgA=="],
    ["Latin-5 (ISO-8859-9) 'ş'", [0x3c, 0x31, 0x3e, 0xfe], "PDE+/g=="],
  ])("invalid UTF-8 (%s) goes to msg_b64", (_name, bytes, base64) => {
    expect(lineOf(new Uint8Array(bytes))).toBe(`${HEADER}"msg_b64":"${base64}"}\n`);
  });

  test("src: IPv6 without brackets, IPv4-mapped reduced, link-local zone kept", () => {
    const bytes = encoder.encode("x");
    expect(lineOf(bytes, { src: "2001:db8::7" })).toContain('"src":"2001:db8::7"');
    expect(lineOf(bytes, { src: "::ffff:192.168.88.1" })).toContain('"src":"192.168.88.1"');
    expect(lineOf(bytes, { src: "fe80::1%ether1" })).toContain('"src":"fe80::1%ether1"');
  });

  test("seq and ts accept number and bigint µs the same", () => {
    const bytes = encoder.encode("x");
    expect(lineOf(bytes, { receivedAtUs: BigInt(HOUR_8_US + 123_456) })).toBe(lineOf(bytes));
    expect(lineOf(bytes, { seq: 9_007_199_254_740_991 })).toContain('"seq":9007199254740991,');
  });

  test.each<[string, Partial<DataRecordInput>]>([
    ["seq 0", { seq: 0 }],
    ["fractional seq", { seq: 1.5 }],
    ["port 65536", { port: 65_536 }],
    ["unknown transport", { transport: "sctp" as "udp" }],
    ["a name as src", { src: "router.local" }],
    ["a quote in src", { src: '1.2.3.4"' }],
    ["bracketed IPv6", { src: "[2001:db8::1]" }],
    ["negative time", { receivedAtUs: -1 }],
  ])("refuses %s", (_name, overrides) => {
    expectCode(() => encodeDataRecord(input(encoder.encode("x"), overrides)), "invalid_argument");
  });
});

describe("encodeGapRecord", () => {
  const gap = {
    seq: 42,
    writtenAtUs: HOUR_8_US + 10_000_000,
    reason: "disk_full" as const,
    lost: 123,
    firstLostAtUs: HOUR_8_US + 1_000_000,
    lastLostAtUs: HOUR_8_US + 9_999_999,
  };

  test("fixed key order", () => {
    expect(decoder.decode(encodeGapRecord(gap))).toBe(
      '{"seq":42,"ts":"2026-11-22T08:00:10.000000Z","gap":{"reason":"disk_full","lost":123,' +
        '"first_ts":"2026-11-22T08:00:01.000000Z","last_ts":"2026-11-22T08:00:09.999999Z"}}\n',
    );
  });

  test.each([
    ["lost 0", { lost: 0 }],
    ["unknown reason", { reason: "cosmic_rays" as "other" }],
    ["first after last", { firstLostAtUs: HOUR_8_US + 9_999_999, lastLostAtUs: HOUR_8_US }],
  ])("refuses %s", (_name, overrides) => {
    expectCode(() => encodeGapRecord({ ...gap, ...overrides }), "invalid_argument");
  });

  test("parses back", () => {
    const record = parseRecordLine(encodeGapRecord(gap));
    expect(isGapRecord(record)).toBe(true);
    expect(record).toEqual({
      seq: 42,
      ts: "2026-11-22T08:00:10.000000Z",
      gap: {
        reason: "disk_full",
        lost: 123,
        first_ts: "2026-11-22T08:00:01.000000Z",
        last_ts: "2026-11-22T08:00:09.999999Z",
      },
    });
  });
});

/** Deterministic random datagrams: the same ones on every run. */
function randomBytesFrom(seed: number, asciiShare: number): (length: number) => Uint8Array {
  const next = seededRandom(seed);
  return (length) => {
    const bytes = new Uint8Array(length);
    // Mostly ASCII with some high bytes, so both msg and msg_b64 occur.
    for (let i = 0; i < length; i++) {
      bytes[i] = next() < asciiShare ? Math.floor(next() * 128) : 0x80 + Math.floor(next() * 128);
    }
    return bytes;
  };
}

/** Syslog-like text from a mixed alphabet; every 10th one has a character to escape. */
function textFrom(i: number): string {
  const alphabet = ["a", "Z", "0", " ", "<134>", "ş", "İ", "😀", "/", "\u007f", "\u2028", "\ufeff"];
  const special = ['"', "\\", "\n", "\u001b"];
  let text = "";
  for (let k = 0; k < i % 97; k++) text += alphabet[(i * 31 + k * 7) % alphabet.length];
  return i % 10 === 0 ? `${text}${special[i % special.length]}x` : text;
}

describe("encodeDataRecordInto", () => {
  test("writes what encodeDataRecord returns, and what decode + JSON.stringify spell, for 3000 random datagrams", () => {
    // The encoder never decodes (latin1 trick, see writeDataLine): check it
    // against the plain definition, the decoded payload through JSON.stringify.
    const randomBytes = randomBytesFrom(2028, 0.9);
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const target = Buffer.alloc(64 * 1024);
    let at = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes =
        i % 3 === 0
          ? encoder.encode(textFrom(i)) // valid UTF-8, mostly nothing to escape: bytes copied as they are
          : i % 7 === 0
            ? randomBytes(i % 40).map((b) => b % 0x30)
            : randomBytes(i % 300);
      const fields = input(bytes, { seq: i + 1 });
      if (target.byteLength - at < maxDataRecordBytes(bytes.byteLength)) at = 0;
      const length = encodeDataRecordInto(target, at, fields);
      const written = target.subarray(at, at + length);
      expect(Buffer.compare(written, encodeDataRecord(fields))).toBe(0);
      if (isUtf8(bytes)) {
        const reference = `{"seq":${i + 1},${HEADER.slice('{"seq":7,'.length)}"msg":${JSON.stringify(fatal.decode(bytes))}}\n`;
        expect(written.toString("utf8")).toBe(reference);
      }
      at += length;
    }
  });

  test("offset + length: a slot of a larger buffer gives the same line as its own bytes, seq of any width", () => {
    const slots = Buffer.alloc(4 * 2048, 0x7a);
    const payloads = ["<134>plain ascii", 'quote " and \\', "şİğ ünicode", "\u0000ctl"].map(
      (text) => encoder.encode(text),
    );
    payloads.push(new Uint8Array([0xff, 0xfe, 0x41]));
    const target = Buffer.alloc(4096);
    payloads.forEach((bytes, i) => {
      const at = (i % 4) * 2048 + 3;
      slots.set(bytes, at);
      for (const seq of [1, 9, 10, 4_294_967_296, Number.MAX_SAFE_INTEGER]) {
        const fields = input(bytes, { seq, receivedAtUs: HOUR_8_US + i });
        const length = encodeDataRecordInto(target, 5, {
          ...fields,
          bytes: slots,
          offset: at,
          length: bytes.byteLength,
        });
        expect(Buffer.compare(target.subarray(5, 5 + length), encodeDataRecord(fields))).toBe(0);
      }
    });
    expect(() =>
      encodeDataRecordInto(target, 0, input(slots, { offset: slots.byteLength - 1, length: 2 })),
    ).toThrow(RangeError);
  });

  test("refuses to write past the end of the target", () => {
    expect(() => encodeDataRecordInto(Buffer.alloc(40), 0, input(encoder.encode("x")))).toThrow(
      RangeError,
    );
  });
});

describe("UTF-8 validity", () => {
  // The encoder decides msg vs msg_b64 by node:buffer's isUtf8 alone; the
  // format's rule is the WHATWG fatal decoder's, so the two must never disagree.
  const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decodes = (bytes: Uint8Array) => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };

  test("isUtf8 and the fatal decoder agree on edge cases and 20000 random byte strings", () => {
    const edges = [
      [],
      [0x00],
      [0x7f],
      [0x80],
      [0xc2, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x9f, 0xbf],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80],
      [0xef, 0xbf, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xfe],
      [0xff],
      [0xef, 0xbb, 0xbf],
    ].map((bytes) => new Uint8Array(bytes));
    const randomBytes = randomBytesFrom(1923, 0.3);
    const random = Array.from({ length: 20_000 }, (_, i) => randomBytes(1 + (i % 12)));
    for (const bytes of [...edges, ...random]) {
      expect([bytes, isUtf8(bytes)]).toEqual([bytes, decodes(bytes)]);
    }
  });
});

describe("parseRecordLine", () => {
  test("round trip: the datagram bytes come back exactly, for 2000 random datagrams", () => {
    const randomBytes = randomBytesFrom(5651, 0.99);
    let base64Lines = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(i % 300);
      const line = encodeDataRecord(input(bytes, { seq: i + 1 }));
      const record = parseRecordLine(line);
      if (isGapRecord(record)) throw new Error("data expected");
      if ("msg_b64" in record) base64Lines++;
      expect(datagramBytes(record)).toEqual(bytes);
      // Every line is plain JSON any parser reads.
      expect(() => JSON.parse(decoder.decode(line))).not.toThrow();
    }
    expect(base64Lines).toBeGreaterThan(100);
    expect(base64Lines).toBeLessThan(1900);
  });

  test("accepts a line with or without its \\n", () => {
    const line = encodeDataRecord(input(encoder.encode("x")));
    expect(parseRecordLine(line)).toEqual(parseRecordLine(line.subarray(0, -1)));
  });

  const canonical = `${HEADER}"msg":"a\\u001fç"}`;
  test.each([
    [
      "keys reordered",
      `{"ts":"2026-11-22T08:00:00.123456Z","seq":7,"src":"192.168.88.1","port":51234,"transport":"udp","msg":"a\\u001fç"}`,
    ],
    ["space after colon", canonical.replace('"seq":7', '"seq": 7')],
    ["upper-case hex escape", canonical.replace("\\u001f", "\\u001F")],
    ["escaped non-ASCII", canonical.replace("ç", "\\u00e7")],
    ["escaped solidus", `${HEADER}"msg":"a\\/b"}`],
    ["seq as 7.0", canonical.replace('"seq":7', '"seq":7.0')],
    ["duplicate key", canonical.replace('"seq":7', '"seq":7,"seq":7')],
    ["msg_b64 for valid UTF-8", `${HEADER}"msg_b64":"YQ=="}`],
    ["msg_b64 without padding", `${HEADER}"msg_b64":"/w"}`],
    ["msg_b64 URL-safe alphabet", `${HEADER}"msg_b64":"_w=="}`],
    ["lone surrogate escape", `${HEADER}"msg":"\\ud800"}`],
    ["CRLF ending", `${canonical}\r`],
  ])("rejects a non-canonical line: %s", (_name, text) => {
    expectCode(() => parseRecordLine(encoder.encode(text)), "non_canonical_record");
  });

  test("the canonical line itself is accepted", () => {
    expect(parseRecordLine(encoder.encode(canonical))).toMatchObject({ seq: 7, msg: "a\u001fç" });
  });

  test.each([
    ["not JSON", "hello"],
    ["an array", "[1,2]"],
    ["missing msg", HEADER.replace(/,$/, "}")],
    ["both msg and msg_b64", `${HEADER}"msg":"a","msg_b64":"YQ=="}`],
    ["unknown key", `${HEADER}"msg":"a","extra":1}`],
    ["seq 0", canonical.replace('"seq":7', '"seq":0')],
    ["ts with 3 digits", canonical.replace(".123456Z", ".123Z")],
    ["transport sctp", canonical.replace('"udp"', '"sctp"')],
    ["src not an address", canonical.replace('"192.168.88.1"', '"router"')],
    ["IPv4-mapped src", canonical.replace('"192.168.88.1"', '"::ffff:192.168.88.1"')],
    [
      "gap with lost 0",
      '{"seq":1,"ts":"2026-11-22T08:00:00.000000Z","gap":{"reason":"other","lost":0,"first_ts":"2026-11-22T08:00:00.000000Z","last_ts":"2026-11-22T08:00:00.000000Z"}}',
    ],
    [
      "gap first_ts after last_ts",
      '{"seq":1,"ts":"2026-11-22T08:00:00.000000Z","gap":{"reason":"other","lost":1,"first_ts":"2026-11-22T08:00:01.000000Z","last_ts":"2026-11-22T08:00:00.000000Z"}}',
    ],
    ["BOM before the line", `\ufeff${canonical}`],
  ])("rejects an invalid line: %s", (_name, text) => {
    expectCode(() => parseRecordLine(encoder.encode(text)), "invalid_record");
  });

  test("rejects a line that is not UTF-8", () => {
    const bytes = encoder.encode(`${HEADER}"msg":"ab"}`);
    bytes[bytes.length - 3] = 0xff;
    expectCode(() => parseRecordLine(bytes), "invalid_record");
  });

  test("errors name the field", () => {
    expect(() => parseRecordLine(encoder.encode(canonical.replace('"udp"', '"sctp"')))).toThrow(
      /transport/,
    );
  });
});
