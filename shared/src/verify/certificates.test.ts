import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BundleRun,
  makeBundleRun,
  makeTestChainPki,
  type TestAgent,
  type TestChainPki,
} from "../../../tests/support/bundles.ts";
import { signManifest } from "../custody/index.ts";
import { loadBundle } from "./bundle.ts";
import {
  checkAgentCertificate,
  checkCertificateChain,
  checkSignature,
  describeSigningTime,
  readChainCa,
  type SigningTime,
} from "./certificates.ts";
import { checkRevocation } from "./crl.ts";

const DAY_MS = 24 * 3_600_000;
let run: BundleRun;
let otherDir: string;
/** A second CA with the same name as the chain CA (and a different key). */
let impostorPki: TestChainPki;
/** Another agent of the same chain CA. */
let neighbour: TestAgent;

beforeAll(async () => {
  run = await makeBundleRun({ stamp: false });
  otherDir = mkdtempSync(join(tmpdir(), "verify-certificates-"));
  impostorPki = await makeTestChainPki(otherDir, {
    chainId: run.pki.chainId,
    notBefore: new Date(run.firstHourMs - 2 * DAY_MS),
  });
  neighbour = await run.pki.issueAgent({
    hotelId: run.agent.hotelId,
    agentId: `${run.agent.hotelId}-zzzzzzzz`,
    notBefore: new Date(run.firstHourMs - DAY_MS),
    notAfter: new Date(Date.now() + DAY_MS),
  });
}, 60_000);

afterAll(() => {
  run?.cleanup();
  if (otherDir) rmSync(otherDir, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);
const bundle = () => loadBundle(run.bundles[0]?.dir as string);
const manifest = () =>
  run.bundles[0]?.manifest.manifest as NonNullable<BundleRun["bundles"][0]>["manifest"]["manifest"];
const at = (ms: number): SigningTime => ({ at: new Date(ms), source: "option" });

describe("agent_certificate", () => {
  test("the certificate the manifest names, naming its agent", () => {
    const { check, certificate } = checkAgentCertificate(
      bundle().files.agentCertificate,
      manifest(),
    );
    expect(check.status).toBe("PASS");
    expect(check.detail).toContain(`SHA-256 ${run.agent.sha256} = agent_cert_sha256`);
    expect(certificate?.serialNumber.toLowerCase()).toBe(run.agent.serialHex);
  });

  test("another certificate than the manifest names", () => {
    const { check } = checkAgentCertificate(bytes(neighbour.certificatePem), manifest());
    expect(check.status).toBe("FAIL");
    expect(check.detail).toContain(
      `its SHA-256 is ${neighbour.sha256} but the manifest names ${run.agent.sha256}`,
    );
  });

  test("a certificate of another agent, even when the manifest names it", () => {
    const { check } = checkAgentCertificate(bytes(neighbour.certificatePem), {
      ...manifest(),
      agent_cert_sha256: neighbour.sha256,
    });
    expect(check.detail).toContain(
      `it names urn:logmaster:test-chain:test-otel:${neighbour.agentId}, not urn:logmaster:test-chain:test-otel:${run.agent.agentId}`,
    );
  });

  test("more than one certificate, none, or no manifest to compare with", () => {
    const two = bytes(run.agent.certificatePem + run.pki.caPem);
    expect(checkAgentCertificate(two, manifest()).check.detail).toContain("holds 2 certificates");
    expect(checkAgentCertificate(undefined, manifest()).check.detail).toBe("agent.pem is missing");
    expect(checkAgentCertificate(bundle().files.agentCertificate, undefined).check.status).toBe(
      "SKIP",
    );
  });
});

describe("signature", () => {
  const agent = () =>
    checkAgentCertificate(bundle().files.agentCertificate, manifest()).certificate;

  test("by the agent's key over the exact manifest bytes", () => {
    const { files } = bundle();
    expect(checkSignature(files.manifest, files.signature, agent()).status).toBe("PASS");
  });

  test("by another key", () => {
    const { files } = bundle();
    const forged = signManifest(files.manifest as Uint8Array, neighbour.privateKeyPem);
    expect(checkSignature(files.manifest, forged, agent())).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("does not verify with agent.pem's key"),
    });
  });

  test("missing, or nothing to check it with", () => {
    const { files } = bundle();
    expect(checkSignature(files.manifest, undefined, agent()).detail).toBe(
      "manifest.sig is missing",
    );
    expect(checkSignature(files.manifest, files.signature, undefined).status).toBe("SKIP");
  });
});

describe("certificate_chain", () => {
  const agent = () =>
    checkAgentCertificate(bundle().files.agentCertificate, manifest()).certificate;
  const chainCa = () => readChainCa(bundle().files.chainCa);

  test("issued by chain-ca.pem and valid at the signing time", () => {
    const check = checkCertificateChain(agent(), chainCa(), at(run.firstHourMs));
    expect(check.status).toBe("PASS");
    expect(check.detail).toMatch(
      /chain-ca\.pem SHA-256 [0-9a-f]{64}: compare it with the chain's published CA fingerprint/,
    );
  });

  test("not valid at the signing time", () => {
    const check = checkCertificateChain(agent(), chainCa(), at(run.firstHourMs - 2 * DAY_MS));
    expect(check).toMatchObject({
      status: "FAIL",
      detail: expect.stringMatching(/^agent\.pem was not valid at the signing time/),
    });
  });

  test("a CA of the same name but another key did not issue it", () => {
    const check = checkCertificateChain(
      agent(),
      readChainCa(bytes(impostorPki.caPem)),
      at(run.firstHourMs),
    );
    expect(check).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("does not verify with chain-ca.pem's key"),
    });
  });

  test("chain-ca.pem must be a self-signed CA", () => {
    expect(readChainCa(bytes(run.agent.certificatePem))).toMatchObject({
      problem: "chain-ca.pem is not a CA certificate",
    });
    expect(readChainCa(undefined)).toMatchObject({ problem: "chain-ca.pem is missing" });
  });

  test("without a signing time the validity is not judged", () => {
    expect(checkCertificateChain(agent(), chainCa(), undefined).status).toBe("SKIP");
  });

  test("the signing time says where it comes from", () => {
    const when = new Date("2026-11-22T12:00:01.234Z");
    expect(describeSigningTime({ at: when, source: "timestamp" })).toBe(
      "2026-11-22T12:00:01.234Z (the time-stamp's genTime)",
    );
    expect(
      describeSigningTime({
        at: when,
        source: "created_at",
        reason: "manifest.tsr does not verify",
      }),
    ).toBe(
      "2026-11-22T12:00:01.234Z (the manifest's created_at, the agent's own clock: manifest.tsr does not verify)",
    );
  });
});

describe("revocation", () => {
  const agent = () =>
    checkAgentCertificate(bundle().files.agentCertificate, manifest()).certificate;
  const chainCa = () => readChainCa(bundle().files.chainCa);
  const signedAt = () => at(run.firstHourMs + 3_600_000);
  const crl = async (revokedAtMs: number, pki = run.pki) =>
    bytes(
      await pki.makeCrl([
        {
          serialHex: run.agent.serialHex,
          revokedAt: new Date(revokedAtMs),
          reason: "keyCompromise",
        },
      ]),
    );

  test("another serial revoked: passes", () => {
    const check = checkRevocation(bundle().files.chainCrl, agent(), chainCa(), signedAt());
    expect(check).toMatchObject({
      status: "PASS",
      detail: expect.stringContaining("is not among the 1 serial"),
    });
  });

  test("revoked on or before the signing time: fails, with the reason", async () => {
    const check = checkRevocation(await crl(run.firstHourMs), agent(), chainCa(), signedAt());
    expect(check.status).toBe("FAIL");
    expect(check.detail).toContain(
      `was revoked at ${new Date(run.firstHourMs).toISOString()} (keyCompromise), before the signing time`,
    );
  });

  test("revoked after the signing time: passes, saying so", async () => {
    const check = checkRevocation(
      await crl(run.firstHourMs + 2 * 3_600_000),
      agent(),
      chainCa(),
      signedAt(),
    );
    expect(check.status).toBe("PASS");
    expect(check.detail).toContain("after the signing time");
    expect(check.detail).toContain("it was valid when it signed this chunk");
  });

  test("revoked in the signing time's own second: a warning, the CRL cannot order them", async () => {
    const revokedSecond = run.firstHourMs + 3_600_000;
    const check = checkRevocation(
      await crl(revokedSecond),
      agent(),
      chainCa(),
      at(revokedSecond + 14),
    );
    expect(check.status).toBe("WARN");
    expect(check.detail).toContain("in the same second as the signing time");
  });

  test("a CRL older than the signing time cannot vouch for it", async () => {
    const old = bytes(await run.pki.makeCrl([], new Date(run.firstHourMs)));
    const check = checkRevocation(old, agent(), chainCa(), signedAt());
    expect(check).toMatchObject({
      status: "WARN",
      detail: expect.stringContaining("older than the signing time"),
    });
  });

  test("a CRL signed by another key fails", async () => {
    const check = checkRevocation(
      await crl(run.firstHourMs, impostorPki),
      agent(),
      chainCa(),
      signedAt(),
    );
    expect(check).toMatchObject({
      status: "FAIL",
      detail: expect.stringContaining("signature does not verify with chain-ca.pem's key"),
    });
  });

  test("no CRL in the bundle: a warning", () => {
    expect(checkRevocation(undefined, agent(), chainCa(), signedAt())).toMatchObject({
      status: "WARN",
      detail: expect.stringContaining("no revocation list in the bundle"),
    });
  });

  test("a CRL in DER instead of PEM fails", () => {
    const der = Buffer.from(
      new TextDecoder().decode(bundle().files.chainCrl).replace(/-----[^-]+-----|\n/g, ""),
      "base64",
    );
    expect(checkRevocation(der, agent(), chainCa(), signedAt()).status).toBe("FAIL");
  });
});
