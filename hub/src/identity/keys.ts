import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

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

/** A root CA certificate made by {@link selfSignedRoot}, with its key. */
export interface SelfSignedRoot {
  certificate: forge.pki.Certificate;
  privateKey: forge.pki.rsa.PrivateKey;
  privateKeyPem: string;
  /** The subject (= issuer) attributes, for the certificates it issues. */
  name: forge.pki.CertificateField[];
}

/**
 * A self-signed root CA (basicConstraints CA, keyUsage keyCertSign + cRLSign,
 * SHA-256), valid from `notBefore` for `years`: the chain CA and the
 * development TSA's root are both made here.
 *
 * @example
 * const root = selfSignedRoot({ name: [{ name: "commonName", value: "X" }], keyBits: 3072, notBefore, years: 10 });
 */
export function selfSignedRoot(options: {
  name: forge.pki.CertificateField[];
  keyBits: number;
  notBefore: Date;
  years: number;
}): SelfSignedRoot {
  const { privateKeyPem, publicKeyPem } = generateRsaKeyPair(options.keyBits);
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = randomSerialHex();
  certificate.validity.notBefore = options.notBefore;
  const notAfter = new Date(options.notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.years);
  certificate.validity.notAfter = notAfter;
  certificate.setSubject(options.name);
  certificate.setIssuer(options.name);
  certificate.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  certificate.sign(privateKey, forge.md.sha256.create());
  return { certificate, privateKey, privateKeyPem, name: options.name };
}
