import forge from "node-forge";
import { generateRsaKeyPair } from "./keys.ts";

/**
 * A key pair and a PKCS#10 CSR for it, as an agent would make them. Tests only
 * (the agent builds its own CSR).
 *
 * @example
 * const { privateKeyPem, csrPem } = makeCertificateRequest(2048);
 */
export function makeCertificateRequest(
  bits = 2048,
  keyPair = generateRsaKeyPair(bits),
): { privateKeyPem: string; csrPem: string } {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keyPair.publicKeyPem);
  csr.setSubject([{ name: "commonName", value: "site-box" }]);
  csr.sign(forge.pki.privateKeyFromPem(keyPair.privateKeyPem), forge.md.sha256.create());
  return {
    privateKeyPem: keyPair.privateKeyPem,
    csrPem: forge.pki.certificationRequestToPem(csr),
  };
}
