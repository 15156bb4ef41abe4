import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import { addHotel, openStore, type Store } from "../store/index.ts";
import {
  agentUrn,
  CertificateRequestError,
  type ChainCa,
  checkEnrollmentToken,
  createEnrollmentToken,
  decodeEnrollmentToken,
  enrollAgent,
  identityOfCertificate,
  issueAgentCertificate,
  issueServerCertificate,
  loadOrCreateChainCa,
  TokenError,
} from "./index.ts";
import { generateRsaKeyPair } from "./keys.ts";
import { makeCertificateRequest } from "./testing.ts";

let dir: string;
let ca: ChainCa;
let store: Store;
const request = makeCertificateRequest(2048);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hub-identity-"));
  ca = loadOrCreateChainCa(join(dir, "ca"), { chainId: "default", keyBits: 2048 });
  store = await openStore({ kind: "pglite" });
  await store.migrate();
  await addHotel(store.db, { name: "Grand", id: "grand" });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("chain CA", () => {
  test("is made once, key 0600, and loaded back the same", () => {
    expect(statSync(join(dir, "ca", "ca.key.pem")).mode & 0o777).toBe(0o600);
    const again = loadOrCreateChainCa(join(dir, "ca"), { chainId: "default", keyBits: 2048 });
    expect(again.sha256).toBe(ca.sha256);
    const x509 = new X509Certificate(ca.certificatePem);
    expect(x509.ca).toBe(true);
    expect(x509.checkIssued(x509)).toBe(true);
  });

  test("server certificate names localhost, loopback IPs and extra hostnames", () => {
    const server = issueServerCertificate(ca, ["hub.example.com", "10.0.0.5"]);
    const x509 = new X509Certificate(server.certificateChainPem);
    expect(x509.subjectAltName).toContain("DNS:localhost");
    expect(x509.subjectAltName).toContain("DNS:hub.example.com");
    expect(x509.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(x509.subjectAltName).toContain("IP Address:10.0.0.5");
    expect(x509.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
  });
});

describe("agent certificates", () => {
  const identity = { chainId: "default", hotelId: "grand", agentId: "grand-abcdefgh" };

  test("CSR -> certificate that names the agent and that openssl verifies", async () => {
    const issued = issueAgentCertificate(ca, request.csrPem, identity);
    const x509 = new X509Certificate(issued.certificatePem);
    expect(x509.subject).toBe("CN=grand-abcdefgh\nO=default\nOU=grand");
    expect(x509.subjectAltName).toBe(`URI:${agentUrn(identity)}`);
    expect(x509.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(identityOfCertificate(issued.certificatePem)).toEqual(identity);
    expect(identityOfCertificate(x509.raw)).toEqual(identity);
    const days = (issued.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(397);

    writeFileSync(join(dir, "ca.pem"), ca.certificatePem);
    writeFileSync(join(dir, "agent.pem"), issued.certificatePem);
    const verify = Bun.spawnSync([
      "openssl",
      "verify",
      "-purpose",
      "sslclient",
      "-CAfile",
      join(dir, "ca.pem"),
      join(dir, "agent.pem"),
    ]);
    expect(verify.stdout.toString().trim()).toBe(`${join(dir, "agent.pem")}: OK`);
  });

  test("refuses a CSR with a bad signature or a small key", () => {
    // A CSR for one public key signed with another key: no proof of possession.
    const csr = forge.pki.certificationRequestFromPem(request.csrPem);
    const other = generateRsaKeyPair(2048);
    csr.sign(forge.pki.privateKeyFromPem(other.privateKeyPem), forge.md.sha256.create());
    const tampered = forge.pki.certificationRequestToPem(csr);
    expect(() => issueAgentCertificate(ca, tampered, identity)).toThrow(CertificateRequestError);
    const small = makeCertificateRequest(1024);
    expect(() => issueAgentCertificate(ca, small.csrPem, identity)).toThrow(/RSA-1024/);
    expect(() => issueAgentCertificate(ca, "not a csr", identity)).toThrow(/PKCS#10/);
  });

  test("a certificate without an agent URN names nobody", () => {
    const server = issueServerCertificate(ca, []);
    expect(identityOfCertificate(server.certificateChainPem)).toBeUndefined();
    expect(identityOfCertificate(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});

describe("enrollment tokens", () => {
  const issuer = () => ({ db: store.db, ca, chainId: "default", certificateOverlapMs: 600_000 });
  const create = (ttlMs: number) =>
    createEnrollmentToken(store.db, {
      hotelId: "grand",
      ttlMs,
      caSha256: ca.sha256,
      hubUrl: "https://localhost:8443",
    });

  test("embed the CA hash and hub URL, enroll once", async () => {
    const { token } = await create(60_000);
    expect(token.startsWith("lm1.")).toBe(true);
    const decoded = decodeEnrollmentToken(token);
    expect(decoded.ca_sha256).toBe(ca.sha256);
    expect(decoded.hub).toBe("https://localhost:8443");

    const answer = await enrollAgent(issuer(), { token, csr_pem: request.csrPem });
    expect(answer.hotel_id).toBe("grand");
    expect(answer.agent_id).toMatch(/^grand-[a-z2-7]{8}$/);
    expect(identityOfCertificate(answer.certificate_pem)?.agentId).toBe(answer.agent_id);
    const again = enrollAgent(issuer(), { token, csr_pem: request.csrPem });
    await expect(again).rejects.toEqual(new TokenError("token_used"));
  });

  test("expire, and refuse a wrong secret or garbage", async () => {
    const { token } = await create(1_000);
    await expect(
      checkEnrollmentToken(store.db, token, new Date(Date.now() + 2_000)),
    ).rejects.toEqual(new TokenError("token_expired"));
    const forged = decodeEnrollmentToken(token);
    forged.secret = "A".repeat(43);
    const text = `lm1.${Buffer.from(JSON.stringify(forged)).toString("base64url")}`;
    await expect(checkEnrollmentToken(store.db, text)).rejects.toEqual(
      new TokenError("token_invalid"),
    );
    await expect(checkEnrollmentToken(store.db, "lm1.!!")).rejects.toEqual(
      new TokenError("token_invalid"),
    );
  });

  test("two enrollments racing for one token: exactly one wins", async () => {
    const { token } = await create(60_000);
    const results = await Promise.allSettled([
      enrollAgent(issuer(), { token, csr_pem: request.csrPem }),
      enrollAgent(issuer(), { token, csr_pem: request.csrPem }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
