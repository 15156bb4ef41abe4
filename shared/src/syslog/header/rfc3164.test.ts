import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../index.ts";
import { readTag } from "./tag.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");
const parse = (line: string, deviceUtcOffsetMinutes?: number) =>
  parseSyslog(line, {
    receivedAt,
    ...(deviceUtcOffsetMinutes === undefined ? {} : { deviceUtcOffsetMinutes }),
  });

describe("RFC 3164 header", () => {
  test("PRI, timestamp, host, TAG[PID]: and MSG", () => {
    expect(
      parse("<86>Mar 10 11:58:02 guest-portal sshd[2231]: Accepted publickey for ops"),
    ).toMatchObject({
      "log.syslog.format": "rfc3164",
      "log.syslog.priority": 86,
      "log.syslog.facility.name": "authpriv",
      "log.syslog.severity.name": "info",
      "log.syslog.timestamp_raw": "Mar 10 11:58:02",
      "@timestamp": "2026-03-10T11:58:02.000Z",
      "log.syslog.hostname": "guest-portal",
      "log.syslog.appname": "sshd",
      "log.syslog.procid": "2231",
      message: "Accepted publickey for ops",
    });
  });

  test("without PRI", () => {
    const event = parse("Mar 10 11:58:02 nas01 smbd: share opened");
    expect(event).toMatchObject({
      "log.syslog.format": "rfc3164",
      "log.syslog.hostname": "nas01",
      "log.syslog.appname": "smbd",
      message: "share opened",
    });
    expect(event["log.syslog.priority"]).toBeUndefined();
  });

  test("zone-less times are in the device's zone", () => {
    expect(parse("<13>Mar 10 14:58:02 gw x: y", 180)["@timestamp"]).toBe(
      "2026-03-10T11:58:02.000Z",
    );
  });

  test("year variants and an RFC 3339 time in the timestamp position", () => {
    expect(parse("<13>Mar 10 2024 11:58:02 gw app: m")).toMatchObject({
      "@timestamp": "2024-03-10T11:58:02.000Z",
      "log.syslog.hostname": "gw",
    });
    expect(parse("<13>Mar 10 11:58:02 2024 gw app: m")).toMatchObject({
      "@timestamp": "2024-03-10T11:58:02.000Z",
      "log.syslog.hostname": "gw",
    });
    expect(parse("<13>2026-03-10T14:58:02.5+03:00 gw app: m")).toMatchObject({
      "log.syslog.format": "rfc3164",
      "@timestamp": "2026-03-10T11:58:02.500Z",
      "log.syslog.timestamp_raw": "2026-03-10T14:58:02.5+03:00",
      "log.syslog.hostname": "gw",
      "log.syslog.appname": "app",
    });
  });

  test("RouterOS' space-padded day and its identity as hostname, no tag", () => {
    expect(
      parse("<27>Mar  2 17:36:35 Otel-GW login failure for user admin from 203.0.113.5 via ssh"),
    ).toMatchObject({
      "@timestamp": "2026-03-02T17:36:35.000Z",
      "log.syslog.hostname": "Otel-GW",
      message: "login failure for user admin from 203.0.113.5 via ssh",
    });
  });

  test("topics after the hostname (add-topics-string=yes)", () => {
    const event = parse(
      "<134>Mar 10 11:58:02 Otel-GW firewall,info forward: in:vlan20 out:ether1, proto UDP, 10.20.0.5:5353->8.8.8.8:53, len 60",
    );
    expect(event).toMatchObject({
      "log.syslog.hostname": "Otel-GW",
      "routeros.topics": ["firewall", "info"],
      message: "forward: in:vlan20 out:ether1, proto UDP, 10.20.0.5:5353->8.8.8.8:53, len 60",
    });
    expect(event["log.syslog.appname"]).toBeUndefined();
  });

  test("a rule prefix in the tag position is the appname", () => {
    expect(
      parse(
        "<30>Mar 10 11:58:02 Otel-GW resepsiyon: user admin logged in from 10.0.0.2 via winbox",
      ),
    ).toMatchObject({
      "log.syslog.hostname": "Otel-GW",
      "log.syslog.appname": "resepsiyon",
      message: "user admin logged in from 10.0.0.2 via winbox",
    });
  });

  test("a RouterOS subject is not a tag: interface names, firewall chains", () => {
    expect(parse("<30>Mar 10 11:58:02 gw pppoe-out1: connected")).toMatchObject({
      message: "pppoe-out1: connected",
    });
    const chain = parse("<30>Mar 10 11:58:02 gw input: in:ether1 out:(unknown 0), len 60");
    expect(chain.message).toBe("input: in:ether1 out:(unknown 0), len 60");
    expect(chain["log.syslog.appname"]).toBeUndefined();
  });

  test("no hostname, a hostname that is an IP (also in related.ip), an IPv6 host", () => {
    expect(parse("<13>Mar 10 11:58:02 cron[99]: job done")).toMatchObject({
      "log.syslog.appname": "cron",
      "log.syslog.procid": "99",
      message: "job done",
    });
    expect(parse("<13>Mar 10 11:58:02 cron[99]: job done")["log.syslog.hostname"]).toBeUndefined();
    expect(parse("<13>Mar 10 11:58:02 192.0.2.44 app: m")).toMatchObject({
      "log.syslog.hostname": "192.0.2.44",
      "related.ip": ["192.0.2.44"],
    });
    expect(parse("<13>Mar 10 11:58:02 2001:DB8::7 app: m")["related.ip"]).toEqual(["2001:db8::7"]);
    // Searchable the way the RouterOS fields are: no brackets, IPv4-mapped as IPv4.
    expect(parse("<13>Mar 10 11:58:02 [2001:DB8::7] app: m")["related.ip"]).toEqual([
      "2001:db8::7",
    ]);
    expect(parse("<13>Mar 10 11:58:02 ::ffff:192.0.2.44 app: m")["related.ip"]).toEqual([
      "192.0.2.44",
    ]);
  });

  test("header only, trailing spaces, nothing after the timestamp", () => {
    expect(parse("<13>Mar 10 11:58:02 gw")).toMatchObject({
      "log.syslog.hostname": "gw",
      message: "",
    });
    expect(parse("<13>Mar 10 11:58:02 ")).toMatchObject({ message: "" });
    expect(parse("<13>Mar 10 11:58:02")["error.message"]).toBeUndefined();
  });

  test("a missing or broken timestamp is flagged, the rest kept as message", () => {
    const event = parse("<13> gw this has no time");
    expect(event["error.message"]).toContain("no timestamp");
    expect(event.message).toBe("gw this has no time");
    expect(parse("<13>Foo 10 11:58:02 gw m")["error.message"]).toContain("no timestamp");
  });

  test("a hostname over 255 characters is flagged", () => {
    expect(parse(`<13>Mar 10 11:58:02 ${"h".repeat(256)} m`)["error.message"]).toContain(
      "HOSTNAME",
    );
  });
});

describe("readTag", () => {
  test("NAME:, NAME[PID]:, NAME[PID]", () => {
    expect(readTag("su: x", 0)).toEqual({ appname: "su", bodyStart: 4 });
    expect(readTag("sshd[12]: x", 0)).toEqual({ appname: "sshd", procid: "12", bodyStart: 10 });
    expect(readTag("sshd[12] x", 0)).toEqual({ appname: "sshd", procid: "12", bodyStart: 9 });
    expect(readTag("%ASA-6-302013: Built", 0)).toEqual({ appname: "%ASA-6-302013", bodyStart: 15 });
    expect(readTag("app:", 0)).toEqual({ appname: "app", bodyStart: 4 });
  });

  test("a word without ':' or [pid], a time, a MAC: not tags", () => {
    for (const text of [
      "login failure",
      "10:20:30 x",
      "00:80:48:41:AF:2A@wlan1: connected",
      ":x",
      "a[1 2]: x",
    ]) {
      expect(readTag(text, 0)).toBeUndefined();
    }
  });

  test("RouterOS subjects are not tags", () => {
    for (const text of [
      "ether2: dropped",
      "wlan1: 00:80:48:41:AF:2A not in ACL",
      "bridge: topology change",
      "sfp-sfpplus1: link up",
      "forward: in:bridge out:ether1",
    ]) {
      expect(readTag(text, 0)).toBeUndefined();
    }
    expect(readTag("0123456789: all digits is a tag", 0)?.appname).toBe("0123456789");
  });
});
