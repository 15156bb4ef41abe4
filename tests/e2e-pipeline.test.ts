/**
 * The custody pipeline end to end: MikroTik-like UDP syslog -> agent (a real
 * child process) -> mTLS HTTP/2 -> hub on real PostgreSQL -> verified chunks
 * in the archive, byte-identical to the agent's WAL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AgentProcess,
  agentSealedRecords,
  agentWalRecords,
  awaitReceiveSettled,
  countWalRecords,
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

  // What arrives over UDP under load is the bench's business (bench/receive-vs-rsyslog.ts):
  // these tests hold the agent to what it COUNTED as received, which no load can change.
  test("100,000 UDP datagrams at 25,000/s: every one the agent counted arrives byte-identical at the hub and the chunk is verified", async () => {
    const agentDir = tempDir("agent");
    let agent: AgentProcess | undefined;
    try {
      await enrollAgent(testHub.hub, agentDir.path, "Otel Bodrum");
      agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl });
      const sent = await offerDatagrams(agent.udpPort, 100_000, 25_000);
      expect(sent).toBe(100_000);
      const counted = await awaitReceiveSettled(agent, sent, "100,000 at 25,000/s");
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(sent);

      await sealAndAwaitVerified(testHub, agentDir.path, "otel-bodrum");
      const agentBytes = agentSealedRecords(agentDir.path);
      const hubBytes = await hubArchivedRecords(testHub, "otel-bodrum");
      expect(hubBytes.length).toBe(agentBytes.length);
      expect(hubBytes.equals(agentBytes)).toBe(true);

      // Every datagram counted is in the WAL, once, as sent; the sealed chunks hold
      // at least all that was counted before the seal.
      const finalCount = (await agent.status()).receive.received;
      const wal = countWalRecords(agentWalRecords(agentDir.path));
      expect(wal.datagrams).toBe(finalCount);
      expect(wal.datagrams + wal.gapLost).toBeLessThanOrEqual(sent);
      const numbers = sentNumbers(agentBytes);
      expect(numbers.length).toBeGreaterThanOrEqual(counted);
      expect(numbers.length).toBeLessThanOrEqual(finalCount);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers.every((number) => number >= 0 && number < sent)).toBe(true);
      const seqs = recordSeqs(agentBytes);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
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
      const flood = offerDatagrams(udpPort, 10_000_000, 20_000, 0, () => stopFlood);
      // The window ends on a count as well as a clock: a loaded machine just takes longer.
      await Bun.sleep(2_500);
      const running = agent;
      await waitFor("the agent to count 10,000 datagrams", async () => {
        return (await running.status()).receive.received > 10_000;
      });
      const countedBeforeKill = (await running.status()).receive.received;
      expect(countedBeforeKill).toBeGreaterThan(10_000);
      await agent.kill("SIGKILL");
      stopFlood = true;
      await flood;

      // Everything the agent had counted is in the WAL after the crash.
      const afterCrash = await walSummary(agentDir.path);
      expect(afterCrash.records).toBeGreaterThanOrEqual(countedBeforeKill);
      expect(afterCrash.last_seq).toBe(afterCrash.records);
      const crashedWal = countWalRecords(agentWalRecords(agentDir.path));
      expect(crashedWal.datagrams).toBeGreaterThanOrEqual(countedBeforeKill);

      agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl, udpPort });
      expect(await offerDatagrams(udpPort, 1_000, 5_000, 1_000_000)).toBe(1_000);
      const countedAfterRestart = await awaitReceiveSettled(agent, 1_000, "after the restart");
      expect(countedAfterRestart).toBeGreaterThan(0);
      // Seq continues: what the restarted agent counted follows the crash's last seq, no hole, nothing else.
      const afterRestart = await walSummary(agentDir.path);
      const sinceRestart = agentWalRecords(agentDir.path).filter(
        (record) => record.seq > afterCrash.last_seq,
      );
      expect(sinceRestart.map((record) => record.seq)).toEqual(
        Array.from({ length: sinceRestart.length }, (_, i) => afterCrash.last_seq + 1 + i),
      );
      expect(afterRestart.last_seq).toBe(afterCrash.last_seq + sinceRestart.length);
      const restartedNumbers = sinceRestart.flatMap((record) =>
        "msg" in record ? [Number(/ seq=(\d+)$/.exec(record.msg)?.[1])] : [],
      );
      expect(restartedNumbers).toHaveLength(countedAfterRestart);
      expect(restartedNumbers.every((number) => number >= 1_000_000)).toBe(true);

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
