import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../index.ts";
import { readReceiveTimePrefix } from "./server-file.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");
const parse = (line: string, deviceUtcOffsetMinutes?: number) =>
  parseSyslog(line, {
    receivedAt,
    ...(deviceUtcOffsetMinutes === undefined ? {} : { deviceUtcOffsetMinutes }),
  });

describe("syslog server file lines: RFC3339 receive time, sender, rest", () => {
  test("receive time, sender and RouterOS topics", () => {
    const event = parse(
      "2025-08-14T22:10:03.118204+03:00 10.0.0.1 dhcp,info guest assigned 10.20.5.9 for 3C:22:FB:11:22:33 laptop",
    );
    expect(event).toMatchObject({
      "log.syslog.format": "rsyslog-file",
      "log.file.received_at": "2025-08-14T19:10:03.118204Z",
      "@timestamp": "2025-08-14T19:10:03.118204Z",
      "log.syslog.hostname": "10.0.0.1",
      "routeros.topics": ["dhcp", "info"],
      message: "guest assigned 10.20.5.9 for 3C:22:FB:11:22:33 laptop",
    });
    expect(event["related.ip"]).toContain("10.0.0.1");
  });

  test("the raw packet after the receive time: its own header wins for time and host", () => {
    const event = parse(
      "2025-12-31T23:59:59.9+03:00 <30>Dec 31 23:59:58 Otel-GW resepsiyon: user ops logged in",
    );
    expect(event).toMatchObject({
      "log.syslog.format": "rsyslog-file",
      "log.file.received_at": "2025-12-31T20:59:59.900Z",
      // Zone-less device time read in the receiver's zone, the year taken from the receive time.
      "@timestamp": "2025-12-31T20:59:58.000Z",
      "log.syslog.priority": 30,
      "log.syslog.hostname": "Otel-GW",
      "log.syslog.appname": "resepsiyon",
      message: "user ops logged in",
    });
  });

  test("an explicit device offset beats the receiver's", () => {
    expect(parse("2025-06-01T10:00:00+03:00 <30>Jun  1 09:59:59 gw m", 0)["@timestamp"]).toBe(
      "2025-06-01T09:59:59.000Z",
    );
  });

  test("sender then a raw packet", () => {
    expect(parse("2025-06-01T10:00:00Z 10.0.0.1 <13>dhcp,info gw: lease expired")).toMatchObject({
      "log.syslog.format": "rsyslog-file",
      "log.syslog.hostname": "10.0.0.1",
      "log.syslog.priority": 13,
      "routeros.topics": ["dhcp", "info"],
      "log.syslog.appname": "gw",
      message: "lease expired",
    });
  });

  test("sender then a program tag (rsyslog's default file format)", () => {
    expect(parse("2025-06-01T10:00:00Z nas01 smbd[812]: share opened")).toMatchObject({
      "log.syslog.hostname": "nas01",
      "log.syslog.appname": "smbd",
      "log.syslog.procid": "812",
      message: "share opened",
    });
  });

  test("sender then a message with no topics", () => {
    expect(parse("2025-06-01T10:00:00+02:00 Otel-GW ether5 link down")).toMatchObject({
      "log.syslog.hostname": "Otel-GW",
      message: "ether5 link down",
      "@timestamp": "2025-06-01T08:00:00.000Z",
    });
  });
});

test("readReceiveTimePrefix wants an RFC 3339 time and a space", () => {
  const ctx = { receivedAtMs: receivedAt.getTime(), offsetMinutes: 120 };
  // Zone-less: read in the device's zone.
  expect(readReceiveTimePrefix("2025-06-01T10:00:00 host x", ctx, false)?.receivedAt).toBe(
    "2025-06-01T08:00:00.000Z",
  );
  expect(readReceiveTimePrefix("2025-06-01T10:00:00Z", ctx, false)).toBeUndefined();
  expect(readReceiveTimePrefix("2025-06-01 10:00:00 dhcp,info x", ctx, false)).toBeUndefined();
  expect(readReceiveTimePrefix("2025-06-01T10:00:00-04:00  host x", ctx, false)).toMatchObject({
    receivedAt: "2025-06-01T14:00:00.000Z",
    innerContext: { offsetMinutes: -240 },
    restStart: 27,
  });
});
