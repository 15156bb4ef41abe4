import { describe, expect, test } from "bun:test";
import { syslogEventSchema } from "./event.ts";
import { parseSyslog } from "./index.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");

/** Parses and checks the result against the contract's schema. */
function parse(input: string | Uint8Array) {
  return syslogEventSchema.parse(parseSyslog(input, { receivedAt }));
}

describe("parseSyslog: the contract", () => {
  test("the three fields every event has", () => {
    for (const line of ["", "x", "<13>", "<13>1", "<999>hi", "\u0000", "CEF:", "12:00:00"]) {
      const event = parse(line);
      expect(typeof event["event.original"]).toBe("string");
      expect(typeof event.message).toBe("string");
      expect(event["log.syslog.format"]).toBeDefined();
    }
  });

  test("an empty line is flagged", () => {
    expect(parse("")).toEqual({
      "event.original": "",
      message: "",
      "log.syslog.format": "raw",
      "error.message": "empty line",
    });
  });

  test("bytes: invalid UTF-8 becomes U+FFFD, event.original holds the decoded text", () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode("<13>Mar 10 11:58:02 gw app: caf"),
      0xe9,
      0xff,
    ]);
    const event = parse(bytes);
    expect(event["event.original"]).toBe("<13>Mar 10 11:58:02 gw app: caf\uFFFD\uFFFD");
    expect(event.message).toBe("caf\uFFFD\uFFFD");
    expect(event["log.syslog.hostname"]).toBe("gw");
  });

  test("a trailing LF / CRLF is not part of the message, event.original keeps it", () => {
    const event = parse("<13>Mar 10 11:58:02 gw app: done\r\n");
    expect(event.message).toBe("done");
    expect(event["event.original"]).toBe("<13>Mar 10 11:58:02 gw app: done\r\n");
  });

  test("a BOM before the whole line is skipped for parsing", () => {
    expect(parse("\uFEFF<13>Mar 10 11:58:02 gw app: done")["log.syslog.hostname"]).toBe("gw");
  });

  test("priority above 191, a missing '>', NUL bytes: an object, flagged where wrong", () => {
    const high = parse("<200>Mar 10 11:58:02 gw app: m");
    expect(high["error.message"]).toContain("out of range");
    expect(high["log.syslog.priority"]).toBeUndefined();
    expect(high["log.syslog.hostname"]).toBe("gw");

    const open = parse("<13 Mar 10 11:58:02 gw app: m");
    expect(open["log.syslog.format"]).toBe("raw");
    expect(open["error.message"]).toContain("no closing '>'");

    const nul = parse("<13>Mar 10 11:58:02 gw app: a\u0000b");
    expect(nul.message).toBe("a\u0000b");
  });

  test("64 KiB lines", () => {
    const long = `<13>1 2026-03-10T12:00:00Z gw app - - - ${"x".repeat(65_536)}`;
    expect(parse(long).message).toHaveLength(65_536);
    expect(parse("<".repeat(65_536))["log.syslog.format"]).toBe("raw");
    expect(parse("a,".repeat(32_768))["log.syslog.format"]).toBeDefined();
  });

  test("a line with no header at all is raw and flagged", () => {
    const event = parse("hello world");
    expect(event).toMatchObject({ "log.syslog.format": "raw", message: "hello world" });
    expect(event["error.message"]).toBe("no syslog header found");
  });

  test("a bad receivedAt or offset falls back instead of failing", () => {
    const event = syslogEventSchema.parse(
      parseSyslog("<13>Mar 10 11:58:02 gw app: m", {
        receivedAt: new Date(Number.NaN),
        deviceUtcOffsetMinutes: Number.POSITIVE_INFINITY,
      }),
    );
    expect(event["@timestamp"]).toMatch(/^\d{4}-03-10T11:58:02\.000Z$/);
  });
});

describe("the RouterOS extractor's fields are merged, the header's win", () => {
  test("header IPs and message IPs end up together in related.ip", () => {
    const event = parse(
      "2026-03-10T11:00:00Z 10.0.0.1 firewall,info forward: in:vlan20 out:ether1, proto TCP (SYN), 10.20.1.7:50000->93.184.216.34:443, len 60",
    );
    expect(event["related.ip"]).toEqual(
      expect.arrayContaining(["10.0.0.1", "10.20.1.7", "93.184.216.34"]),
    );
    const related = event["related.ip"] ?? [];
    expect(new Set(related).size).toBe(related.length);
    expect(event["log.syslog.hostname"]).toBe("10.0.0.1");
  });

  test("RFC 5424 lines are not RouterOS: no routeros.* guesses", () => {
    const event = parse("<13>1 2026-03-10T12:00:00Z sw1 lldpd - - - neighbor 10.0.0.9 added");
    expect(event["event.dataset"]).toBeUndefined();
  });
});

test("the doc comment's example", () => {
  const event = parseSyslog(
    "<134>Jan 15 10:30:45 gw firewall,info input: in:ether1 out:(unknown 0), proto UDP, 203.0.113.9:5000->198.51.100.1:53, len 72",
    { receivedAt: new Date("2026-01-15T07:30:46Z"), deviceUtcOffsetMinutes: 180 },
  );
  expect(event).toMatchObject({
    "log.syslog.format": "rfc3164",
    "@timestamp": "2026-01-15T07:30:45.000Z",
    "log.syslog.hostname": "gw",
    "routeros.topics": ["firewall", "info"],
  });
});
