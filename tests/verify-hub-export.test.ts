/**
 * The contract end to end: what a real hub exports (real agent, real
 * PostgreSQL, development TSA, the hub's CRL), `logmaster verify` accepts,
 * check by check, warning that the development TSA's time-stamps have no
 * legal value; and after the agent is revoked, a new export still verifies,
 * saying the revocation came after the chunks were signed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { remoteAdmin } from "../hub/src/admin/index.ts";
import { DEVELOPMENT_TSA_WARNING } from "../shared/src/timestamp/development-tsa.ts";
import { runCli } from "./support/bundles.ts";
import {
  type AgentProcess,
  agentWithTwoStampedParts,
  startTestHub,
  type TestHub,
  tempDir,
} from "./support/pipeline.ts";

interface JsonCheck {
  name: string;
  status: string;
  detail: string;
  code?: string;
}

describe("logmaster verify on a hub export", () => {
  let testHub: TestHub;
  const agentDir = tempDir("verify-agent");
  const outDir = tempDir("verify-export");
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

  test("an hour export verifies; revoking the agent later does not taint it", async () => {
    const { hub } = testHub;
    agent = await agentWithTwoStampedParts(testHub, agentDir.path, "Otel Kaş", "otel-kas");
    const [newest] = await hub.admin.listChunks({ limit: 1 });
    const admin = remoteAdmin(hub.httpUrl, hub.adminCredential);
    const summary = await admin.exportBundle(
      { hotel: "otel-kas", hour: newest?.hour_start.slice(0, 13) ?? "", actor: "cli:test-auditor" },
      outDir.path,
    );
    expect(summary.chunks.length).toBeGreaterThanOrEqual(1);

    const { exitCode, stdout } = await runCli(["verify", outDir.path, "--json"]);
    const report = JSON.parse(stdout);
    const bundleChecks: JsonCheck[] = report.bundles.flatMap(
      (b: { checks: JsonCheck[] }) => b.checks,
    );
    // Every check passes but the time-stamp: the zero-setup hub's development TSA made it.
    expect(bundleChecks.filter((check) => check.status !== "PASS")).toEqual(
      report.bundles.map(() => ({
        name: "timestamp",
        status: "WARN",
        code: "development_tsa",
        detail: expect.stringContaining(`${DEVELOPMENT_TSA_WARNING}; genTime `),
      })),
    );
    expect(report.verdict).toBe("WARN");
    expect(report.bundles).toHaveLength(summary.chunks.length);
    const [hashChain, completeness] = report.chains[0].checks as JsonCheck[];
    expect(hashChain?.status).toBe("PASS");
    // The hour is still open after the second early seal: its rest is not (yet) a chunk.
    expect(["PASS", "WARN"]).toContain(completeness?.status ?? "");
    expect(exitCode).toBe(0);

    const first = summary.chunks[0];
    if (!first) throw new Error("no exported chunk");
    // Revoke in a later second than the stamps: a CRL's times are whole seconds.
    await Bun.sleep(1100);
    await hub.admin.revokeAgent({ agent: first.agent_id, actor: "cli:test" });
    const revokedOut = join(outDir.path, "after-revocation");
    const again = await admin.exportBundle(
      { chunk: first.chunk, agent: first.agent_id, actor: "cli:test-auditor" },
      revokedOut,
    );
    const after = await runCli(["verify", join(revokedOut, again.chunks[0]?.dir ?? "")]);
    expect(after.stdout).toMatch(
      /^ {2}PASS {2}revocation +agent\.pem \(serial [0-9a-f]+\) was revoked at .*, after the signing time/m,
    );
    expect(after.stdout).toContain(
      `  WARN  timestamp           ${DEVELOPMENT_TSA_WARNING}; genTime `,
    );
    expect(after.stdout).toMatch(/^VERDICT: PASS with warnings /m);
    expect(after.stdout).toMatch(
      /^WARNING: 1 time-stamp is by LogMaster's built-in development TSA and has no legal value; /m,
    );
    // A WARN does not fail: exit code 0.
    expect(after.exitCode).toBe(0);
  }, 90_000);
});
