import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestOf, LOGMASTER_OID_ARC } from "./der.ts";
import { buildTimestampRequest, parseTimestampRequest, randomNonce } from "./request.ts";

const dir = mkdtempSync(join(tmpdir(), "timestamp-request-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = new TextEncoder().encode('{"format": "logmaster-chunk/1"}\n');

describe("buildTimestampRequest", () => {
  test("version 1, SHA-256 imprint of the data, a nonce, certReq", () => {
    const request = buildTimestampRequest({ data });
    expect(request.digest).toEqual(digestOf("SHA-256", data));
    const parsed = parseTimestampRequest(request.der);
    expect(parsed).toMatchObject({
      version: 1,
      hashAlgorithm: "SHA-256",
      hashedMessage: request.digest,
      nonce: request.nonce,
      certReq: true,
      reqPolicy: undefined,
      hasExtensions: false,
    });
  });

  test("openssl reads it as we meant it", () => {
    const policy = `${LOGMASTER_OID_ARC}.1.1`;
    const request = buildTimestampRequest({ data, nonce: 0xfedcba9876543210n, reqPolicy: policy });
    writeFileSync(join(dir, "q.tsq"), request.der);
    const result = Bun.spawnSync(["openssl", "ts", "-query", "-in", "q.tsq", "-text"], {
      cwd: dir,
    });
    const text = result.stdout.toString();
    expect(result.exitCode).toBe(0);
    expect(text).toContain("Version: 1");
    expect(text).toContain("Hash Algorithm: sha256");
    expect(text).toContain(`Policy OID: ${policy}`);
    expect(text).toContain("Nonce: 0xFEDCBA9876543210");
    expect(text).toContain("Certificate required: yes");
  });

  test("nonces are random, 64-bit and never zero", () => {
    const nonces = new Set(Array.from({ length: 200 }, randomNonce));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce > 0n && nonce < 2n ** 64n).toBe(true);
  });

  test("a given digest is used as is; its length must fit the hash", () => {
    const digest = digestOf("SHA-512", data);
    const parsed = parseTimestampRequest(
      buildTimestampRequest({ digest, hashAlgorithm: "SHA-512", certReq: false }).der,
    );
    expect(parsed.hashAlgorithm).toBe("SHA-512");
    expect(parsed.hashedMessage).toEqual(digest);
    expect(parsed.certReq).toBe(false);
    expect(() => buildTimestampRequest({ digest })).toThrow("SHA-256 digest has 32 bytes");
    expect(() => buildTimestampRequest({})).toThrow('exactly one of "data" or "digest"');
  });
});

describe("parseTimestampRequest", () => {
  test("refuses what is not a TimeStampReq", () => {
    expect(() => parseTimestampRequest(new Uint8Array([1, 2, 3]))).toThrow("TimeStampReq");
    expect(() => parseTimestampRequest(data)).toThrow("TimeStampReq");
  });
});
