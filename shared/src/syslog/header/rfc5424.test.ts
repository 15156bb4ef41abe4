import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../index.ts";
import { detectRfc5424 } from "./rfc5424.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");
const parse = (line: string | Uint8Array) => parseSyslog(line, { receivedAt });

describe("RFC 5424 header", () => {
  test("every field of a switch's line", () => {
    const event = parse(
      '<189>1 2026-03-10T14:59:58.250+03:00 sw-lobby-2 ifmgr 412 LINK [origin ip="10.0.0.12" software="swos"][port@41112 id="17" speed="1G"] port 17 link up',
    );
    expect(event).toMatchObject({
      "log.syslog.format": "rfc5424",
      "log.syslog.priority": 189,
      "log.syslog.facility.name": "local7",
      "log.syslog.severity.name": "notice",
      "log.syslog.version": 1,
      "log.syslog.timestamp_raw": "2026-03-10T14:59:58.250+03:00",
      "@timestamp": "2026-03-10T11:59:58.250Z",
      "log.syslog.hostname": "sw-lobby-2",
      "log.syslog.appname": "ifmgr",
      "log.syslog.procid": "412",
      "log.syslog.msgid": "LINK",
      "log.syslog.structured_data": {
        origin: { ip: "10.0.0.12", software: "swos" },
        "port@41112": { id: "17", speed: "1G" },
      },
      message: "port 17 link up",
    });
    expect(event["error.message"]).toBeUndefined();
  });

  test("NILVALUE fields are absent, an empty MSG is an empty message", () => {
    const event = parse("<14>1 - - - - - -");
    expect(event).toMatchObject({ "log.syslog.version": 1, message: "" });
    for (const key of [
      "@timestamp",
      "log.syslog.hostname",
      "log.syslog.appname",
      "log.syslog.procid",
      "log.syslog.msgid",
      "log.syslog.structured_data",
      "error.message",
    ] as const) {
      expect(event[key]).toBeUndefined();
    }
  });

  test('SD escapes: \\] \\" \\\\ inside values', () => {
    const event = parse(
      String.raw`<13>1 2026-03-10T12:00:00Z h a - - [x@1 path="C:\\temp" quote="say \"hi\"" br="[a\]"] m`,
    );
    expect(event["log.syslog.structured_data"]).toEqual({
      "x@1": { path: "C:\\temp", quote: 'say "hi"', br: "[a]" },
    });
    expect(event.message).toBe("m");
    expect(event["error.message"]).toBeUndefined();
  });

  test("a BOM before MSG is not part of the message; event.original keeps it", () => {
    const line = "<13>1 2026-03-10T12:00:00Z h a - - - \uFEFFçay saati";
    const event = parse(new TextEncoder().encode(line));
    expect(event.message).toBe("çay saati");
    expect(event["event.original"]).toBe(line);
  });

  test("MSG after a BOM must be UTF-8: invalid bytes are flagged, still decoded", () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode("<13>1 - - - - - - \uFEFFok "),
      0xc3,
      0x28,
    ]);
    const event = parse(bytes);
    expect(event.message).toBe("ok \uFFFD(");
    expect(event["error.message"]).toContain("not valid UTF-8");
    // Without a BOM the encoding of MSG is unknown: no complaint.
    const noBom = parse(
      new Uint8Array([...new TextEncoder().encode("<13>1 - - - - - - ok "), 0xff]),
    );
    expect(noBom["error.message"]).toBeUndefined();
  });

  test("microseconds and offsets become ISO UTC", () => {
    expect(parse("<13>1 2026-03-10T05:14:15.000003-07:00 h - - - -")["@timestamp"]).toBe(
      "2026-03-10T12:14:15.000003Z",
    );
  });
});

describe("invalid RFC 5424 is read as far as it goes and flagged", () => {
  const cases: [string, string][] = [
    ["<13>1 2026-02-30T10:00:00Z h a - - - m", "timestamp date out of range"],
    ["<13>1 2026-03-10t10:00:00Z h a - - - m", "lowercase 't'"],
    ["<13>1 10-03-2026T10:00:00Z h a - - - m", "TIMESTAMP is not an RFC 3339 date-time"],
    ["<13>1 - h  a - - - m", "more than one space"],
    [`<13>1 - h ${"a".repeat(49)} - - - m`, "APP-NAME longer than 48"],
    ["<13>1 - h a - - X m", "STRUCTURED-DATA is neither"],
    ["<13>1 - h a - - [] m", "SD-ID missing"],
    ['<13>1 - h a - - [id k="v"][id k="w"] m', "duplicate SD-ID id"],
    ['<13>1 - h a - - [id k="unterminated] m', "no closing quote"],
    ['<13>1 - h a - - [id k="a]b"] m', "unescaped ']'"],
    ["<13>1 - h a", "header ends before PROCID"],
    ["<13>1", "header ends before TIMESTAMP"],
  ];
  for (const [line, reason] of cases) {
    test(reason, () => {
      const event = parse(line);
      expect(event["log.syslog.format"]).toBe("rfc5424");
      expect(event["error.message"]).toContain(reason);
      expect(event["log.syslog.priority"]).toBe(13);
    });
  }

  test("the fields before the break are kept", () => {
    const event = parse('<13>1 2026-03-10T10:00:00Z host-a app 77 ID9 [ok a="1"][bad');
    expect(event).toMatchObject({
      "@timestamp": "2026-03-10T10:00:00.000Z",
      "log.syslog.hostname": "host-a",
      "log.syslog.appname": "app",
      "log.syslog.procid": "77",
      "log.syslog.msgid": "ID9",
      "log.syslog.structured_data": { ok: { a: "1" } },
    });
    expect(event["error.message"]).toBeDefined();
  });

  test("a non-RFC SD (Check Point style) is kept raw, and the MSG after it found", () => {
    const event = parse(
      '<134>1 2026-03-10T10:00:00Z fw1 CheckPoint 9 - [action:"Accept"; src:"10.1.2.3"; rule:"a\\]b"] session log',
    );
    expect(event["log.syslog.structured_data_raw"]).toBe(
      '[action:"Accept"; src:"10.1.2.3"; rule:"a\\]b"]',
    );
    expect(event.message).toBe("session log");
    expect(event["error.message"]).toBeDefined();
  });

  test("`name= \"value\"` (space after '=') is read without complaint, as rsyslog does", () => {
    const event = parse('<13>1 - h a - - [id k= "v"] m');
    expect(event["log.syslog.structured_data"]).toEqual({ id: { k: "v" } });
    expect(event["error.message"]).toBeUndefined();
  });

  test("an SD-ID named __proto__ stays a plain key", () => {
    const event = parse('<13>1 - h a - - [__proto__ polluted="yes"] m');
    expect(Object.keys(event["log.syslog.structured_data"] ?? {})).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

test("detectRfc5424", () => {
  expect(detectRfc5424("<13>1 - - -", 4)).toBe("version");
  expect(detectRfc5424("<13>12", 4)).toBe("version");
  expect(detectRfc5424("<13>A 2026-03-10T10:00:00Z h", 4)).toBe("bad-version");
  expect(detectRfc5424("<13>Mar 10 10:00:00 h", 4)).toBeUndefined();
  expect(detectRfc5424("<13>2026-03-10T10:00:00Z h", 4)).toBeUndefined();
  expect(detectRfc5424("<13>1000 x", 4)).toBeUndefined();
});
