import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BundleFileError,
  derFramingProblem,
  oidText,
  readCertificate,
  readCertificatesFile,
  readPemFile,
} from "./encoding.ts";

const VECTORS = join(import.meta.dir, "../../../tests/vectors/v1");
const caPem = readFileSync(join(VECTORS, "chain-ca.pem"));
const agentPem = readFileSync(join(VECTORS, "agent.pem"));
const bytes = (text: string) => new TextEncoder().encode(text);

describe("readPemFile", () => {
  test("reads PEM as openssl writes it (LF) and as node-forge does (CRLF)", () => {
    const [der] = readPemFile(caPem, "CERTIFICATE", "chain-ca.pem");
    const crlf = bytes(caPem.toString().replaceAll("\n", "\r\n"));
    expect(readPemFile(crlf, "CERTIFICATE", "chain-ca.pem")).toEqual([der as Uint8Array]);
  });

  test("reads several blocks written one after the other", () => {
    const both = Buffer.concat([agentPem, caPem]);
    expect(readPemFile(both, "CERTIFICATE", "tsa-chain.pem")).toHaveLength(2);
  });

  test.each([
    [
      "text before the block",
      `subject=CN=x\n${caPem}`,
      /something other than a CERTIFICATE PEM block at byte 0/,
    ],
    ["a blank line between blocks", `${agentPem}\n${caPem}`, /at byte \d+/],
    ["a missing final line end", caPem.toString().trimEnd(), /not in canonical PEM form/],
    [
      "a short base64 line",
      caPem.toString().replace(/\n(.{10})/, "$1\n"),
      /not in canonical PEM form/,
    ],
    [
      "another label",
      caPem.toString().replaceAll("CERTIFICATE", "X509 CRL"),
      /holds no CERTIFICATE PEM block/,
    ],
    ["nothing", "", /is empty/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => readPemFile(bytes(text), "CERTIFICATE", "chain-ca.pem")).toThrow(message);
  });

  test("sees every changed byte: a change never reads as the same DER", () => {
    const [der] = readPemFile(caPem, "CERTIFICATE", "chain-ca.pem");
    for (let at = 0; at < caPem.byteLength; at++) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const changed = Buffer.from(caPem);
        changed[at] = (changed[at] as number) ^ mask;
        let read: Uint8Array[] | undefined;
        try {
          read = readPemFile(changed, "CERTIFICATE", "chain-ca.pem");
        } catch (error) {
          expect(error).toBeInstanceOf(BundleFileError);
        }
        if (read) expect(Buffer.from(read[0] as Uint8Array).equals(der as Uint8Array)).toBe(false);
      }
    }
  });
});

describe("derFramingProblem", () => {
  const [certificate] = readPemFile(caPem, "CERTIFICATE", "chain-ca.pem") as [Uint8Array];

  test("accepts DER", () => {
    expect(derFramingProblem(certificate)).toBeUndefined();
    expect(derFramingProblem(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toBeUndefined();
  });

  test.each([
    ["an indefinite length", [0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00], /indefinite length/],
    ["a short length in the long form", [0x30, 0x81, 0x03, 0x02, 0x01, 0x00], /long form/],
    ["a length with a leading zero", [0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x00], /leading zero/],
    ["bytes after the value", [0x30, 0x03, 0x02, 0x01, 0x00, 0x00], /1 byte after the DER value/],
    ["a child that runs past its parent", [0x30, 0x03, 0x02, 0x02, 0x00], /runs past/],
    ["no bytes", [], /no bytes/],
  ])("refuses %s", (_what, der, message) => {
    expect(derFramingProblem(new Uint8Array(der))).toMatch(message);
  });
});

describe("readCertificate", () => {
  const [der] = readPemFile(agentPem, "CERTIFICATE", "agent.pem") as [Uint8Array];

  test("reads a certificate", () => {
    expect(readCertificate(der, "agent.pem").subject).toContain("CN=test-hotel-istanbul-testvect");
    expect(readCertificatesFile(Buffer.concat([agentPem, caPem]), "tsa-chain.pem")).toHaveLength(2);
  });

  test("refuses bytes after it, which OpenSSL alone would ignore", () => {
    const longer = new Uint8Array([...der, 0x00]);
    expect(() => readCertificate(longer, "agent.pem")).toThrow(/byte after the DER value/);
  });
});

test("oidText", () => {
  expect(oidText(new Uint8Array([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]))).toBe(
    "2.16.840.1.101.3.4.2.1",
  );
  expect(oidText(new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]))).toBe(
    "1.2.840.113549.1.1.11",
  );
});
