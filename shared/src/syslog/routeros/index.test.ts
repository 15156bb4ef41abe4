import { describe, expect, test } from "bun:test";
import { extractRouterOsFields } from "./index.ts";

describe("extractRouterOsFields", () => {
  test("dispatches by topic and copies the topics", () => {
    const fields = extractRouterOsFields("user admin logged in from 10.10.0.5 via winbox", [
      "system",
      "info",
      "account",
    ]);
    expect(fields).toMatchObject({
      "event.dataset": "routeros.account",
      "routeros.topics": ["system", "info", "account"],
      "related.ip": ["10.10.0.5"],
      "related.user": ["admin"],
    });
  });

  test("detects the family by content when there are no topics", () => {
    expect(extractRouterOsFields("oda-118 (10.20.2.118): logged in", [])).toMatchObject({
      "event.dataset": "routeros.hotspot",
      "user.name": "oda-118",
    });
    expect(extractRouterOsFields("oda-118 (10.20.2.118): logged in", [])).not.toHaveProperty(
      "routeros.topics",
    );
  });

  test("does not read a lease out of another topic's words", () => {
    expect(
      extractRouterOsFields("dhcp1 assigned 10.0.0.9 to 3C:22:FB:8A:41:0E", ["script", "info"]),
    ).toEqual({
      "event.dataset": "routeros.other",
      "related.ip": ["10.0.0.9"],
      "related.mac": ["3c:22:fb:8a:41:0e"],
      "routeros.topics": ["script", "info"],
    });
  });

  test("skips a leading identity tag that the family grammar does not allow", () => {
    expect(
      extractRouterOsFields("MikroTik: pppoe-out1: connected", ["pppoe", "ppp", "info"]),
    ).toMatchObject({
      "routeros.ppp.interface": "pppoe-out1",
    });
    expect(extractRouterOsFields("Otel GW: user admin logged in via local", [])).toMatchObject({
      "user.name": "admin",
    });
  });

  test("keeps `word: ` before a firewall chain as the log prefix (the header strips identities)", () => {
    expect(
      extractRouterOsFields(
        "FW: input: in:ether1 out:(unknown 0), proto UDP, 1.2.3.4:5->5.6.7.8:53, len 40",
        ["firewall", "info"],
      ),
    ).toMatchObject({ "rule.name": "FW:", "routeros.firewall.chain": "input" });
  });

  test("related.* are deduplicated, named fields first", () => {
    const fields = extractRouterOsFields(
      "forward: in:lan out:lan, proto TCP (SYN), 10.10.0.44:50123->10.10.0.20:443, NAT (10.10.0.44:50123->85.105.12.34:50123)->(85.105.12.34:8443->10.10.0.20:443), len 60",
      ["firewall", "info"],
    );
    expect(fields["related.ip"]).toEqual(["10.10.0.44", "85.105.12.34", "10.10.0.20"]);
  });

  test("an unknown line gets routeros.other and its addresses, nothing invented", () => {
    expect(
      extractRouterOsFields(
        "78.186.140.9 phase1 negotiation failed due to time up 85.105.12.34[500]<=>78.186.140.9[500]",
        ["ipsec", "error"],
      ),
    ).toEqual({
      "event.dataset": "routeros.other",
      "related.ip": ["78.186.140.9", "85.105.12.34"],
      "routeros.topics": ["ipsec", "error"],
    });
  });

  test("a topic family keeps its dataset for lines its parser does not know", () => {
    expect(
      extractRouterOsFields("CAP joined ANT-CAPsMAN (::ffff:10.10.0.2:5246)", ["caps", "info"]),
    ).toMatchObject({
      "event.dataset": "routeros.wireless",
      "related.ip": ["10.10.0.2"],
    });
  });

  test("never throws, whatever the input", () => {
    const samples = [
      "forward: in:vlan20-guest out:ether1-wan, connection-state:new src-mac 3c:22:fb:8a:41:0e, proto ICMP (type 3, code 1), [2001:db8::1]:443->10.0.0.1:80, NAT (a->b)->(c->d), len 60",
      "oda-412 (10.20.4.17): logged out: session timeout",
      "dhcp-guest assigned 10.20.4.17 for 3C:22:FB:8A:41:0E iPhone",
      "3C:22:FB:8A:41:0E@wlan2-guest: disconnected, extensive data loss, signal strength -80",
      "login failure for user admin from 45.148.10.183 via ssh",
      "<pppoe-oda-412>: terminating... - peer is not responding",
    ];
    const topicSets = [
      [],
      ["firewall"],
      ["dhcp"],
      ["hotspot"],
      ["system"],
      ["wireless"],
      ["ppp"],
      ["x"],
    ];
    let random = 42;
    const next = () => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random;
    };
    for (const sample of samples) {
      for (let cut = 0; cut <= sample.length; cut++) {
        for (const topics of topicSets) {
          expect(() => extractRouterOsFields(sample.slice(0, cut), topics)).not.toThrow();
        }
      }
      for (let round = 0; round < 200; round++) {
        const chars = [...sample];
        for (let k = 0; k < 5; k++)
          chars[next() % chars.length] = String.fromCharCode(next() % 128);
        const mangled = chars.join("");
        for (const topics of topicSets) {
          expect(() => extractRouterOsFields(mangled, topics)).not.toThrow();
        }
      }
    }
  });
});
