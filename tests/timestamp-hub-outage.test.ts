/**
 * The hub's time-stamping against a TSA we did not write (`openssl ts
 * -reply`, tests/support/openssl-tsa.ts), configured as production is
 * (TSA_URL + TSA_CA_FILE): while the TSA is down, verified chunks wait as
 * `awaiting-timestamp` and the API, the CLI and /metrics say so; when it
 * returns they are stamped. A TSA answering with the wrong nonce leaves
 * `timestamp_failed: wrong_nonce`, shown, and retried.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ChunkView } from "../hub/src/admin/index.ts";
import { type RunningHub, startHub } from "../hub/src/index.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { type OpensslTsa, startOpensslTsa } from "./support/openssl-tsa.ts";
import {
  type AgentProcess,
  agentCli,
  enrollAgent,
  offerDatagrams,
  repoRoot,
  spawnAgent,
  tempDir,
  waitFor,
} from "./support/pipeline.ts";

describe("hub time-stamping through a TSA outage", () => {
  let tsa: OpensslTsa;
  let hub: RunningHub;
  let scratch: { url: string; drop(): Promise<void> };
  let agent: AgentProcess | undefined;
  const hubDir = tempDir("hub");
  const agentDir = tempDir("agent");

  beforeAll(async () => {
    tsa = await startOpensslTsa();
    scratch = await createScratchDatabase();
    hub = await startHub({
      dataDir: hubDir.path,
      ingest: "127.0.0.1:0",
      http: "127.0.0.1:0",
      databaseUrl: scratch.url,
      caKeyBits: 2048,
      quiet: true,
      tsa: { url: tsa.url, caFile: tsa.pki.caFile, timeoutMs: 2_000 },
      worker: { pollMs: 100, retryBaseMs: 200, retryMaxMs: 800, failedRetryMs: 1_500 },
    });
  });
  afterAll(async () => {
    await agent?.kill();
    await hub?.stop();
    await scratch?.drop();
    await tsa?.stop();
    hubDir.remove();
    agentDir.remove();
  });

  async function apiChunks(): Promise<ChunkView[]> {
    const response = await fetch(`${hub.httpUrl}/api/chunks`, {
      headers: { authorization: `Bearer ${hub.adminCredential}` },
    });
    return (await response.json()) as ChunkView[];
  }

  async function cliChunkList(): Promise<string> {
    const { exitCode, stdout, stderr } = await runProcess([
      "bun",
      join(repoRoot, "hub/src/cli/main.ts"),
      "chunk",
      "list",
      "--data-dir",
      hubDir.path,
    ]);
    if (exitCode !== 0) throw new Error(`chunk list failed: ${stderr}`);
    return stdout;
  }

  async function sealNewChunk(from: number): Promise<void> {
    const running = agent;
    if (!running) throw new Error("no agent");
    const before = (await apiChunks()).filter((c) => c.status === "verified").length;
    await offerDatagrams(running.udpPort, 50, 5_000, from);
    await agentCli("seal", "--data-dir", agentDir.path);
    await waitFor("a newly verified chunk", async () => {
      return (await apiChunks()).filter((c) => c.status === "verified").length > before;
    });
  }

  test("down: awaiting-timestamp shown everywhere; back: stamped", async () => {
    await tsa.set({ down: "refuse" });
    await enrollAgent(hub, agentDir.path, "Otel Kaş");
    agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: hub.ingestUrl });
    await sealNewChunk(0);

    // Several attempts fail (transient, backing off); the chunk waits and says why.
    await waitFor("retries to pile up", async () => {
      const [chunk] = (await apiChunks()).filter((c) => c.status === "verified");
      return (chunk?.timestamp_attempts ?? 0) >= 2;
    });
    const [waiting] = (await apiChunks()).filter((c) => c.status === "verified");
    expect(waiting?.timestamp).toBe("awaiting-timestamp");
    expect(waiting?.timestamp_error).toStartWith("network:");
    expect(await cliChunkList()).toContain("awaiting-timestamp");
    await waitFor("the backlog gauge", async () => {
      const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
      return /logmaster_hub_chunks_awaiting_timestamp [1-9]/.test(metrics);
    });
    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /logmaster_hub_timestamps_total\{reason="network",result="transient"\} [1-9]/,
    );

    await tsa.reset();
    await waitFor("the chunk to be stamped once the TSA is back", async () => {
      const [chunk] = (await apiChunks()).filter((c) => c.status === "verified");
      return chunk?.timestamp === "timestamped";
    });
    const [stamped] = (await apiChunks()).filter((c) => c.status === "verified");
    expect(stamped?.timestamp_error).toBeNull();
    expect(stamped?.timestamp_gen_time).not.toBeNull();
    expect(await cliChunkList()).toContain("timestamped");
    await waitFor("the backlog gauge to drop", async () => {
      const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
      return text.includes("logmaster_hub_chunks_awaiting_timestamp 0");
    });
  }, 60_000);

  test("a wrong nonce: timestamp_failed: wrong_nonce, shown, retried slowly", async () => {
    await tsa.set({ nonce: "other" });
    await sealNewChunk(1_000);
    await waitFor("the permanent failure", async () => {
      const [chunk] = (await apiChunks()).filter((c) => c.status === "verified");
      return chunk?.timestamp === "timestamp_failed: wrong_nonce";
    });
    expect(await cliChunkList()).toContain("timestamp_failed: wrong_nonce");
    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /logmaster_hub_timestamps_total\{reason="wrong_nonce",result="permanent"\} 1/,
    );

    // Never given up on: once the TSA behaves, the slow retry stamps it.
    await tsa.reset();
    await waitFor("the slow retry to stamp it", async () => {
      const [chunk] = (await apiChunks()).filter((c) => c.status === "verified");
      return chunk?.timestamp === "timestamped";
    });
  }, 60_000);
});
