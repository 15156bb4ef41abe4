import { describe, expect, test } from "bun:test";
import {
  formatListenAddress,
  isLoopbackAddress,
  listenAddressSchema,
  listenAddressTextSchema,
  parseListenAddress,
} from "./listen-address.ts";

describe("parseListenAddress", () => {
  test.each([
    ["0.0.0.0:514", { host: "0.0.0.0", port: 514, ipv6: false }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0, ipv6: false }],
    ["hub.example.com:8443", { host: "hub.example.com", port: 8443, ipv6: false }],
    [":8080", { host: "0.0.0.0", port: 8080, ipv6: false }],
    ["[::]:514", { host: "::", port: 514, ipv6: true }],
    ["[::1]:65535", { host: "::1", port: 65535, ipv6: true }],
    ["[fe80::1%eth0]:514", { host: "fe80::1%eth0", port: 514, ipv6: true }],
  ])("%s", (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  test.each([
    ["514", /got "514"$/],
    ["localhost", /got "localhost"$/],
    ["host:", /got "host:"$/],
    ["host:http", /got "host:http"$/],
    [":99999", /port 99999 is above 65535/],
    ["x:123456", /got "x:123456"$/],
    ["::1:8080", /got "::1:8080"$/], // IPv6 needs brackets
    ["[hub.example]:80", /"hub.example" is not an IPv6 address/],
    ["[]:80", /"" is not an IPv6 address/],
    [" 127.0.0.1:80", /got " 127.0.0.1:80"$/],
    ["127.0.0.1:80 ", /got "127.0.0.1:80 "$/],
    ["", /got ""$/],
  ])("refuses %p", (text, reason) => {
    expect(() => parseListenAddress(text)).toThrow(reason);
  });
});

describe("listenAddressSchema", () => {
  test("the error names the option, the grammar and an example", () => {
    const result = listenAddressSchema("--http", "127.0.0.1:8080").safeParse("8080");
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      '--http must be HOST:PORT, [IPv6]:PORT or :PORT (e.g. 127.0.0.1:8080), got "8080"',
    ]);
  });

  test("without an option the message starts at `must` (the caller prefixes the path)", () => {
    const result = listenAddressSchema().safeParse("x:70000");
    expect(result.error?.issues[0]?.message).toBe(
      'must be HOST:PORT, [IPv6]:PORT or :PORT, got "x:70000": port 70000 is above 65535',
    );
  });

  test("a non-string is refused by zod's own type check", () => {
    expect(listenAddressSchema("--http").safeParse(8080).success).toBe(false);
  });
});

describe("listenAddressTextSchema", () => {
  test("keeps the text as written and refuses what parseListenAddress refuses", () => {
    const schema = listenAddressTextSchema(undefined, "0.0.0.0:514");
    expect(schema.parse("[::]:514")).toBe("[::]:514");
    expect(schema.parse(":514")).toBe(":514");
    expect(schema.safeParse("514").error?.issues[0]?.message).toBe(
      'must be HOST:PORT, [IPv6]:PORT or :PORT (e.g. 0.0.0.0:514), got "514"',
    );
  });
});

test("formatListenAddress writes back what parseListenAddress reads", () => {
  for (const text of ["0.0.0.0:514", "hub.example:8443", "[::]:514", "[fe80::1%eth0]:80"]) {
    expect(formatListenAddress(parseListenAddress(text))).toBe(text);
  }
  expect(formatListenAddress(parseListenAddress(":8080"))).toBe("0.0.0.0:8080");
});

describe("isLoopbackAddress", () => {
  test.each([
    ["127.0.0.1:8080", true],
    ["127.1.2.3:8080", true],
    ["localhost:8080", true],
    ["LOCALHOST:8080", true],
    ["[::1]:8080", true],
    ["[0:0:0:0:0:0:0:1]:8080", true],
    ["[::ffff:127.0.0.1]:8080", true],
    [":8080", false],
    ["0.0.0.0:8080", false],
    ["[::]:8080", false],
    ["10.0.0.1:8080", false],
    ["128.0.0.1:8080", false],
    ["127.example.com:8080", false],
    ["hub.example.com:8080", false],
    ["[fe80::1%eth0]:8080", false],
  ])("%s: %p", (text, loopback) => {
    expect(isLoopbackAddress(parseListenAddress(text))).toBe(loopback);
  });
});
