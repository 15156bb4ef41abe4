import { describe, expect, test } from "bun:test";
import { normalizeSourceAddress, sourceAddressSchema } from "./address.ts";
import { CustodyError } from "./errors.ts";

describe("normalizeSourceAddress", () => {
  test.each([
    ["192.168.88.1", "192.168.88.1"],
    ["::ffff:192.168.88.1", "192.168.88.1"],
    ["::FFFF:10.0.0.1", "10.0.0.1"],
    ["2001:db8::1", "2001:db8::1"],
    ["::1", "::1"],
    ["fe80::1%ether1", "fe80::1%ether1"],
    ["::ffff:0:10.0.0.1", "::ffff:0:10.0.0.1"], // SIIT, not IPv4-mapped: kept
  ])("%s -> %s", (received, written) => {
    expect(normalizeSourceAddress(received)).toBe(written);
    expect(normalizeSourceAddress(received)).toBe(written); // cached answer is the same
    expect(sourceAddressSchema.safeParse(written).success).toBe(true);
  });

  test.each([
    "",
    "router.local",
    "[::1]",
    "1.2.3.4:514",
    "01.2.3.4",
    "1.2.3.4%eth0",
    "fe80::1%",
    "fe80::1%a b",
    'fe80::1%"',
  ])("refuses %j", (received) => {
    expect(() => normalizeSourceAddress(received)).toThrow(CustodyError);
  });

  test("verifiers refuse the IPv4-mapped spelling the agent never writes", () => {
    expect(sourceAddressSchema.safeParse("::ffff:192.168.88.1").success).toBe(false);
  });
});
