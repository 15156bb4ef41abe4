/**
 * Test-only PKI (node-forge): a chain CA that issues agent and server
 * certificates the way the hub does, so tests use real certificates.
 * RSA-2048 to keep tests fast; the agent itself makes RSA-3072 keys.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import forge from "node-forge";
import type { AgentIdentity } from "../enroll/identity.ts";
import { identityPaths } from "../enroll/identity.ts";

export interface TestPki {
  caPem: string;
  caKeyPem: string;
  /** Issue a certificate for a public key (PEM) with these subject fields. */
  issue(publicKeyPem: string, options: IssueOptions): string;
}

export interface IssueOptions {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  uri?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
  serverAuth?: boolean;
}

function rsaKeyPair(bits = 2048) {
  return generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

export function createTestPki(): TestPki {
  const caKeys = rsaKeyPair();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKey);
  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caKeys.publicKey);
  ca.serialNumber = "01";
  ca.validity.notBefore = new Date(Date.now() - 3_600_000);
  ca.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const caName = [{ name: "commonName", value: "LogMaster test chain CA" }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKey, forge.md.sha256.create());
  let serial = 2;
  return {
    caPem: forge.pki.certificateToPem(ca),
    caKeyPem: caKeys.privateKey,
    issue(publicKeyPem, options) {
      const cert = forge.pki.createCertificate();
      cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
      cert.serialNumber = (serial++).toString(16).padStart(2, "0");
      cert.validity.notBefore = new Date(Date.now() - 3_600_000);
      cert.validity.notAfter = new Date(Date.now() + (options.validDays ?? 30) * 86_400_000);
      const subject: forge.pki.CertificateField[] = [
        { name: "commonName", value: options.commonName },
      ];
      if (options.organization)
        subject.push({ name: "organizationName", value: options.organization });
      if (options.organizationalUnit) {
        subject.push({ shortName: "OU", value: options.organizationalUnit });
      }
      cert.setSubject(subject);
      cert.setIssuer(ca.subject.attributes);
      const altNames: Array<{ type: number; value?: string; ip?: string }> = [];
      if (options.uri) altNames.push({ type: 6, value: options.uri });
      for (const dns of options.dnsNames ?? []) altNames.push({ type: 2, value: dns });
      for (const ip of options.ipAddresses ?? []) altNames.push({ type: 7, ip });
      cert.setExtensions([
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        {
          name: "extKeyUsage",
          serverAuth: options.serverAuth ?? false,
          clientAuth: !options.serverAuth,
        },
        ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
      ]);
      cert.sign(caKey, forge.md.sha256.create());
      return forge.pki.certificateToPem(cert);
    },
  };
}

/** A server key + certificate for 127.0.0.1 / localhost. */
export function issueServerCertificate(pki: TestPki): { keyPem: string; certPem: string } {
  const keys = rsaKeyPair();
  const certPem = pki.issue(keys.publicKey, {
    commonName: "localhost",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    serverAuth: true,
  });
  return { keyPem: keys.privateKey, certPem };
}

/**
 * Write an enrolled identity into `dataDir/identity/` as `enroll` would.
 *
 * @example
 * const pki = createTestPki();
 * await writeTestIdentity(dataDir, pki, { hotelId: "ist-01", agentId: "ist-01-abcdefgh" });
 */
export async function writeTestIdentity(
  dataDir: string,
  pki: TestPki,
  ids: { chainId?: string; hotelId?: string; agentId?: string; hub?: string } = {},
): Promise<Omit<AgentIdentity, "notBefore" | "notAfter">> {
  const chainId = ids.chainId ?? "default";
  const hotelId = ids.hotelId ?? "test-hotel";
  const agentId = ids.agentId ?? "test-hotel-aaaaaaaa";
  const keys = rsaKeyPair();
  const certPem = pki.issue(keys.publicKey, {
    commonName: agentId,
    organization: chainId,
    organizationalUnit: hotelId,
    uri: `urn:logmaster:${chainId}:${hotelId}:${agentId}`,
  });
  const paths = identityPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true });
  const info = {
    agent_id: agentId,
    hotel_id: hotelId,
    chain_id: chainId,
    ...(ids.hub ? { hub: ids.hub } : {}),
  };
  await Bun.write(paths.key, keys.privateKey, { mode: 0o600 });
  await Bun.write(paths.cert, certPem);
  await Bun.write(paths.ca, pki.caPem);
  await Bun.write(paths.info, JSON.stringify(info));
  return { ...info, keyPem: keys.privateKey, certPem, caPem: pki.caPem };
}
