/**
 * The auditor's promise: everything the library signs and hashes checks out
 * with the standard tools alone (openssl, sha256sum), and what openssl signs
 * checks out with the library. Each command runs in a temp dir, the way an
 * auditor would run it on an exported bundle.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openssl, VECTOR_FILES, VECTORS_DIR } from "../scripts/make-test-vectors.ts";
import {
  AGENT_RSA_MODULUS_BITS,
  buildManifest,
  certificateSha256,
  EMPTY_SHA256,
  encodeDataRecord,
  scanRecords,
  signManifest,
  verifyManifestSignature,
} from "../shared/src/custody/index.ts";

let dir: string;
let privateKeyPem: string;
let publicKeyPem: string;
let manifestBytes: Uint8Array;
let recordsBytes: Uint8Array;

function sha256sum(file: string): string {
  const result = Bun.spawnSync(["sha256sum", file], { cwd: dir, stdout: "pipe" });
  expect(result.exitCode).toBe(0);
  return result.stdout.toString().split(" ")[0] ?? "";
}

function opensslVerify(manifestFile: string, sigFile: string, pubFile = "pub.pem", cwd = dir) {
  return openssl(["dgst", "-sha256", "-verify", pubFile, "-signature", sigFile, manifestFile], cwd);
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x20;
  return copy;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "custody-openssl-"));
  // A fresh key of the size new agents make, exported as openssl writes keys.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: AGENT_RSA_MODULUS_BITS,
  });
  privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  writeFileSync(join(dir, "key.pem"), privateKeyPem);
  publicKeyPem = publicKey.export({ type: "spki", format: "pem" }) as string;
  writeFileSync(join(dir, "pub.pem"), publicKeyPem);

  const encoder = new TextEncoder();
  recordsBytes = Buffer.concat(
    [
      "<134>firewall,info forward: in:ether2 out:ether1",
      '<134>hotspot,info misafir-İ203 Ağ: Şişli \u0000\t"x"\\',
    ].map((text, index) =>
      encodeDataRecord({
        seq: index + 1,
        receivedAtUs: 1_795_334_400_000_000 + index,
        src: "192.168.88.1",
        port: 51234,
        transport: "udp",
        bytes: encoder.encode(text),
      }),
    ),
  );
  writeFileSync(join(dir, "records.jsonl"), recordsBytes);
  manifestBytes = buildManifest({
    chain_id: "test-chain",
    hotel_id: "test-hotel-istanbul",
    agent_id: "test-hotel-istanbul-openssl1",
    agent_cert_sha256: EMPTY_SHA256,
    hour_start: "2026-11-22T08:00:00Z",
    part: 0,
    window_start: "2026-11-22T08:00:00.000000Z",
    window_end: "2026-11-22T09:00:00.000000Z",
    ...scanRecords(recordsBytes).summary,
    prev_manifest_sha256: null,
    clock: { ntp_synchronized: true, source: "chrony" },
    created_at: "2026-11-22T09:00:00.000000Z",
  }).bytes;
  writeFileSync(join(dir, "manifest.json"), manifestBytes);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("custody format against openssl and sha256sum", () => {
  test("(a) signed by the library, verified by openssl dgst", () => {
    writeFileSync(join(dir, "library.sig"), signManifest(manifestBytes, privateKeyPem));
    const result = opensslVerify("manifest.json", "library.sig");
    expect(result.stdout.trim()).toBe("Verified OK");
    expect(result.exitCode).toBe(0);
  });

  test("(b) signed by openssl dgst, verified by the library, and the same bytes (deterministic)", () => {
    const sign = openssl(
      ["dgst", "-sha256", "-sign", "key.pem", "-out", "openssl.sig", "manifest.json"],
      dir,
    );
    expect(sign.exitCode).toBe(0);
    const signature = new Uint8Array(readFileSync(join(dir, "openssl.sig")));
    expect(verifyManifestSignature(manifestBytes, signature, publicKeyPem)).toBe(true);
    expect(Buffer.from(signature).equals(signManifest(manifestBytes, privateKeyPem))).toBe(true);
  });

  test("(c) sha256sum records.jsonl equals records_sha256", () => {
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
      records_sha256: string;
    };
    expect(sha256sum("records.jsonl")).toBe(manifest.records_sha256);
  });

  test("(d) a flipped byte fails both ways", () => {
    const signature = signManifest(manifestBytes, privateKeyPem);
    writeFileSync(join(dir, "good.sig"), signature);
    for (const at of [0, Math.floor(manifestBytes.byteLength / 2), manifestBytes.byteLength - 2]) {
      const tampered = flipped(manifestBytes, at);
      writeFileSync(join(dir, "tampered.json"), tampered);
      expect(opensslVerify("tampered.json", "good.sig").exitCode).not.toBe(0);
      expect(verifyManifestSignature(tampered, signature, publicKeyPem)).toBe(false);
    }
    const badSignature = flipped(signature, 100);
    writeFileSync(join(dir, "bad.sig"), badSignature);
    expect(opensslVerify("manifest.json", "bad.sig").exitCode).not.toBe(0);
    expect(verifyManifestSignature(manifestBytes, badSignature, publicKeyPem)).toBe(false);
  });

  test("(e) the committed vectors verify with the auditor's commands alone", () => {
    const vectors = VECTORS_DIR;
    expect(
      openssl(["verify", "-CAfile", "chain-ca.pem", VECTOR_FILES.agentCert], vectors).stdout.trim(),
    ).toBe("agent.pem: OK");
    const pubkey = openssl(["x509", "-in", VECTOR_FILES.agentCert, "-pubkey", "-noout"], vectors);
    expect(pubkey.exitCode).toBe(0);
    writeFileSync(join(dir, "agent-pub.pem"), pubkey.stdout);
    for (const chunk of ["chunk-1", "chunk-2", "chunk-3", "chunk-4", "chunk-5"]) {
      const result = opensslVerify(
        join(vectors, chunk, "manifest.json"),
        join(vectors, chunk, "manifest.sig"),
        join(dir, "agent-pub.pem"),
      );
      expect(result.stdout.trim()).toBe("Verified OK");
    }
    // agent_cert_sha256 is the SHA-256 of the DER: openssl's fingerprint, lower-case, without colons.
    const fingerprint = openssl(
      ["x509", "-in", VECTOR_FILES.agentCert, "-noout", "-fingerprint", "-sha256"],
      vectors,
    );
    const hex = fingerprint.stdout.trim().split("=")[1]?.replaceAll(":", "").toLowerCase();
    const pem = readFileSync(join(vectors, VECTOR_FILES.agentCert), "utf8");
    expect(hex).toBe(certificateSha256(pem));
    const der = openssl(
      ["x509", "-in", VECTOR_FILES.agentCert, "-outform", "DER", "-out", join(dir, "agent.der")],
      vectors,
    );
    expect(der.exitCode).toBe(0);
    expect(certificateSha256(new Uint8Array(readFileSync(join(dir, "agent.der"))))).toBe(
      certificateSha256(pem),
    );
  });
});
