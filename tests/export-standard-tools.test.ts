/**
 * The auditor's chain of custody with nothing but standard tools: a real hub
 * (real PostgreSQL, real mTLS, the development TSA through the same client
 * code path as a remote one) and a real agent produce two verified,
 * time-stamped chunks; `export` through the running hub's API (tar.gz)
 * writes the bundle; then VERIFY.md is followed literally: the commands of
 * its fenced block run with bash in each chunk directory, every expected
 * output is there, and the bundle holds the same files afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { remoteAdmin } from "../hub/src/admin/index.ts";
import { listAudit } from "../hub/src/store/index.ts";
import { DEVELOPMENT_TSA_POLICY_OID } from "../shared/src/timestamp/development-tsa.ts";
import { requestTimestamp } from "../shared/src/timestamp/index.ts";
import {
  type AgentProcess,
  agentWithTwoStampedParts,
  startTestHub,
  type TestHub,
  tempDir,
} from "./support/pipeline.ts";
import { filesBelow, runInBash, shellBlocks } from "./support/verify-md.ts";

/** The shell commands of a bundle's VERIFY.md: its one ```sh block. */
const verifyCommands = (verifyMd: string): string => shellBlocks(verifyMd)[0] ?? "";

describe("evidence bundle verified with standard tools", () => {
  let testHub: TestHub;
  const agentDir = tempDir("agent");
  const outDir = tempDir("export");
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    testHub = await startTestHub();
  });
  afterAll(async () => {
    await agent?.kill();
    await testHub?.destroy();
    agentDir.remove();
    outDir.remove();
  });

  test("hour export: every VERIFY.md command gives its expected output", async () => {
    const { hub } = testHub;
    agent = await agentWithTwoStampedParts(testHub, agentDir.path, "Otel Şile", "otel-sile");
    const chunks = (await hub.admin.listChunks({ limit: 10 })).filter(
      (c) => c.status === "verified",
    );
    const newest = chunks[0];
    if (!newest) throw new Error("no chunk");
    const hour = newest.hour_start.slice(0, 13);

    // Through the running hub's API, as the CLI does while a hub runs.
    const admin = remoteAdmin(hub.httpUrl, hub.adminCredential);
    const summary = await admin.exportBundle(
      { hotel: "otel-sile", hour, actor: "cli:test-auditor" },
      outDir.path,
    );
    expect(summary.chunks.length).toBeGreaterThanOrEqual(1);
    expect(summary.chunks.every((c) => c.timestamp === "timestamped")).toBe(true);

    let sawSiblingStep = false;
    for (const exported of summary.chunks) {
      const dir = join(outDir.path, exported.dir);
      expect(readdirSync(dir).sort()).toEqual(
        [
          "VERIFY.md",
          "agent.pem",
          "chain-ca.crl.pem",
          "chain-ca.pem",
          "manifest.json",
          "manifest.sig",
          "manifest.tsr",
          "records.jsonl",
          "tsa-ca.pem",
          "tsa-chain.pem",
        ].sort(),
      );
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
      const verifyMd = readFileSync(join(dir, "VERIFY.md"), "utf8");
      const before = filesBelow(dir);
      const { code, output } = await runInBash(verifyCommands(verifyMd), dir);
      expect({ code, output }).toMatchObject({ code: 0 });
      // Following VERIFY.md adds nothing to the evidence (its scratch files go to mktemp -d).
      expect(filesBelow(dir)).toEqual(before);

      // 1. records
      expect(output).toContain(`${manifest.records_sha256}  records.jsonl`);
      expect(output).toContain(`"records_sha256": "${manifest.records_sha256}"`);
      expect(output).toMatch(new RegExp(`^${manifest.byte_length}$`, "m"));
      expect(output).toMatch(new RegExp(`^${manifest.record_count}$`, "m"));
      // 2. certificate named by the manifest
      expect(output).toContain(`${manifest.agent_cert_sha256}  -`);
      expect(output).toContain(`urn:logmaster:${manifest.chain_id}:otel-sile:${manifest.agent_id}`);
      // 3.-5. signature, CA at the time-stamp's time, time-stamp
      expect(output).toContain("Verified OK");
      expect(output).toContain("agent.pem: OK");
      expect(output).toContain("Verification: OK");
      expect(output).toContain("Time stamp:");
      // What openssl prints besides its verdict is explained where it appears.
      if (output.includes("is not a CA cert"))
        expect(verifyMd).toContain("rightly is no CA. Expected and harmless.");
      // The development TSA made it: the policy VERIFY.md says has no legal value.
      expect(output).toContain(`Policy OID: ${DEVELOPMENT_TSA_POLICY_OID}`);
      expect(verifyMd).toContain(
        `Policy OID ${DEVELOPMENT_TSA_POLICY_OID} is LogMaster's built-in`,
      );
      expect(verifyMd).toMatch(
        /-attime "\$\(date -u -d \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z \+%s\)"/,
      );
      // 6. the chain: prev hash equal to the sibling's manifest hash
      const sibling = /sha256sum (\.\.\/\S+)\/manifest\.json/.exec(verifyCommands(verifyMd));
      if (sibling?.[1]) {
        sawSiblingStep = true;
        expect(output).toContain(`${manifest.prev_manifest_sha256}  ${sibling[1]}/manifest.json`);
      } else if (manifest.prev_manifest_sha256 === null) {
        expect(output).toContain('"prev_manifest_sha256": null');
      }
      // 7. the CRL verifies with the chain CA and does not list this agent
      expect(output).toContain("verify OK");
      expect(output).toContain("serial not in the CRL");
    }
    // Both parts in one hour, unless the test crossed an hour boundary.
    if (summary.chunks.length >= 2) expect(sawSiblingStep).toBe(true);

    // The development TSA is also served at POST /tsa, for anyone to try it.
    const grant = await requestTimestamp({
      url: `${hub.httpUrl}/tsa`,
      data: new TextEncoder().encode("hello"),
      timeoutMs: 5_000,
      trustedCaPems: [readFileSync(join(testHub.dataDir, "dev-tsa", "dev-tsa-ca.pem"), "utf8")],
    });
    expect(grant.tsaName ?? "").toContain("DEVELOPMENT");

    // A revoked agent: the next export's CRL lists its serial with the revocation time,
    // and VERIFY.md's step 7 finds it.
    const first = summary.chunks[0];
    if (!first) throw new Error("no exported chunk");
    await hub.admin.revokeAgent({ agent: first.agent_id, actor: "cli:test" });
    const revokedOut = join(outDir.path, "after-revocation");
    const again = await admin.exportBundle(
      { chunk: first.chunk, agent: first.agent_id, actor: "cli:test-auditor" },
      revokedOut,
    );
    const revokedDir = join(revokedOut, again.chunks[0]?.dir ?? "");
    const revokedMd = readFileSync(join(revokedDir, "VERIFY.md"), "utf8");
    expect(revokedMd).toContain("the CRL lists it, revoked at");
    const beforeRevocationRun = filesBelow(revokedDir);
    const afterRevocation = await runInBash(verifyCommands(revokedMd), revokedDir);
    expect(afterRevocation.code).toBe(0);
    expect(filesBelow(revokedDir)).toEqual(beforeRevocationRun);
    expect(afterRevocation.output).toMatch(/Serial Number: [0-9A-F]+\n\s+Revocation Date: /);
    expect(afterRevocation.output).toContain("agent.pem: OK"); // valid at its time-stamp

    const audit = await listAudit(hub.db, 10);
    const row = audit.findLast((entry) => entry.action === "export");
    expect(row?.actor).toBe("admin-credential (cli:test-auditor)");
    expect(row?.chunks).toEqual(summary.chunks.map((c) => `${c.agent_id}/${c.chunk}`).sort());
  }, 90_000);
});
