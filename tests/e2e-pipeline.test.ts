/**
 * The custody pipeline end to end: MikroTik-like UDP syslog -> agent (a real
 * child process) -> mTLS HTTP/2 -> hub on real PostgreSQL -> verified chunks
 * in the archive, byte-identical to the agent's WAL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AgentProcess,
  agentSealedRecords,
  enrollAgent,
  hubArchivedRecords,
  offerDatagrams,
  recordSeqs,
  sealAndAwaitVerified,
  sentNumbers,
  spawnAgent,
  startTestHub,
  type TestHub,
  tempDir,
  waitFor,
  walSummary,
} from "./support/pipeline.ts";

describe("custody pipeline end to end", () => {
  let testHub: TestHub;
  beforeAll(async () => {
    testHub = await startTestHub();
  });
  afterAll(async () => {
    await testHub?.destroy();
  });

  test("100,000 UDP datagrams arrive byte-identical at the hub and the chunk is verified", async () => {
    const agentDir = tempDir("agent");
    let agent: AgentProcess | undefined;
    try {
      await enrollAgent(testHub.hub, agentDir.path, "Otel Bodrum");
      agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl });
      const sent = await offerDatagrams(agent.udpPort, 100_000, 25_000);
      expect(sent).toBe(100_000);
      const running = agent;
      await waitFor("the agent to count 100,000 datagrams", async () => {
        return (await running.status()).receive.received >= 100_000;
      });
      expect((await agent.status()).receive.received).toBe(100_000);

      await sealAndAwaitVerified(testHub, agentDir.path, "otel-bodrum");
      const agentBytes = agentSealedRecords(agentDir.path);
      const hubBytes = await hubArchivedRecords(testHub, "otel-bodrum");
      expect(hubBytes.length).toBe(agentBytes.length);
      expect(hubBytes.equals(agentBytes)).toBe(true);

      const numbers = sentNumbers(agentBytes);
      expect(numbers).toHaveLength(100_000);
      expect(new Set(numbers).size).toBe(100_000);
      expect(recordSeqs(agentBytes)).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 1));
    } finally {
      await agent?.kill();
      agentDir.remove();
    }
  }, 120_000);

  test("kill -9 during a 20,000 EPS flood: nothing counted is lost, seq continues, no duplicates at the hub", async () => {
    const agentDir = tempDir("agent");
    let agent: AgentProcess | undefined;
    try {
      await enrollAgent(testHub.hub, agentDir.path, "Otel Kapadokya");
      agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl });
      const udpPort = agent.udpPort;
      let stopFlood = false;
      const flood = offerDatagrams(udpPort, 200_000, 20_000, 0, () => stopFlood);
      await Bun.sleep(2_500);
      const running = agent;
      const countedBeforeKill = (await running.status()).receive.received;
      expect(countedBeforeKill).toBeGreaterThan(10_000);
      await agent.kill("SIGKILL");
      stopFlood = true;
      await flood;

      // Everything the agent had counted is in the WAL after the crash.
      const afterCrash = await walSummary(agentDir.path);
      expect(afterCrash.records).toBeGreaterThanOrEqual(countedBeforeKill);
      expect(afterCrash.last_seq).toBe(afterCrash.records);

      agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl, udpPort });
      expect(await offerDatagrams(udpPort, 1_000, 5_000, 1_000_000)).toBe(1_000);
      const restarted = agent;
      await waitFor("the restarted agent to count 1,000 datagrams", async () => {
        return (await restarted.status()).receive.received >= 1_000;
      });
      const afterRestart = await walSummary(agentDir.path);
      expect(afterRestart.last_seq).toBe(afterCrash.last_seq + 1_000);

      await sealAndAwaitVerified(testHub, agentDir.path, "otel-kapadokya");
      const agentBytes = agentSealedRecords(agentDir.path);
      const seqs = recordSeqs(agentBytes);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(seqs.length).toBe(afterRestart.records);
      // Byte-identical replication means no record arrived twice.
      expect((await hubArchivedRecords(testHub, "otel-kapadokya")).equals(agentBytes)).toBe(true);
    } finally {
      await agent?.kill();
      agentDir.remove();
    }
  }, 120_000);
});
