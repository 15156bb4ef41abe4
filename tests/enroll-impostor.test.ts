/**
 * Attacks on enrollment and forwarding by a server on the hotel LAN that
 * pretends to be the hub (docs/security.md, "attacker on the hotel LAN").
 * Each impostor is a real HTTP/2 TLS server; it records every request stream
 * and byte it receives. The agent must refuse each before sending anything,
 * with a sentence hotel IT can act on, and the token must still enroll at the
 * real hub afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { join } from "node:path";
import forge from "node-forge";
import { loadIdentity } from "../agent/src/enroll/identity.ts";
import { HubClient } from "../agent/src/forward/hub-client.ts";
import { HubIdentityError } from "../agent/src/forward/hub-identity.ts";
import type { ChainCa } from "../hub/src/identity/ca.ts";
import { generateRsaKeyPair, randomSerialHex } from "../hub/src/identity/keys.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { enrollAgent, repoRoot, startTestHub, type TestHub, tempDir } from "./support/pipeline.ts";

interface Impostor {
  url: string;
  /** Request streams the impostor saw, with every body byte. */
  received: { headers: http2.IncomingHttpHeaders; body: string }[];
  stop(): Promise<void>;
}

async function startImpostor(tls: { key: string; cert: string }): Promise<Impostor> {
  const received: Impostor["received"] = [];
  const server = http2.createSecureServer({ ...tls, allowHTTP1: false });
  server.on("stream", (stream: http2.ServerHttp2Stream, headers) => {
    const parts: Buffer[] = [];
    const entry = { headers, body: "" };
    received.push(entry);
    stream.on("data", (part: Buffer) => {
      parts.push(part);
      entry.body = Buffer.concat(parts).toString("utf8");
    });
    stream.on("end", () => {
      stream.respond({ ":status": 201, "content-type": "application/json" });
      stream.end("{}");
    });
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A leaf certificate for `names`, signed by `issuer` (or by itself), valid now. */
function makeLeaf(
  names: string[],
  issuer: { key: forge.pki.rsa.PrivateKey; name: forge.pki.CertificateField[] } | "self",
): { key: string; cert: string } {
  const pair = generateRsaKeyPair(2048);
  const leafKey = forge.pki.privateKeyFromPem(pair.privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [{ name: "commonName", value: names[0] ?? "localhost" }];
  cert.setSubject(subject);
  cert.setIssuer(issuer === "self" ? subject : issuer.name);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: names.map((name) =>
        /^[0-9.]+$/.test(name) ? { type: 7, ip: name } : { type: 2, value: name },
      ),
    },
  ]);
  cert.sign(issuer === "self" ? leafKey : issuer.key, forge.md.sha256.create());
  return { key: pair.privateKeyPem, cert: forge.pki.certificateToPem(cert) };
}

/**
 * A second CA with the real CA's subject and subject key identifier (and its
 * own key): what an attacker makes from the public CA certificate alone.
 */
function lookalikeCa(real: ChainCa): {
  key: forge.pki.rsa.PrivateKey;
  name: forge.pki.CertificateField[];
} {
  const pair = generateRsaKeyPair(2048);
  const key = forge.pki.privateKeyFromPem(pair.privateKeyPem);
  const ski = real.certificate.getExtension("subjectKeyIdentifier") as {
    subjectKeyIdentifier?: string;
  };
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = real.certificate.validity.notBefore;
  cert.validity.notAfter = real.certificate.validity.notAfter;
  cert.setSubject(real.certificate.subject.attributes);
  cert.setIssuer(real.certificate.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier", subjectKeyIdentifier: ski.subjectKeyIdentifier },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { key, name: real.certificate.subject.attributes };
}

let testHub: TestHub;
let ca: ChainCa;

beforeAll(async () => {
  testHub = await startTestHub();
  ca = testHub.hub.adminContext.ca;
});
afterAll(async () => {
  await testHub.destroy();
});

function impostorTls(kind: string): { key: string; cert: string } {
  const dialled = ["localhost", "127.0.0.1"];
  switch (kind) {
    case "a self-signed leaf with the real CA appended": {
      const leaf = makeLeaf(dialled, "self");
      return { key: leaf.key, cert: leaf.cert + ca.certificatePem };
    }
    case "a leaf from another CA with the real CA's subject and key id": {
      const leaf = makeLeaf(dialled, lookalikeCa(ca));
      return { key: leaf.key, cert: leaf.cert + ca.certificatePem };
    }
    default: {
      // Issued by the real chain CA (a hub certificate stolen for another name).
      const leaf = makeLeaf(["hub.other-chain.example"], {
        key: ca.privateKey,
        name: ca.certificate.subject.attributes,
      });
      return { key: leaf.key, cert: leaf.cert + ca.certificatePem };
    }
  }
}

const IMPOSTORS = [
  "a self-signed leaf with the real CA appended",
  "a leaf from another CA with the real CA's subject and key id",
  "a certificate issued by the real CA for another name",
];

describe("enrollment refuses an impostor hub before sending the token", () => {
  for (const kind of IMPOSTORS) {
    test(kind, async () => {
      const impostor = await startImpostor(impostorTls(kind));
      const agentDir = tempDir("impostor-agent");
      try {
        const hotel = await testHub.hub.admin.addHotel({ name: `Otel ${kind.slice(0, 20)}` });
        const { token } = await testHub.hub.admin.createToken({
          hotel: hotel.id,
          ttl_ms: 600_000,
          actor: "cli:test",
        });
        const secret = JSON.parse(Buffer.from(token.slice(4), "base64url").toString("utf8"))
          .secret as string;
        const run = await runProcess([
          "bun",
          join(repoRoot, "agent/src/cli/main.ts"),
          "enroll",
          "--token",
          token,
          "--hub",
          impostor.url,
          "--data-dir",
          agentDir.path,
        ]);
        expect(run.exitCode).not.toBe(0);
        expect(run.stderr).toContain(
          `the server at ${impostor.url} is not the hub of this token: its certificate is not issued by the chain CA ${ca.sha256}`,
        );
        // Not one request stream, so no byte of the token (nor a CSR) reached it.
        expect(impostor.received).toEqual([]);
        expect(JSON.stringify(impostor.received)).not.toContain(secret);
        expect(await loadIdentity(agentDir.path)).toBeUndefined();

        // The token is unspent: the real hub still takes it.
        const enrolled = await runProcess([
          "bun",
          join(repoRoot, "agent/src/cli/main.ts"),
          "enroll",
          "--token",
          token,
          "--data-dir",
          agentDir.path,
        ]);
        expect(enrolled.stderr).toBe("");
        expect(enrolled.exitCode).toBe(0);
        expect((await loadIdentity(agentDir.path))?.hotel_id).toBe(hotel.id);
      } finally {
        await impostor.stop();
        agentDir.remove();
      }
    }, 30_000);
  }
});

describe("forwarding and renewal send nothing to an impostor", () => {
  test("an enrolled agent's hub client refuses each impostor with the reason", async () => {
    const agentDir = tempDir("impostor-forward");
    try {
      await enrollAgent(testHub.hub, agentDir.path, "Otel Forward");
      const identity = await loadIdentity(agentDir.path);
      if (!identity) throw new Error("not enrolled");
      for (const kind of IMPOSTORS) {
        const impostor = await startImpostor(impostorTls(kind));
        const client = new HubClient(impostor.url, () => identity, 10_000);
        try {
          const attempt = client.request("POST", "/v1/renew", {}, new Uint8Array([1, 2, 3]));
          await expect(attempt).rejects.toBeInstanceOf(HubIdentityError);
          await expect(attempt).rejects.toThrow(
            `the server at ${impostor.url} is not this agent's hub: its certificate is not issued by the chain CA ${ca.sha256}`,
          );
          expect(impostor.received).toEqual([]);
        } finally {
          client.close();
          await impostor.stop();
        }
      }
      // The real hub still answers the same client code.
      const real = new HubClient(testHub.hub.ingestUrl, () => identity, 10_000);
      try {
        expect((await real.request("GET", "/v1/chunks/2026-01-01T00")).status).toBe(200);
      } finally {
        real.close();
      }
    } finally {
      agentDir.remove();
    }
  }, 60_000);
});
