/**
 * Agent certificate renewal against a real hub (real mTLS, real PostgreSQL):
 * the hub issues short-lived certificates, the running agent renews before
 * expiry on its own and goes on forwarding and sealing; a revoked agent cannot
 * renew.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { identityPaths, loadIdentity } from "../agent/src/enroll/identity.ts";
import { renewCertificate } from "../agent/src/enroll/renew.ts";
import type { AgentStatus } from "../agent/src/status/server.ts";
import {
  type AgentProcess,
  agentCli,
  enrollAgent,
  hotelChunks,
  hubArchivedRecords,
  offerDatagrams,
  sealAndAwaitVerified,
  sentNumbers,
  spawnAgent,
  startTestHub,
  type TestHub,
  tempDir,
  waitFor,
} from "./support/pipeline.ts";

/**
 * 0.002 days ≈ 173 s. The hub backdates notBefore by 5 minutes, so a third of
 * the validity is left about 16 s after issue: the agent renews then, and
 * again about every 16 s.
 */
const SHORT_CERT_DAYS = 0.002;

let testHub: TestHub;
const agentDir = tempDir("agent-renewal");
let agent: AgentProcess | undefined;

beforeAll(async () => {
  testHub = await startTestHub({ agentCertDays: SHORT_CERT_DAYS });
  await enrollAgent(testHub.hub, agentDir.path, "Otel Yenileme");
});

afterAll(async () => {
  await agent?.kill();
  await testHub.destroy();
  agentDir.remove();
});

const certPath = () => identityPaths(agentDir.path).cert;
const sha256 = (cert: X509Certificate) => createHash("sha256").update(cert.raw).digest("hex");

describe("agent certificate renewal", () => {
  test("a running agent renews before expiry and keeps forwarding and sealing", async () => {
    const enrolled = new X509Certificate(readFileSync(certPath()));
    const identity = await loadIdentity(agentDir.path);
    const hotelId = identity?.hotel_id ?? "";
    agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl });

    // A first part, signed while the enrollment certificate is current.
    expect(await offerDatagrams(agent.udpPort, 200, 2000)).toBe(200);
    await waitFor("200 received", async () => (await agent?.status())?.receive.received === 200);
    await sealAndAwaitVerified(testHub, agentDir.path, hotelId);

    await waitFor(
      "the agent to renew its certificate",
      () => new X509Certificate(readFileSync(certPath())).serialNumber !== enrolled.serialNumber,
      60_000,
      250,
    );
    const renewed = new X509Certificate(readFileSync(certPath()));
    expect(renewed.publicKey.equals(enrolled.publicKey)).toBe(true); // same key, new certificate
    expect(Date.parse(renewed.validTo)).toBeGreaterThan(Date.parse(enrolled.validTo));
    expect(renewed.verify(new X509Certificate(identity?.caPem ?? "").publicKey)).toBe(true);
    expect(renewed.subject).toBe(enrolled.subject);

    const status = (await (await fetch(`${agent.statusUrl}/status`)).json()) as AgentStatus;
    expect(status.certificateRenewal.lastRenewedAt).not.toBeNull();
    expect(status.certificateRenewal.lastError).toBeNull();
    expect(Date.parse(status.certificateExpiresAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(renewed.validTo),
    );

    // The hub knows the agent's newest certificate.
    await waitFor("the hub to record the renewed certificate", async () => {
      const row = (await testHub.hub.admin.listAgents()).find(
        (view) => view.id === identity?.agent_id,
      );
      return row !== undefined && Date.parse(row.not_after) >= Date.parse(renewed.validTo);
    });

    // A second part, sent and signed after the renewal, verifies too.
    expect(await offerDatagrams(agent.udpPort, 200, 2000, 200)).toBe(200);
    await waitFor("400 received", async () => (await agent?.status())?.receive.received === 400);
    await sealAndAwaitVerified(testHub, agentDir.path, hotelId);
    const numbers = sentNumbers(await hubArchivedRecords(testHub, hotelId));
    expect(numbers).toEqual(Array.from({ length: 400 }, (_, i) => i));

    // Evidence keeps the certificate each part was checked with.
    const rows = await hotelChunks(testHub, hotelId);
    expect(rows.map((row) => row.status)).toEqual(["verified", "verified"]);
    const checkedWith = rows.map((row) => sha256(new X509Certificate(row.agentCertPem ?? "")));
    expect(checkedWith[0]).toBe(sha256(enrolled));
    expect(checkedWith[1]).not.toBe(sha256(enrolled));
  }, 180_000);

  test("enroll again keeps the agent id and key: a new certificate, used at once, and the chain goes on", async () => {
    const running = agent;
    if (!running) throw new Error("no agent");
    const before = await loadIdentity(agentDir.path);
    if (!before) throw new Error("agent not enrolled");
    const { token } = await testHub.hub.admin.createToken({
      hotel: before.hotel_id,
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    const output = await agentCli("enroll", "--token", token, "--data-dir", agentDir.path);
    expect(output).toContain(`re-enrolled ${before.agent_id} (same key and agent id`);
    expect(output).toContain("the running agent now uses it (no restart needed)");
    const after = await loadIdentity(agentDir.path);
    expect(after?.agent_id).toBe(before.agent_id);
    expect(after?.keyPem).toBe(before.keyPem);
    expect(after?.certPem).not.toBe(before.certPem);
    const status = (await (await fetch(`${running.statusUrl}/status`)).json()) as AgentStatus;
    expect(Date.parse(status.certificateExpiresAt ?? "")).toBeGreaterThanOrEqual(
      after?.notAfter.getTime() ?? Number.NaN,
    );
    // A token is spent once.
    await expect(agentCli("enroll", "--token", token, "--data-dir", agentDir.path)).rejects.toThrow(
      /401 .*token_used/s,
    );
    // The agent goes on with the new certificate: its next part chains to the last one.
    expect(await offerDatagrams(running.udpPort, 50, 2000, 400)).toBe(50);
    await waitFor("450 received", async () => (await running.status()).receive.received === 450);
    await sealAndAwaitVerified(testHub, agentDir.path, before.hotel_id);
    const numbers = sentNumbers(await hubArchivedRecords(testHub, before.hotel_id));
    expect(numbers).toEqual(Array.from({ length: 450 }, (_, i) => i));
  }, 120_000);

  test("a revoked agent cannot renew; its certificate file is left as it was", async () => {
    await agent?.kill();
    agent = undefined;
    const identity = await loadIdentity(agentDir.path);
    if (!identity) throw new Error("agent not enrolled");
    await testHub.hub.admin.revokeAgent({ agent: identity.agent_id, actor: "cli:test" });
    const before = readFileSync(certPath(), "utf8");
    await expect(renewCertificate(agentDir.path, identity, testHub.hub.ingestUrl)).rejects.toThrow(
      /hub refused renewal: 403/,
    );
    expect(readFileSync(certPath(), "utf8")).toBe(before);
  }, 60_000);

  test("a revoked agent cannot re-enroll either; --force makes a new identity", async () => {
    const old = await loadIdentity(agentDir.path);
    const { token } = await testHub.hub.admin.createToken({
      hotel: old?.hotel_id ?? "",
      ttl_ms: 60_000,
      actor: "cli:test",
    });
    await expect(agentCli("enroll", "--token", token, "--data-dir", agentDir.path)).rejects.toThrow(
      /403 .*reenroll_refused.*was revoked/s,
    );
    expect((await loadIdentity(agentDir.path))?.certPem).toBe(old?.certPem ?? "");
    // The refusal did not spend the token.
    await agentCli("enroll", "--token", token, "--data-dir", agentDir.path, "--force");
    const replaced = await loadIdentity(agentDir.path);
    expect(replaced?.agent_id).not.toBe(old?.agent_id ?? "");
    expect(replaced?.keyPem).not.toBe(old?.keyPem ?? "");
    expect(replaced?.hotel_id).toBe(old?.hotel_id ?? "");
  }, 60_000);

  test("enrolling a running agent starts its sealing and forwarding without a restart", async () => {
    const freshDir = tempDir("agent-enroll-running");
    const fresh = await spawnAgent({ dataDir: freshDir.path, hubUrl: testHub.hub.ingestUrl });
    try {
      expect(await offerDatagrams(fresh.udpPort, 20, 2000)).toBe(20);
      await waitFor("20 received", async () => (await fresh.status()).receive.received === 20);
      await testHub.hub.admin.addHotel({ name: "Otel Yeni", id: "otel-yeni" });
      const { token } = await testHub.hub.admin.createToken({
        hotel: "otel-yeni",
        ttl_ms: 60_000,
        actor: "cli:test",
      });
      const output = await agentCli("enroll", "--token", token, "--data-dir", freshDir.path);
      expect(output).toContain("the running agent now uses it (no restart needed)");
      await sealAndAwaitVerified(testHub, freshDir.path, "otel-yeni");
      const numbers = sentNumbers(await hubArchivedRecords(testHub, "otel-yeni"));
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await fresh.kill();
      freshDir.remove();
    }
  }, 120_000);
});
