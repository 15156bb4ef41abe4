import { createSign } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { hubUrn } from "../../../shared/src/custody/certificate-names.ts";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { BACKDATE_MS, type ChainCa } from "./ca.ts";
import { generateRsaKeyPair, randomSerialHex } from "./keys.ts";

/**
 * The hub's own signing identity, issued by the chain CA: it signs what the
 * hub vouches for itself (the daily roll-ups), never agent evidence.
 */
export interface HubSigner {
  certificatePem: string;
  sha256: string;
  /** RSASSA-PKCS1-v1_5 SHA-256 over `data`, raw (what `openssl dgst -sha256 -sign` writes). */
  sign(data: Uint8Array): Uint8Array;
}

export const HUB_SIGNER_FILES = {
  certificate: "hub-signing.pem",
  key: "hub-signing.key.pem",
} as const;
const VALIDITY_DAYS = 825;
/** Renewed this long before expiry; old roll-ups keep their own `hub.pem`. */
const RENEW_BEFORE_MS = 60 * 86_400_000;

function issueHubCertificate(ca: ChainCa, chainId: string, publicKeyPem: string): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = randomSerialHex();
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - BACKDATE_MS);
  certificate.validity.notAfter = new Date(
    Math.min(now + VALIDITY_DAYS * 86_400_000, ca.certificate.validity.notAfter.getTime()),
  );
  certificate.setSubject([
    { name: "commonName", value: `LogMaster hub (${chainId})` },
    { name: "organizationName", value: chainId },
  ]);
  certificate.setIssuer(ca.certificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    { name: "subjectAltName", altNames: [{ type: 6, value: hubUrn(chainId) }] },
    { name: "subjectKeyIdentifier" },
  ]);
  certificate.sign(ca.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

/**
 * The hub signing key and certificate in the CA directory
 * (`hub-signing.pem`, `hub-signing.key.pem` 0600), issued by the chain CA on
 * first use and renewed two months before expiry. Hubs sharing the CA
 * directory share the identity.
 *
 * @example
 * const signer = loadOrCreateHubSigner(config.caDir, ca, chainId);
 * const signature = signer.sign(dayManifestBytes);
 */
export function loadOrCreateHubSigner(
  dir: string,
  ca: ChainCa,
  chainId: string,
  keyBits = 3072,
): HubSigner {
  const certPath = join(dir, HUB_SIGNER_FILES.certificate);
  const keyPath = join(dir, HUB_SIGNER_FILES.key);
  let current =
    existsSync(certPath) && existsSync(keyPath)
      ? { certificatePem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8") }
      : undefined;
  const expiresSoon =
    current &&
    forge.pki.certificateFromPem(current.certificatePem).validity.notAfter.getTime() -
      RENEW_BEFORE_MS <
      Date.now();
  if (!current || expiresSoon) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = generateRsaKeyPair(keyBits);
    const certificatePem = issueHubCertificate(ca, chainId, keys.publicKeyPem);
    // Key then certificate, each via rename: a reader sees an old or a new pair's file whole.
    writeFileSync(`${keyPath}.tmp`, keys.privateKeyPem, { mode: 0o600 });
    chmodSync(`${keyPath}.tmp`, 0o600);
    renameSync(`${keyPath}.tmp`, keyPath);
    writeFileSync(`${certPath}.tmp`, certificatePem);
    renameSync(`${certPath}.tmp`, certPath);
    current = { certificatePem, keyPem: keys.privateKeyPem };
  }
  const { certificatePem, keyPem } = current;
  return {
    certificatePem,
    sha256: certificateSha256(certificatePem),
    sign: (data) => new Uint8Array(createSign("sha256").update(data).sign(keyPem)),
  };
}
