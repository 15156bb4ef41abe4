/**
 * Sustained end-to-end rate: UDP -> agent (child process) -> mTLS HTTP/2 ->
 * hub on PostgreSQL, until the hub durably holds every byte; then the seal and
 * its verification. The hub verifies an hour at its seal while the next hour
 * streams in, so verification must run well above the ingest rate; the bench
 * prints both. Target (issue 3): 50,000 EPS sustained.
 *
 * Needs PostgreSQL: uses DATABASE_URL, or starts the throwaway one of
 * scripts/test-services.sh.
 *
 *   bun bench/e2e.ts [--rate 50000] [--seconds 30]
 */
import { parseArgs } from "node:util";
import {
  agentCli,
  enrollAgent,
  sealAndAwaitVerified,
  spawnAgent,
  startTestHub,
  tempDir,
} from "../tests/support/pipeline.ts";
import { buildUdpFlooder, mib, offerUdpFlood, trackPeakRss } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "50000" },
    seconds: { type: "string", default: "30" },
  },
});
const ratePerS = Number(values.rate);
const seconds = Number(values.seconds);
const repoRoot = new URL("..", import.meta.url).pathname;

let stopServices = false;
if (!process.env.DATABASE_URL) {
  const started = Bun.spawnSync(["bash", `${repoRoot}scripts/test-services.sh`, "start"]);
  for (const [, name, value] of started.stdout.toString().matchAll(/export (\w+)=(\S+)/g)) {
    process.env[name as string] = value;
  }
  // Services that were already running (a test shell's) are left running.
  stopServices = !started.stderr.toString().includes("already running");
}

const testHub = await startTestHub();
const agentDir = tempDir("bench-agent");
try {
  await enrollAgent(testHub.hub, agentDir.path, "Otel Bench");
  const agent = await spawnAgent({ dataDir: agentDir.path, hubUrl: testHub.hub.ingestUrl });
  const agentRss = trackPeakRss(agent.process.pid);
  const started = performance.now();
  const { sent } = await offerUdpFlood(
    buildUdpFlooder(),
    "127.0.0.1",
    agent.udpPort,
    ratePerS,
    seconds,
  );
  const floodSeconds = (performance.now() - started) / 1000;

  // Caught up = the agent has counted everything it will count and has nothing unsent.
  let status = await agent.status();
  for (let stable = 0; stable < 3; ) {
    await Bun.sleep(200);
    const next = await agent.status();
    stable =
      next.receive.received === status.receive.received && next.forward.unsentBytes === 0
        ? stable + 1
        : 0;
    status = next;
  }
  const caughtUpSeconds = (performance.now() - started) / 1000 - 0.6;
  const sealStarted = performance.now();
  await sealAndAwaitVerified(testHub, agentDir.path, "otel-bench");
  const sealSeconds = (performance.now() - sealStarted) / 1000;
  const peakRss = agentRss.stop();
  await agent.kill();

  const received = status.receive.received;
  const wal = JSON.parse(await agentCli("wal", "--data-dir", agentDir.path, "--json")) as {
    bytes: number;
  };
  console.log(
    `e2e: offered ${ratePerS.toLocaleString("en")}/s for ${floodSeconds.toFixed(1)} s: sent ${sent.toLocaleString("en")}, received ${received.toLocaleString("en")} (lost ${(sent - received).toLocaleString("en")})`,
  );
  console.log(
    `e2e: hub held every byte (${mib(wal.bytes)}) ${caughtUpSeconds.toFixed(1)} s after the first datagram: ${Math.round(received / caughtUpSeconds).toLocaleString("en")} EPS sustained to the hub (target 50,000)`,
  );
  console.log(
    `e2e: seal + hub verification of the chunk: ${sealSeconds.toFixed(1)} s (${Math.round(received / sealSeconds).toLocaleString("en")} records/s verified, ${(received / sealSeconds / (received / caughtUpSeconds)).toFixed(1)}x the ingest rate); agent peak RSS ${mib(peakRss)}`,
  );
} finally {
  await testHub.destroy();
  agentDir.remove();
  if (stopServices) Bun.spawnSync(["bash", `${repoRoot}scripts/test-services.sh`, "stop"]);
}
