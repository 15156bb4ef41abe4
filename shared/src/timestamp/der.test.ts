import { describe, expect, test } from "bun:test";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  certificatesFromPems,
  derToPem,
  integerHex,
  integerOf,
  integerValue,
  LOGMASTER_OID_ARC,
  MalformedDerError,
  normalizeOid,
  parseDer,
  pemBlocks,
  sortForDerSet,
  toDer,
} from "./der.ts";

describe("OIDs", () => {
  test("an arc above 2^53 reads back as the decimal it was written as", () => {
    const written = `${LOGMASTER_OID_ARC}.1.1`;
    const der = toDer(new asn1js.ObjectIdentifier({ value: written }));
    const read = asn1js.fromBER(der).result as asn1js.ObjectIdentifier;
    expect(read.getValue()).not.toBe(written); // asn1js' own spelling: why normalizeOid exists
    expect(normalizeOid(read.getValue())).toBe(written);
  });

  test("ordinary OIDs pass through unchanged", () => {
    expect(normalizeOid("1.2.840.113549.1.9.16.1.4")).toBe("1.2.840.113549.1.9.16.1.4");
  });
});

describe("integers", () => {
  test("64-bit values with the top bit set stay positive", () => {
    const value = 0xf000_0000_0000_0001n;
    const integer = integerOf(value);
    const read = asn1js.fromBER(toDer(integer)).result as asn1js.Integer;
    expect(integerValue(read)).toBe(value);
    expect(integerHex(read)).toBe("f000000000000001");
  });

  test("hex has an even number of digits, like openssl prints it", () => {
    expect(integerHex(integerOf(2n))).toBe("02");
  });
});

describe("DER", () => {
  test("trailing bytes after a value are refused", () => {
    const der = toDer(new asn1js.Integer({ value: 5 }));
    expect(() => parseDer(new Uint8Array([...der, 0]), "thing")).toThrow(MalformedDerError);
    expect(() => parseDer(new Uint8Array([0x30, 0x05, 0x01]), "thing")).toThrow(/thing/);
  });

  test("SET OF members are sorted by their encodings", () => {
    const attribute = (type: string) => new pkijs.Attribute({ type, values: [new asn1js.Null()] });
    const sorted = sortForDerSet([
      attribute("1.2.840.113549.1.9.5"),
      attribute("1.2.840.113549.1.9.3"),
    ]);
    expect(sorted.map((a) => a.type)).toEqual(["1.2.840.113549.1.9.3", "1.2.840.113549.1.9.5"]);
  });
});

describe("PEM", () => {
  test("round trip and label filtering", () => {
    const der = new Uint8Array(100).fill(7);
    const text = `${derToPem(der, "PRIVATE KEY")}${derToPem(der)}`;
    expect(pemBlocks(text)).toEqual([der]);
    expect(pemBlocks(text, "PRIVATE KEY")).toEqual([der]);
  });

  test("a file without a certificate is named in the error", () => {
    expect(() => certificatesFromPems(["not a pem"], "TSA_CA_FILE")).toThrow(
      "TSA_CA_FILE #1 holds no certificate",
    );
  });
});
