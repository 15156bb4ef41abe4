import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

/**
 * A new RSA-3072 key pair, private key as PKCS#8 PEM (it never leaves the box).
 *
 * @example
 * const { privateKeyPem } = generateAgentKey();
 */
export function generateAgentKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 3072,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * A PKCS#10 CSR signed with the agent key. The subject is only a hint (the
 * host name); the hub names the certificate from the token's hotel.
 *
 * @example
 * const csrPem = createCsr(privateKeyPem, hostname());
 */
export function createCsr(privateKeyPem: string, commonName: string): string {
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  csr.setSubject([{ name: "commonName", value: commonName.slice(0, 64) || "logmaster-agent" }]);
  csr.sign(privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
