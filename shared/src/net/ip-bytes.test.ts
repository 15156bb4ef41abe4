import { expect, test } from "bun:test";
import { ipBytes, writeIpBytes } from "./ip-bytes.ts";

test("IPv4 and IPv6 text to network-order bytes", () => {
  expect(ipBytes("10.5.1.23")).toEqual([10, 5, 1, 23]);
  expect(ipBytes("::")).toEqual(Array(16).fill(0));
  expect(ipBytes("::1")).toEqual([...Array(15).fill(0), 1]);
  expect(ipBytes("2001:db8::5651:1")).toEqual([
    0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x56, 0x51, 0, 1,
  ]);
  expect(ipBytes("1::")).toEqual([0, 1, ...Array(14).fill(0)]);
  expect(ipBytes("::ffff:192.168.88.2")).toEqual([
    ...Array(10).fill(0),
    0xff,
    0xff,
    192,
    168,
    88,
    2,
  ]);
  expect(ipBytes("1:2:3:4:5:6:7:8")).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
});

test("written in place, the count says which family", () => {
  const target = new Uint8Array(20);
  expect(writeIpBytes("192.0.2.1", target, 3)).toBe(4);
  expect([...target.subarray(3, 7)]).toEqual([192, 0, 2, 1]);
  expect(writeIpBytes("fe80::a", target, 4)).toBe(16);
  expect(target[4]).toBe(0xfe);
  expect(target[19]).toBe(0x0a);
});

test("text that is no address throws, naming it", () => {
  for (const bad of ["10.5.1", "10.5.1.256", "1.2.3.4.5", "1..2.3", "", "a.b.c.d"])
    expect(() => ipBytes(bad)).toThrow(`not an IPv4 address: ${bad}`);
  for (const bad of ["1:2:3", "1::2::3", "g::1", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "::1.2.3"])
    expect(() => ipBytes(bad)).toThrow(`not an IPv6 address: ${bad}`);
});
