import { beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { CustodyError } from "./errors.ts";
import { certificateSha256, signManifest, verifyManifestSignature } from "./signature.ts";

const manifestBytes = new TextEncoder().encode('{\n  "format": "logmaster-chunk/1"\n}\n');

let privateKey: KeyObject;
let publicKey: KeyObject;
beforeAll(() => {
  ({ privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 }));
});

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

function unsupportedKey(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CustodyError);
    expect((error as CustodyError).code).toBe("unsupported_key");
    return (error as Error).message;
  }
  throw new Error("expected unsupported_key");
}

describe("certificateSha256", () => {
  test("refuses what is not a certificate", () => {
    expect(
      unsupportedKey(() =>
        certificateSha256("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
      ),
    ).toContain("certificate cannot be read");
    expect(unsupportedKey(() => certificateSha256(new Uint8Array([0x30, 0x00])))).toContain(
      "certificate cannot be read",
    );
  });
});

describe("signManifest / verifyManifestSignature", () => {
  test("round trip with PEM keys (PKCS#8, SPKI and PKCS#1 public)", () => {
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const signature = signManifest(manifestBytes, privatePem);
    expect(signature.byteLength).toBe(256);
    expect(
      verifyManifestSignature(
        manifestBytes,
        signature,
        publicKey.export({ type: "spki", format: "pem" }) as string,
      ),
    ).toBe(true);
    expect(
      verifyManifestSignature(
        manifestBytes,
        signature,
        publicKey.export({ type: "pkcs1", format: "pem" }) as string,
      ),
    ).toBe(true);
    expect(verifyManifestSignature(manifestBytes, signature, publicKey)).toBe(true);
  });

  test("PKCS#1 v1.5 is deterministic: the same bytes give the same signature", () => {
    expect(signManifest(manifestBytes, privateKey)).toEqual(
      signManifest(manifestBytes, privateKey),
    );
  });

  test("a flipped byte in the manifest or the signature fails", () => {
    const signature = signManifest(manifestBytes, privateKey);
    for (const at of [0, 10, manifestBytes.byteLength - 1]) {
      expect(verifyManifestSignature(flipped(manifestBytes, at), signature, publicKey)).toBe(false);
    }
    for (const at of [0, 128, 255]) {
      expect(verifyManifestSignature(manifestBytes, flipped(signature, at), publicKey)).toBe(false);
    }
  });

  test("a truncated or empty signature is false, not an exception", () => {
    const signature = signManifest(manifestBytes, privateKey);
    expect(verifyManifestSignature(manifestBytes, signature.subarray(0, 255), publicKey)).toBe(
      false,
    );
    expect(verifyManifestSignature(manifestBytes, new Uint8Array(), publicKey)).toBe(false);
  });

  test("another key's signature fails", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(
      verifyManifestSignature(
        manifestBytes,
        signManifest(manifestBytes, other.privateKey),
        publicKey,
      ),
    ).toBe(false);
  });

  test("refuses RSA keys under 2048 bits, both ways", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(unsupportedKey(() => signManifest(manifestBytes, weak.privateKey))).toContain(
      "1024-bit",
    );
    expect(
      unsupportedKey(() =>
        verifyManifestSignature(manifestBytes, new Uint8Array(128), weak.publicKey),
      ),
    ).toContain("at least 2048");
  });

  test("refuses keys that are not RSA (EC, Ed25519)", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(unsupportedKey(() => signManifest(manifestBytes, ec.privateKey))).toContain("is ec");
    const ed = generateKeyPairSync("ed25519");
    expect(
      unsupportedKey(() =>
        verifyManifestSignature(manifestBytes, new Uint8Array(64), ed.publicKey),
      ),
    ).toContain("is ed25519");
  });

  test("refuses unreadable PEM with the reason", () => {
    expect(
      unsupportedKey(() =>
        verifyManifestSignature(manifestBytes, new Uint8Array(256), "not a key"),
      ),
    ).toContain("cannot be read");
    expect(
      unsupportedKey(() =>
        signManifest(
          manifestBytes,
          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
      ),
    ).toContain("cannot be read");
  });
});
