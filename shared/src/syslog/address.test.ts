import { describe, expect, test } from "bun:test";
import { normalizeIp, normalizeMac, parseEndpoint, parsePort, scanAddresses } from "./address.ts";

describe("normalizeIp", () => {
  test.each([
    ["10.20.4.17", "10.20.4.17"],
    ["2A02:FF0:3201:20::1A7", "2a02:ff0:3201:20::1a7"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["fe80::1%bridge-guest", "fe80::1"],
    ["::ffff:10.10.0.2", "10.10.0.2"],
    ["64:ff9b::192.0.2.33", "64:ff9b::192.0.2.33"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["::", "::"],
  ])("%s -> %s", (input, output) => {
    expect(normalizeIp(input)).toBe(output);
  });

  test.each([
    "256.1.1.1",
    "10.0.0",
    "10.0.0.1.2",
    "12:34:56",
    "1::2::3",
    "1:2:3:4:5:6:7",
    ":1:2:3:4:5:6:7",
    "00:0c:29:5e:71:aa",
    "12345::1",
    "spi:71f886bf",
    "",
  ])("rejects %p", (input) => {
    expect(normalizeIp(input)).toBeUndefined();
  });
});

test("normalizeMac lower-cases and turns dashes into colons", () => {
  expect(normalizeMac("3C:22:FB:8A:41:0E")).toBe("3c:22:fb:8a:41:0e");
  expect(normalizeMac("3c-22-fb-8a-41-0e")).toBe("3c:22:fb:8a:41:0e");
  expect(normalizeMac("3c:22:fb:8a:41")).toBeUndefined();
  expect(normalizeMac("3c:22-fb:8a:41:0e")).toBeUndefined();
  expect(normalizeMac("3g:22:fb:8a:41:0e")).toBeUndefined();
});

test("parsePort accepts 0..65535 only", () => {
  expect(parsePort("0")).toBe(0);
  expect(parsePort("65535")).toBe(65535);
  expect(parsePort("65536")).toBeUndefined();
  expect(parsePort("80a")).toBeUndefined();
  expect(parsePort("")).toBeUndefined();
});

describe("parseEndpoint", () => {
  test.each([
    ["10.20.4.17:51514", { ip: "10.20.4.17", port: 51514 }],
    ["10.20.4.17", { ip: "10.20.4.17" }],
    ["[2A00:1450:4017:80B::200E]:443", { ip: "2a00:1450:4017:80b::200e", port: 443 }],
    ["[2001:db8::1]", { ip: "2001:db8::1" }],
    ["2001:db8:aa:2:5c5f:3a8c:7402:429f", { ip: "2001:db8:aa:2:5c5f:3a8c:7402:429f" }],
    ["::ffff:10.10.0.2:5246", { ip: "10.10.0.2", port: 5246 }],
    ["85.105.12.34[4500]", { ip: "85.105.12.34", port: 4500 }],
  ])("%s", (input, output) => {
    expect(parseEndpoint(input)).toEqual(output);
  });

  test.each(["10.20.4.17:", "10.20.4.17:99999", "[2001:db8::1", "[2001:db8::1]443", "host:80", ""])(
    "rejects %p",
    (input) => {
      expect(parseEndpoint(input)).toBeUndefined();
    },
  );
});

describe("scanAddresses", () => {
  test("finds addresses in every spelling RouterOS uses, once each, in order", () => {
    const found = scanAddresses(
      "85.105.12.34[500]<=>78.186.140.9[500] from [2001:DB8::5]:443 and 78.186.140.9, peer 10.0.0.1.",
    );
    expect(found.ips).toEqual(["85.105.12.34", "78.186.140.9", "2001:db8::5", "10.0.0.1"]);
  });

  test("reads the MAC inside a DHCP client id and skips netmasks and 0.0.0.0", () => {
    const found = scanAddresses(
      "request from 0.0.0.0 '1:c4:5d:83:59:7c:41' Subnet-Mask = 255.255.254.0",
    );
    expect(found).toEqual({ ips: [], macs: ["c4:5d:83:59:7c:41"], prefixes: [] });
  });

  test("keeps a prefix whole and its network address searchable", () => {
    const found = scanAddresses("expired prefix: 2a02:ff0:3201:20::/64");
    expect(found.ips).toEqual(["2a02:ff0:3201:20::"]);
    expect(found.prefixes).toEqual(["2a02:ff0:3201:20::/64"]);
  });

  test("does not take times, versions or hex words for addresses", () => {
    const found = scanAddresses(
      "ntp change time Jan/21/2025 16:30:02 => 16:31:00 by winbox-3.41 dead beef",
    );
    expect(found).toEqual({ ips: [], macs: [], prefixes: [] });
  });
});
