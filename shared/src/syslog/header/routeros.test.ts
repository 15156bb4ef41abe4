import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../index.ts";
import { isRouterOsSubject, readTopics } from "./routeros.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");
const parse = (line: string) => parseSyslog(line, { receivedAt });

describe("readTopics", () => {
  test("comma lists with a known topic, wherever topics may stand", () => {
    expect(readTopics("firewall,info input: in:x", 0, "possible")).toEqual({
      topics: ["firewall", "info"],
      bodyStart: 14,
    });
    expect(
      readTopics("hotspot,account,info,debug oda-412 (10.20.1.7): logged in", 0, "possible")
        ?.topics,
    ).toEqual(["hotspot", "account", "info", "debug"]);
    expect(readTopics("system,error,critical", 0, "possible")).toEqual({
      topics: ["system", "error", "critical"],
      bodyStart: 21,
    });
  });

  test("a single word only where the format puts topics", () => {
    expect(readTopics("ipsec phase1 negotiation failed", 0, "possible")).toBeUndefined();
    expect(readTopics("ipsec phase1 negotiation failed", 0, "expected")?.topics).toEqual(["ipsec"]);
    expect(readTopics("user admin logged in", 0, "expected")).toBeUndefined();
  });

  test("not topics: unknown words only, capitals, empty words, other characters", () => {
    for (const text of [
      "foo,bar x",
      "Firewall,Info x",
      "dhcp,,info x",
      "dhcp, info",
      "dhcp,info: x",
      "dhcp,",
    ]) {
      expect(readTopics(text, 0, "possible")).toBeUndefined();
    }
  });

  test("spaces after the token are skipped", () => {
    expect(readTopics("dhcp,error  address differs", 0, "possible")?.bodyStart).toBe(12);
  });
});

describe("isRouterOsSubject", () => {
  /** The verdict on the `name:` at the start of `line`. */
  const subject = (line: string) => {
    const colon = line.indexOf(": ");
    return isRouterOsSubject(line, 0, colon, colon + 2);
  };

  test("interfaces, PPP server interfaces and firewall chains are subjects", () => {
    for (const line of [
      "input: in:ether1 out:(unknown 0)",
      "pppoe-out1: connected",
      "wifi-5ghz: station left",
      "lo: x",
      "ether2: dropped IP packet on untrusted port",
      "wlan1: 00:80:48:41:AF:2A not in local ACL, by default accept",
      "test2: expired prefix: 2001:db8:aa:2::/64",
      "<pppoe-oda-412>: authenticated",
      "<l2tp-teknik>: connected",
    ]) {
      expect(subject(line)).toBe(true);
    }
  });

  test("an identity ending in a number is followed by a message with its own lead", () => {
    for (const line of [
      "ANT-GW01: forward: in:vlan20 out:ether1, proto TCP",
      "ANT-GW01: winbox-wan input: in:ether1-wan out:(unknown 0)",
      "GW1: pppoe-out1: connected",
      "GW1: <pppoe-oda-412>: authenticated",
      "GW1: dhcp-guest assigned 10.20.4.17 for 3C:22:FB:11:22:33",
      "GW1: user admin logged in from 10.0.0.2 via winbox",
      "GW1: login failure for user root from 1.2.3.4 via ssh",
      "GW1: oda-412 (10.20.4.17): logged in",
      "GW1: oda-412 logged in, 10.50.0.12",
      "GW1: 00:80:48:41:AF:2A@wlan1: connected",
    ]) {
      expect(subject(line)).toBe(false);
    }
  });

  test("other names are tags", () => {
    expect(subject("MikroTik: user admin")).toBe(false);
    expect(subject("%PIX-7-710005: UDP request discarded")).toBe(false);
    expect(subject("wget: saving to")).toBe(false);
  });
});

describe("RouterOS default remote format: <PRI>topics message", () => {
  test("topics right after the PRI, no time, no host", () => {
    const event = parse(
      "<134>firewall,info drop-in input: in:ether1 out:(unknown 0), proto UDP, 198.51.100.7:5000->203.0.113.1:53, len 72",
    );
    expect(event).toMatchObject({
      "log.syslog.format": "routeros",
      "log.syslog.priority": 134,
      "routeros.topics": ["firewall", "info"],
      message:
        "drop-in input: in:ether1 out:(unknown 0), proto UDP, 198.51.100.7:5000->203.0.113.1:53, len 72",
    });
    expect(event["@timestamp"]).toBeUndefined();
    expect(event["error.message"]).toBeUndefined();
  });

  test("a rule prefix after the topics becomes the appname", () => {
    expect(
      parse("<14>system,info,account Otel-GW: user admin logged out from 10.0.0.2 via winbox"),
    ).toMatchObject({
      "log.syslog.appname": "Otel-GW",
      "routeros.topics": ["system", "info", "account"],
      message: "user admin logged out from 10.0.0.2 via winbox",
    });
  });

  test("a single topic word after the PRI", () => {
    expect(parse("<14>ipsec peer 203.0.113.9 not responding")).toMatchObject({
      "log.syslog.format": "routeros",
      "routeros.topics": ["ipsec"],
      message: "peer 203.0.113.9 not responding",
    });
  });

  test("multi-line continuations keep their indentation", () => {
    expect(parse("<15>dhcp,debug,packet gw:     Server-Id = 10.0.0.1").message).toBe(
      "    Server-Id = 10.0.0.1",
    );
  });
});

describe("/log print lines and bare lines", () => {
  test("time-only, month/day, month/day/year and ISO date forms", () => {
    expect(
      parse("09:41:07 dhcp,info guest assigned 10.20.3.4 for 3C:22:FB:11:22:33 tablet"),
    ).toMatchObject({
      "log.syslog.format": "routeros",
      "@timestamp": "2026-03-10T09:41:07.000Z",
      "log.syslog.timestamp_raw": "09:41:07",
      "routeros.topics": ["dhcp", "info"],
      message: "guest assigned 10.20.3.4 for 3C:22:FB:11:22:33 tablet",
    });
    expect(
      parse("feb/27 09:41:07 system,info,account user ops logged in from 10.0.0.9 via ssh"),
    ).toMatchObject({
      "@timestamp": "2026-02-27T09:41:07.000Z",
      "routeros.topics": ["system", "info", "account"],
    });
    expect(parse("feb/27/2025 09:41:07 system,info device changed by ops")["@timestamp"]).toBe(
      "2025-02-27T09:41:07.000Z",
    );
    expect(parse("2025-02-27 09:41:07 script,warning backup failed")).toMatchObject({
      "@timestamp": "2025-02-27T09:41:07.000Z",
      "routeros.topics": ["script", "warning"],
      message: "backup failed",
    });
  });

  test("bare topics and message", () => {
    expect(
      parse("wireless,info 3C:22:FB:11:22:33@wlan2: connected, signal strength -61"),
    ).toMatchObject({
      "log.syslog.format": "routeros",
      "routeros.topics": ["wireless", "info"],
      message: "3C:22:FB:11:22:33@wlan2: connected, signal strength -61",
    });
  });

  test("a bare RouterOS body has no header: format raw, the whole line is the message", () => {
    const event = parse(
      "drop-guest forward: in:vlan20 out:ether1, proto TCP (SYN), 10.20.1.7:50000->93.184.216.34:443, len 60",
    );
    expect(event["log.syslog.format"]).toBe("raw");
    expect(event.message).toBe(event["event.original"]);
    expect(event["routeros.topics"]).toBeUndefined();
  });
});
