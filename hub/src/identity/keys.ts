import { generateKeyPairSync } from "node:crypto";

export interface RsaKeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * An RSA key pair from node:crypto (native, ~0.4 s for 3072 bits) instead of
 * node-forge's pure-JS generator (tens of seconds); forge reads the PEM after.
 *
 * @example
 * const { privateKeyPem } = generateRsaKeyPair(3072);
 * const key = forge.pki.privateKeyFromPem(privateKeyPem);
 */
export function generateRsaKeyPair(bits: number): RsaKeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    // PKCS#1 ("RSA PRIVATE KEY"): the form forge.pki.privateKeyFromPem reads.
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** A random positive serial number (16 bytes, hex), as RFC 5280 wants it unpredictable. */
export function randomSerialHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // The high bit clear keeps the DER INTEGER positive without a leading zero byte.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}
