import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { generateRsaKeyPair, randomSerialHex, selfSignedRoot } from "./keys.ts";

/** The chain CA: signs agent certificates and the hub's server certificate. */
export interface ChainCa {
  readonly certificatePem: string;
  readonly certificate: forge.pki.Certificate;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  /** Hex SHA-256 of the CA certificate's DER: what enrollment tokens pin. */
  readonly sha256: string;
}

export const CA_CERT_FILE = "ca.pem";
export const CA_KEY_FILE = "ca.key.pem";
const CA_VALIDITY_YEARS = 10;
/** Certificates start a little in the past, so a site box whose clock lags still accepts them. */
export const BACKDATE_MS = 5 * 60_000;

function toChainCa(certificatePem: string, privateKeyPem: string): ChainCa {
  const certificate = forge.pki.certificateFromPem(certificatePem);
  return {
    certificatePem,
    certificate,
    privateKey: forge.pki.privateKeyFromPem(privateKeyPem),
    sha256: certificateSha256(certificatePem),
  };
}

/**
 * Make a self-signed chain CA (10 years; basicConstraints CA, keyUsage
 * keyCertSign + cRLSign).
 *
 * @example
 * const ca = createChainCa({ chainId: "default", keyBits: 3072 });
 */
export function createChainCa(options: { chainId: string; keyBits: number }): ChainCa & {
  privateKeyPem: string;
} {
  // Backdated a little, like every certificate the hub makes: a peer's clock may lag.
  const { certificate, privateKeyPem } = selfSignedRoot({
    name: [
      { name: "commonName", value: `LogMaster chain CA (${options.chainId})` },
      { name: "organizationName", value: options.chainId },
    ],
    keyBits: options.keyBits,
    notBefore: new Date(Date.now() - BACKDATE_MS),
    years: CA_VALIDITY_YEARS,
  });
  const certificatePem = forge.pki.certificateToPem(certificate);
  return { ...toChainCa(certificatePem, privateKeyPem), privateKeyPem };
}

/**
 * The chain CA kept in `dir` (`ca.pem`, `ca.key.pem` with mode 0600), made
 * there on first use. Several hub processes sharing one archive read the same
 * files, so creation happens once, by whoever starts first.
 *
 * @example
 * const ca = loadOrCreateChainCa("data/hub/ca", { chainId: "default", keyBits: 3072 });
 */
export function loadOrCreateChainCa(
  dir: string,
  options: { chainId: string; keyBits: number },
): ChainCa {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  if (existsSync(certPath) || existsSync(keyPath)) {
    if (!existsSync(certPath) || !existsSync(keyPath)) {
      throw new Error(`CA directory ${dir} must hold both ${CA_CERT_FILE} and ${CA_KEY_FILE}`);
    }
    return toChainCa(readFileSync(certPath, "utf8"), readFileSync(keyPath, "utf8"));
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created = createChainCa(options);
  // The key first, 0600 from its first byte: a reader never sees it wider.
  writeFileSync(keyPath, created.privateKeyPem, { mode: 0o600, flag: "wx" });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, created.certificatePem, { flag: "wx" });
  return created;
}

/** A key and certificate (+ CA) for a TLS listener. */
export interface ServerIdentity {
  privateKeyPem: string;
  /** The leaf then the CA: an agent pins the chain's last certificate. */
  certificateChainPem: string;
}

/**
 * A fresh server certificate for the ingest listener, for `localhost`,
 * `127.0.0.1`, `::1` and the configured hostnames (DNS names or IPs).
 * Made at each start: nothing to rotate, nothing to keep secret on disk.
 *
 * @example
 * const tls = issueServerCertificate(ca, ["hub.example.com"]);
 */
export function issueServerCertificate(
  ca: ChainCa,
  hostnames: readonly string[],
  keyBits = 2048,
): ServerIdentity {
  const { privateKeyPem, publicKeyPem } = generateRsaKeyPair(keyBits);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = randomSerialHex();
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - BACKDATE_MS);
  certificate.validity.notAfter = new Date(now + 397 * 86_400_000);
  const names = [...new Set(["localhost", "127.0.0.1", "::1", ...hostnames])];
  certificate.setSubject([
    { name: "commonName", value: names.find((n) => !isIpLiteral(n)) ?? "hub" },
  ]);
  certificate.setIssuer(ca.certificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: names.map((name) =>
        isIpLiteral(name) ? { type: 7, ip: name } : { type: 2, value: name },
      ),
    },
  ]);
  certificate.sign(ca.privateKey, forge.md.sha256.create());
  return {
    privateKeyPem,
    certificateChainPem: forge.pki.certificateToPem(certificate) + ca.certificatePem,
  };
}

function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(":");
}
