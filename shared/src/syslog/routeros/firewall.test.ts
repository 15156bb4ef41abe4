import { describe, expect, test } from "bun:test";
import { parseFirewall } from "./firewall.ts";
import { fieldsOf } from "./testing.ts";

const GUEST_SYN =
  "forward: in:vlan20-guest out:ether1-wan, connection-state:new src-mac 3C:22:FB:8A:41:0E, proto TCP (SYN), 10.20.4.17:51514->142.250.187.110:443, len 60";

describe("parseFirewall", () => {
  test("reads every part of a plain forward line", () => {
    expect(fieldsOf(parseFirewall, GUEST_SYN)).toEqual({
      "event.dataset": "routeros.firewall",
      "routeros.firewall.chain": "forward",
      "observer.ingress.interface.name": "vlan20-guest",
      "observer.egress.interface.name": "ether1-wan",
      "routeros.firewall.connection_state": "new",
      "source.mac": "3c:22:fb:8a:41:0e",
      "routeros.firewall.protocol": "TCP",
      "routeros.firewall.tcp_flags": ["SYN"],
      "network.transport": "tcp",
      "source.ip": "10.20.4.17",
      "source.port": 51514,
      "destination.ip": "142.250.187.110",
      "destination.port": 443,
      "routeros.firewall.len": 60,
    });
  });

  test("srcnat mapping gives the translated source", () => {
    const fields = fieldsOf(
      parseFirewall,
      "masq srcnat: in:(unknown 0) out:ether1-wan, connection-state:new proto UDP, 10.20.7.203:443->172.217.17.206:443, NAT (10.20.7.203:443->85.105.12.34:1027)->172.217.17.206:443, len 1278",
    );
    expect(fields).toMatchObject({
      "rule.name": "masq",
      "source.ip": "10.20.7.203",
      "source.nat.ip": "85.105.12.34",
      "source.nat.port": 1027,
      "destination.ip": "172.217.17.206",
      "routeros.firewall.nat_type": "srcnat",
    });
    expect(fields?.["destination.nat.ip"]).toBeUndefined();
  });

  test("dstnat mapping gives the translated destination", () => {
    const fields = fieldsOf(
      parseFirewall,
      "dstnat: in:ether1-wan out:(unknown 0), connection-state:new proto TCP (SYN), 88.249.60.2:40122->85.105.12.34:8443, NAT 88.249.60.2:40122->(85.105.12.34:8443->10.10.0.20:443), len 60",
    );
    expect(fields).toMatchObject({
      "destination.ip": "85.105.12.34",
      "destination.nat.ip": "10.10.0.20",
      "destination.nat.port": 443,
      "routeros.firewall.nat_type": "dstnat",
    });
    expect(fields?.["source.nat.ip"]).toBeUndefined();
  });

  test("a hairpin mapping fills both sides and names no single NAT type", () => {
    const fields = fieldsOf(
      parseFirewall,
      "forward: in:lan out:lan, proto TCP (SYN), 10.10.0.44:50123->10.10.0.20:443, NAT (10.10.0.44:50123->85.105.12.34:50123)->(85.105.12.34:8443->10.10.0.20:443), len 60",
    );
    expect(fields).toMatchObject({
      "source.nat.ip": "85.105.12.34",
      "destination.nat.ip": "10.10.0.20",
    });
    expect(fields?.["routeros.firewall.nat_type"]).toBeUndefined();
  });

  test("ICMP type and code, IPv6 without brackets or ports", () => {
    expect(
      fieldsOf(
        parseFirewall,
        "prerouting: in:ether1 out:(unknown 0), src-mac 00:1b:21:3a:4f:90, proto ICMP (type 128, code 0), 2A01:358:4020::5->2a02:ff0:3201:20::1, len 64",
      ),
    ).toMatchObject({
      "routeros.firewall.icmp_type": 128,
      "routeros.firewall.icmp_code": 0,
      "network.transport": "ipv6-icmp",
      "source.ip": "2a01:358:4020::5",
      "destination.ip": "2a02:ff0:3201:20::1",
    });
  });

  test("a numeric protocol gets its IANA keyword as transport", () => {
    expect(
      fieldsOf(
        parseFirewall,
        "input: in:lan out:(unknown 0), proto 2, 10.20.9.44->224.0.0.22, len 40",
      ),
    ).toMatchObject({ "routeros.firewall.protocol": "2", "network.transport": "igmp" });
  });

  test.each([
    ["drop-in input", "drop-in", "input"],
    ["Drop invalid RULE 12 forward", "Drop invalid RULE 12", "forward"],
    ["wan1|in prerouting", "wan1|in", "prerouting"],
    ["SSH_BRUTEinput", "SSH_BRUTE", "input"],
    ["hs-input", undefined, "hs-input"],
    ["pre-hotspot", undefined, "pre-hotspot"],
    ["iso guest-isolation", "iso", "guest-isolation"],
  ])("head %p -> prefix %p, chain %p", (head, prefix, chain) => {
    const fields = fieldsOf(
      parseFirewall,
      `${head}: in:lan out:wan, proto UDP, 1.2.3.4:5->5.6.7.8:53, len 40`,
    );
    expect(fields?.["rule.name"]).toBe(prefix);
    expect(fields?.["routeros.firewall.chain"]).toBe(chain);
  });

  test("keeps interface names with spaces and parentheses as given", () => {
    expect(
      fieldsOf(
        parseFirewall,
        "output: in:(unknown 0) out:(none), proto UDP, 1.2.3.4:5->5.6.7.8:53, len 40",
      ),
    ).toMatchObject({
      "observer.ingress.interface.name": "(unknown 0)",
      "observer.egress.interface.name": "(none)",
    });
  });

  test("a truncated line gives what it has", () => {
    expect(
      fieldsOf(parseFirewall, "forward: in:lan out:wan, connection-state:new src-mac 3c:22"),
    ).toEqual({
      "event.dataset": "routeros.firewall",
      "routeros.firewall.chain": "forward",
      "observer.ingress.interface.name": "lan",
      "observer.egress.interface.name": "wan",
      "routeros.firewall.connection_state": "new",
    });
  });

  test("is not fooled by text that is not a firewall line", () => {
    expect(
      fieldsOf(parseFirewall, "user admin logged in from 10.0.0.1 via winbox"),
    ).toBeUndefined();
    expect(fieldsOf(parseFirewall, ": in:x out:y")).toBeUndefined();
  });
});
