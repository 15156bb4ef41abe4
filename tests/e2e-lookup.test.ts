/**
 * A Law 5651 request end to end: the traffic simulator sends a hotel's
 * router logs over UDP to a real agent process, the agent forwards them to a
 * hub on real PostgreSQL, the hub indexes them; `logmaster-hub lookup ip`
 * names the guest that held an address at a moment, with the evidence
 * lines; those lines' chunks, exported, pass `logmaster verify` and hold the
 * very lines.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { remoteAdmin } from "../hub/src/admin/index.ts";
import type { IpLookup } from "../hub/src/query/index.ts";
import { rawQuery } from "../hub/src/store/index.ts";
import { sendTraffic, simulateTraffic } from "../shared/src/simulate/index.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { runCli } from "./support/bundles.ts";
import { longestReleasedLease, type WalRecord } from "./support/index-data.ts";
import {
  type AgentProcess,
  agentSealedRecords,
  enrollAgent,
  repoRoot,
  sealAndAwaitVerified,
  spawnAgent,
  startTestHub,
  type TestHub,
  tempDir,
  waitFor,
} from "./support/pipeline.ts";

describe("5651 lookup end to end", () => {
  const hotelId = "otel-lookup";
  const traffic = { seed: 5651, hotels: 1, eps: 400, count: 4000 };
  let testHub: TestHub;
  const agentDir = tempDir("lookup-agent");
  const outDir = tempDir("lookup-export");
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    testHub = await startTestHub({ index: { catchUpMs: 250 } });
  });
  afterAll(async () => {
    await agent?.kill();
    await testHub?.destroy();
    agentDir.remove();
    outDir.remove();
  });

  test("lookup ip finds the simulated guest's MAC inside its lease, with evidence lines that verify", async () => {
    const { hub } = testHub;
    await enrollAgent(hub, agentDir.path, "Otel Lookup");
    agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: hub.ingestUrl });
    const sent = await sendTraffic({ host: "127.0.0.1", port: agent.udpPort, ...traffic });
    expect(sent.lines).toBe(traffic.count);
    const running = agent;
    await waitFor("the agent to receive every line", async () => {
      return (await running.status()).receive.received >= traffic.count;
    });
    await waitFor("the hub to index every line", async () => {
      const [row] = await rawQuery<{ n: string }>(
        hub.raw,
        "select count(*) as n from events where hotel_key = (select key from hotels where id = $1)",
        [hotelId],
      );
      return Number(row?.n) === traffic.count;
    });
    await sealAndAwaitVerified(testHub, agentDir.path, hotelId);
    await waitFor("the worker to time-stamp the sealed chunks", async () => {
      const chunks = (await hub.admin.listChunks({ limit: 10 })).filter(
        (chunk) => chunk.hotel_id === hotelId && chunk.status === "verified",
      );
      return chunks.length > 0 && chunks.every((chunk) => chunk.timestamp === "timestamped");
    });

    // The guest: the simulation's longest lease that was released again (the same story the
    // sender told, as the model depends on the seed only), and when the agent received its
    // assignment and its release: the time asked is between them.
    const lines = [...simulateTraffic({ ...traffic, startMs: 0 })];
    const records = agentSealedRecords(agentDir.path)
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WalRecord);
    const {
      lease,
      assigned,
      released: releasedRecord,
      fromMs,
      toMs,
    } = longestReleasedLease(lines, records);
    expect(toMs).toBeGreaterThan(fromMs);
    const at = new Date(Math.floor((fromMs + toMs) / 2)).toISOString();

    const { exitCode, stdout, stderr } = await runProcess([
      "bun",
      join(repoRoot, "hub/src/cli/main.ts"),
      "lookup",
      "ip",
      lease.ip,
      "--at",
      at,
      "--hotel",
      hotelId,
      "--json",
      "--data-dir",
      testHub.dataDir,
    ]);
    if (exitCode !== 0) throw new Error(`lookup ip failed: ${stdout}${stderr}`);
    const answer = JSON.parse(stdout) as IpLookup;
    expect(answer.mac).toBe(lease.mac);
    expect(answer.no_match).toEqual([]);
    expect(answer.lease).toMatchObject({ hotel: hotelId, ip: lease.ip, mac: lease.mac });
    // The evidence: the assignment and the release, as the agent recorded them.
    const evidence = answer.lease?.evidence ?? [];
    expect(evidence.map((line) => ({ seq: line.seq, raw: line.raw }))).toEqual([
      { seq: assigned.seq, raw: assigned.msg },
      { seq: releasedRecord.seq, raw: releasedRecord.msg },
    ]);

    // The auditor's side: each evidence line's chunk, exported, verifies and holds the line.
    const admin = remoteAdmin(hub.httpUrl, hub.adminCredential);
    for (const line of evidence) {
      const out = join(outDir.path, `seq-${line.seq}`);
      const summary = await admin.exportBundle(
        { chunk: line.chunk, agent: line.agent, actor: "cli:test-auditor" },
        out,
      );
      expect(summary.chunks.map((chunk) => chunk.chunk)).toEqual([line.chunk]);
      const bundle = join(out, summary.chunks[0]?.dir ?? "");
      const verified = await runCli(["verify", bundle]);
      expect(verified.stdout).toMatch(/^VERDICT: PASS/m);
      expect(verified.exitCode).toBe(0);
      const held = readFileSync(join(bundle, "records.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((text) => JSON.parse(text) as WalRecord)
        .find((record) => record.seq === line.seq);
      expect(held?.msg).toBe(line.raw);
      expect(held?.ts).toBe(line.received_at);
    }
  }, 120_000);
});
