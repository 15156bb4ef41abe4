import { describe, expect, test } from "bun:test";
import { parseSyslog } from "../index.ts";
import { parseCefExtension } from "./cef.ts";

const receivedAt = new Date("2026-03-10T12:00:00Z");
const parse = (line: string) => parseSyslog(line, { receivedAt });

describe("CEF", () => {
  test("RouterOS CEF behind a BSD header: header, extensions, ECS fields, topics", () => {
    const event = parse(
      "<131>Mar 10 11:58:02 Otel-GW CEF:0|MikroTik|RB5009UG+S+|7.19.2|10|system,error,critical|High|dvchost=Otel-GW dvc=192.168.88.1 msg=login failure for user ops from 203.0.113.77 via ssh app=ssh duser=ops outcome=failure src=203.0.113.77",
    );
    expect(event).toMatchObject({
      "log.syslog.format": "cef",
      "log.syslog.hostname": "Otel-GW",
      "@timestamp": "2026-03-10T11:58:02.000Z",
      "cef.version": 0,
      "cef.device_vendor": "MikroTik",
      "cef.device_product": "RB5009UG+S+",
      "cef.device_version": "7.19.2",
      "cef.signature_id": "10",
      "cef.name": "system,error,critical",
      "cef.severity": "High",
      "source.ip": "203.0.113.77",
      "user.name": "ops",
      "event.outcome": "failure",
      "routeros.topics": ["system", "error", "critical"],
      message: "login failure for user ops from 203.0.113.77 via ssh",
    });
    expect(event["cef.extensions"]).toMatchObject({
      app: "ssh",
      dvc: "192.168.88.1",
      duser: "ops",
    });
    expect(event["related.ip"]).toEqual(expect.arrayContaining(["192.168.88.1", "203.0.113.77"]));
    expect(event["related.user"]).toContain("ops");
  });

  test("firewall fields: addresses, ports, MAC, interfaces, protocol, NAT", () => {
    const event = parse(
      "CEF:0|MikroTik|CCR2004|7.19|1|firewall,info|Low|msg=forward src=10.20.1.7 spt=50000 dst=93.184.216.34 dpt=443 smac=3C-22-FB-11-22-33 dmac=00:0c:42:aa:bb:cc proto=TCP deviceInboundInterface=vlan20 deviceOutboundInterface=ether1 sourceTranslatedAddress=85.105.1.2 sourceTranslatedPort=50000",
    );
    expect(event).toMatchObject({
      "log.syslog.format": "cef",
      "source.ip": "10.20.1.7",
      "source.port": 50000,
      "destination.ip": "93.184.216.34",
      "destination.port": 443,
      "source.mac": "3c:22:fb:11:22:33",
      "destination.mac": "00:0c:42:aa:bb:cc",
      "network.transport": "tcp",
      "observer.ingress.interface.name": "vlan20",
      "observer.egress.interface.name": "ether1",
      "source.nat.ip": "85.105.1.2",
      "source.nat.port": 50000,
      "routeros.topics": ["firewall", "info"],
    });
    expect(event["related.ip"]).toEqual(
      expect.arrayContaining(["10.20.1.7", "93.184.216.34", "85.105.1.2"]),
    );
  });

  test("escapes: \\| in the header, \\= and \\\\ in values", () => {
    const event = parse(
      String.raw`<14>CEF:0|Acme\|Corp|Gate|1.0|42|door a\\b opened|3|msg=key\=value path\=C:\\x cs1=one two`,
    );
    expect(event).toMatchObject({
      "cef.device_vendor": "Acme|Corp",
      "cef.name": "door a\\b opened",
      "cef.severity": "3",
      message: "key=value path=C:\\x",
      "log.syslog.priority": 14,
    });
    expect(event["cef.extensions"]).toEqual({ msg: "key=value path=C:\\x", cs1: "one two" });
  });

  test("another vendor's CEF gets no RouterOS fields", () => {
    const event = parse("CEF:0|Acme|Gate|1.0|42|door opened|3|src=10.0.0.5 suser=guard");
    expect(event["routeros.topics"]).toBeUndefined();
    expect(event["event.dataset"]).toBeUndefined();
    expect(event).toMatchObject({
      "source.ip": "10.0.0.5",
      "user.name": "guard",
      message: "door opened",
    });
  });

  test("a cut header is flagged, the fields that came are kept", () => {
    const event = parse("<14>CEF:0|MikroTik|hAP ax2|7.19");
    expect(event).toMatchObject({
      "log.syslog.format": "cef",
      "cef.device_vendor": "MikroTik",
      "cef.device_product": "hAP ax2",
      "cef.device_version": "7.19",
    });
    expect(event["error.message"]).toContain("CEF header has 3 of 7");
  });
});

test("parseCefExtension: keys start after a space, '=' inside a value stays in it", () => {
  const text = "a=1 msg=x=y b=two words c=";
  expect(Object.fromEntries(parseCefExtension(text, 0))).toEqual({
    a: "1",
    msg: "x=y",
    b: "two words",
    c: "",
  });
});
