/**
 * The Kamu SM `identity` header, checked against the structure the public
 * sources describe and against OpenSSL's PBKDF2 and AES (an implementation we
 * did not write). Whether the real service accepts it could not be tested
 * from here: see docs/timestamping.md.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asn1js from "asn1js";
import { timestampAuthFromSettings } from "./client.ts";
import { digestOf } from "./der.ts";
import { decodeKamusmIdentity, KAMUSM_PBKDF2_ITERATIONS, kamusmIdentity } from "./kamusm.ts";

const dir = mkdtempSync(join(tmpdir(), "kamusm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const credentials = { customerId: 123456, password: "Gizli-Parola-ğüşİ" };
const digest = digestOf("SHA-256", new TextEncoder().encode("manifest.json bytes"));

function opensslHex(args: string[]): string {
  const result = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return result.stdout.toString();
}

describe("kamusmIdentity", () => {
  test("is the hex of an ESYAReqEx: customer, salt, 100 iterations, IV = salt, encrypted digest", () => {
    const header = kamusmIdentity(credentials, digest);
    expect(header).toMatch(/^30[0-9a-f]+$/);
    const decoded = decodeKamusmIdentity(header, credentials.password);
    expect(decoded.customerId).toBe(123456);
    expect(decoded.iterations).toBe(KAMUSM_PBKDF2_ITERATIONS);
    expect(decoded.salt.byteLength).toBe(16);
    expect(decoded.iv).toEqual(decoded.salt);
    expect(decoded.hashedMessage).toEqual(digest);
  });

  test("each request gets a fresh salt", () => {
    expect(kamusmIdentity(credentials, digest)).not.toBe(kamusmIdentity(credentials, digest));
  });

  test("the ciphertext is OpenSSL's PBKDF2-HMAC-SHA256 + AES-256-CBC of the digest", () => {
    const salt = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    const header = kamusmIdentity(credentials, digest, salt);
    const fields = (asn1js.fromBER(Buffer.from(header, "hex")).result as asn1js.Sequence).valueBlock
      .value;
    const ciphertext = Buffer.from((fields[4] as asn1js.OctetString).valueBlock.valueHexView);

    writeFileSync(join(dir, "password"), credentials.password);
    const key = opensslHex(
      [
        "kdf",
        "-keylen",
        "32",
        "-kdfopt",
        "digest:SHA256",
        "-kdfopt",
        `hexpass:${Buffer.from(credentials.password).toString("hex")}`,
      ].concat(["-kdfopt", `hexsalt:${salt.toString("hex")}`, "-kdfopt", "iter:100", "PBKDF2"]),
    )
      .trim()
      .replaceAll(":", "");
    writeFileSync(join(dir, "digest.bin"), digest);
    opensslHex(
      ["enc", "-aes-256-cbc", "-K", key, "-iv", salt.toString("hex"), "-in", "digest.bin"].concat([
        "-out",
        "encrypted.bin",
      ]),
    );
    expect(ciphertext).toEqual(readFileSync(join(dir, "encrypted.bin")));
    expect(ciphertext.byteLength).toBe(48); // 32-byte digest + a full block of PKCS#7 padding
  });

  test("another password does not decrypt it", () => {
    const header = kamusmIdentity(credentials, digest);
    let decrypted: Uint8Array | undefined;
    try {
      decrypted = decodeKamusmIdentity(header, "wrong").hashedMessage;
    } catch {
      decrypted = undefined; // bad padding: the usual outcome
    }
    expect(decrypted).not.toEqual(digest);
  });

  test("credentials that cannot be Kamu SM's are refused before any request", () => {
    expect(() => kamusmIdentity({ customerId: -1, password: "x" }, digest)).toThrow(
      "customer number",
    );
    expect(() => kamusmIdentity({ customerId: 1, password: "" }, digest)).toThrow("TSA_PASSWORD");
  });
});

describe("timestampAuthFromSettings", () => {
  test("maps TSA_AUTH / TSA_USERNAME / TSA_PASSWORD, naming the setting on error", () => {
    expect(timestampAuthFromSettings({})).toEqual({ kind: "none" });
    expect(timestampAuthFromSettings({ username: "u", password: "p" })).toEqual({
      kind: "basic",
      username: "u",
      password: "p",
    });
    expect(
      timestampAuthFromSettings({ auth: "kamusm", username: "123456", password: "p" }),
    ).toEqual({ kind: "kamusm", customerId: 123456, password: "p" });
    expect(() =>
      timestampAuthFromSettings({ auth: "kamusm", username: "abc", password: "p" }),
    ).toThrow("TSA_USERNAME");
    expect(() => timestampAuthFromSettings({ auth: "digest" })).toThrow("TSA_AUTH must be");
    expect(() => timestampAuthFromSettings({ auth: "none", password: "p" })).toThrow(
      "TSA_AUTH is none",
    );
  });
});
