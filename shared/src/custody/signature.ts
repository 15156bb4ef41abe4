import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import { CustodyError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";

/**
 * manifest.sig: RSA PKCS#1 v1.5 with SHA-256 over the exact bytes of
 * manifest.json, raw (no PEM, no base64) — the bytes that
 * `openssl dgst -sha256 -sign key.pem -out manifest.sig manifest.json` writes.
 * PKCS#1 v1.5 rather than PSS because it is deterministic (test vectors are
 * reproducible) and it is openssl dgst's default, so auditors need no flags.
 */

/** Modulus size for keys that agents generate. */
export const AGENT_RSA_MODULUS_BITS = 3072;
/** Smallest modulus accepted when signing or verifying. */
export const MIN_RSA_MODULUS_BITS = 2048;

function requireStrongRsa(key: KeyObject, role: string): KeyObject {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa") {
    throw new CustodyError(
      "unsupported_key",
      `${role} is ${key.asymmetricKeyType ?? "not an asymmetric key"}; logmaster-chunk/1 uses RSA`,
    );
  }
  if (bits === undefined || bits < MIN_RSA_MODULUS_BITS) {
    throw new CustodyError(
      "unsupported_key",
      `${role} has a ${bits}-bit modulus; at least ${MIN_RSA_MODULUS_BITS} bits are required`,
    );
  }
  return key;
}

function readKey(role: string, read: () => KeyObject): KeyObject {
  try {
    return requireStrongRsa(read(), role);
  } catch (error) {
    if (error instanceof CustodyError) throw error;
    throw new CustodyError(
      "unsupported_key",
      `${role} cannot be read: ${(error as Error).message}`,
    );
  }
}

/**
 * The public key in a PEM public key (SPKI or PKCS#1) or X.509 certificate,
 * checked to be RSA >= 2048 bits. Throws `unsupported_key` otherwise. Read it
 * once when verifying many manifests of the same agent.
 *
 * @example
 * const key = readRsaPublicKey(agentCertPem);
 * const allOk = chunks.every((c) => verifyManifestSignature(c.manifest, c.signature, key));
 */
export function readRsaPublicKey(publicKeyOrCertPem: string | KeyObject): KeyObject {
  return readKey("the verification key", () => {
    if (typeof publicKeyOrCertPem !== "string") return publicKeyOrCertPem;
    if (publicKeyOrCertPem.includes("-----BEGIN CERTIFICATE-----")) {
      return new X509Certificate(publicKeyOrCertPem).publicKey;
    }
    return createPublicKey(publicKeyOrCertPem);
  });
}

/**
 * An unencrypted PEM private key (PKCS#8 or PKCS#1), checked to be RSA >= 2048 bits.
 *
 * @example
 * const agentKey = readRsaPrivateKey(await Bun.file(keyPath).text()); // fails at startup, not at seal time
 */
export function readRsaPrivateKey(privateKeyPem: string | KeyObject): KeyObject {
  return readKey("the signing key", () =>
    typeof privateKeyPem === "string" ? createPrivateKey(privateKeyPem) : privateKeyPem,
  );
}

/**
 * Sign manifest.json bytes: the raw manifest.sig bytes (modulus length, e.g.
 * 384 bytes for a 3072-bit key).
 *
 * @example
 * await Bun.write("chunk/manifest.sig", signManifest(bytes, agentKeyPem));
 */
export function signManifest(
  manifestBytes: Uint8Array,
  privateKeyPem: string | KeyObject,
): Uint8Array {
  const key = readRsaPrivateKey(privateKeyPem);
  return new Uint8Array(
    sign("sha256", manifestBytes, { key, padding: constants.RSA_PKCS1_PADDING }),
  );
}

/**
 * Whether `signature` is the agent's signature over these exact manifest
 * bytes. Takes the agent certificate (agent.pem) or its public key. False for
 * any signature that does not verify; throws `unsupported_key` when the key
 * itself is unacceptable (not RSA, under 2048 bits, unreadable).
 *
 * @example
 * verifyManifestSignature(manifestBytes, sigBytes, await Bun.file("agent.pem").text()) // true
 */
export function verifyManifestSignature(
  manifestBytes: Uint8Array,
  signature: Uint8Array,
  publicKeyOrCertPem: string | KeyObject,
): boolean {
  const key = readRsaPublicKey(publicKeyOrCertPem);
  return verify("sha256", manifestBytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
}

/**
 * The manifest's `agent_cert_sha256`: SHA-256 of the certificate's DER bytes
 * (given as PEM or DER), lower-case hex. Same value as
 * `openssl x509 -in agent.pem -outform DER | sha256sum`, and as
 * `openssl x509 -in agent.pem -noout -fingerprint -sha256` without colons, lower-cased.
 *
 * @example
 * certificateSha256(await Bun.file("agent.pem").text()) // "5f1c…"
 */
export function certificateSha256(certPemOrDer: string | Uint8Array): string {
  let der: Uint8Array;
  try {
    // Parsed even when given DER: the fingerprint of something that is not a certificate is an error.
    der = new X509Certificate(certPemOrDer).raw;
  } catch (error) {
    throw new CustodyError(
      "unsupported_key",
      `certificate cannot be read: ${(error as Error).message}`,
    );
  }
  return sha256Hex(der);
}
