import { X509Certificate } from "node:crypto";
import forge from "node-forge";
import { agentUrn, subjectAltNameUris } from "../../../shared/src/custody/certificate-names.ts";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { BACKDATE_MS, type ChainCa } from "./ca.ts";
import { randomSerialHex } from "./keys.ts";

/** Who a certificate names: the tenant the hub takes from the TLS handshake. */
export interface AgentIdentity {
  chainId: string;
  hotelId: string;
  agentId: string;
}

export const MIN_AGENT_KEY_BITS = 2048;
export const DEFAULT_AGENT_VALIDITY_DAYS = 397;

const SLUG = "[a-z0-9][a-z0-9-]{0,62}";
const AGENT_URN = new RegExp(`^urn:logmaster:(${SLUG}):(${SLUG}):(${SLUG}-[a-z2-7]{8})$`);

/** Why a CSR or certificate was refused; `message` is fit for an API answer. */
export class CertificateRequestError extends Error {
  override readonly name = "CertificateRequestError";
}

/** A new agent id: `<hotel_id>-<8 random base32 chars>`. */
export function newAgentId(hotelId: string): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const random = crypto.getRandomValues(new Uint8Array(8));
  return `${hotelId}-${Array.from(random, (b) => alphabet[b & 31]).join("")}`;
}

/** The SAN URI that names an agent; the hub reads tenant and agent from it alone. */
export { agentUrn };

export interface IssuedCertificate {
  certificatePem: string;
  serialHex: string;
  sha256: string;
  notAfter: Date;
}

/** forge throws (instead of returning false) when the signature block is not even well padded. */
function verifiesItself(csr: forge.pki.CertificateSigningRequest): boolean {
  try {
    return csr.verify();
  } catch {
    return false;
  }
}

/**
 * Check a PKCS#10 CSR (PEM) and return its RSA public key: the signature must
 * prove possession of the private key, and the key must be RSA >= 2048 bits.
 * The CSR's subject is ignored: the hub decides the names.
 */
export function readCertificateRequest(csrPem: string): forge.pki.rsa.PublicKey {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (error) {
    throw new CertificateRequestError(
      `csr_pem is not a PKCS#10 RSA certificate request: ${(error as Error).message}`,
    );
  }
  if (!verifiesItself(csr)) throw new CertificateRequestError("csr_pem signature does not verify");
  const publicKey = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!publicKey?.n) throw new CertificateRequestError("csr_pem carries no RSA public key");
  const bits = publicKey.n.bitLength();
  if (bits < MIN_AGENT_KEY_BITS) {
    throw new CertificateRequestError(
      `csr_pem key is RSA-${bits}; at least RSA-${MIN_AGENT_KEY_BITS} is required`,
    );
  }
  return publicKey;
}

/**
 * Sign an agent certificate for a verified CSR: subject CN=agent, O=chain,
 * OU=hotel, SAN URI `urn:logmaster:<chain>:<hotel>:<agent>`, clientAuth only.
 *
 * @example
 * const issued = issueAgentCertificate(ca, csrPem, { chainId, hotelId, agentId });
 */
export function issueAgentCertificate(
  ca: ChainCa,
  csrPem: string,
  identity: AgentIdentity,
  validityDays = DEFAULT_AGENT_VALIDITY_DAYS,
): IssuedCertificate {
  const publicKey = readCertificateRequest(csrPem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = randomSerialHex();
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - BACKDATE_MS);
  certificate.validity.notAfter = new Date(now + validityDays * 86_400_000);
  certificate.setSubject([
    { name: "commonName", value: identity.agentId },
    { name: "organizationName", value: identity.chainId },
    { name: "organizationalUnitName", value: identity.hotelId },
  ]);
  certificate.setIssuer(ca.certificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
    { name: "subjectAltName", altNames: [{ type: 6, value: agentUrn(identity) }] },
    { name: "subjectKeyIdentifier" },
  ]);
  certificate.sign(ca.privateKey, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(certificate);
  return {
    certificatePem,
    serialHex: certificate.serialNumber,
    sha256: certificateSha256(certificatePem),
    notAfter: certificate.validity.notAfter,
  };
}

/**
 * The agent a certificate names, from its SAN URI (never from CN/OU, which
 * are for people). Undefined when the certificate names no agent.
 *
 * @example
 * identityOfCertificate(peerCertificate.raw) // { chainId, hotelId, agentId }
 */
export function identityOfCertificate(certificate: Uint8Array | string): AgentIdentity | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certificate);
  } catch {
    return undefined;
  }
  const uris = subjectAltNameUris(x509);
  if (uris.length !== 1) return undefined;
  const match = AGENT_URN.exec(uris[0] ?? "");
  if (!match) return undefined;
  const [, chainId = "", hotelId = "", agentId = ""] = match;
  // The agent id embeds its hotel: a certificate pairing another hotel's agent is malformed.
  if (!agentId.startsWith(`${hotelId}-`)) return undefined;
  return { chainId, hotelId, agentId };
}
