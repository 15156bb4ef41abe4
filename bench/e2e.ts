/**
 * Sustained end-to-end rate: UDP -> agent (child process) -> mTLS HTTP/2 ->
 * hub on PostgreSQL, until the hub durably holds every byte; then the seal and
 * its verification. The hub verifies an hour at its seal while the next hour
 * streams in, so verification must run well above the ingest rate; the bench
 * prints both. Target (issue 3): 50,000 EPS sustained.
 *
 * `--index`: the simulator's hotel traffic instead of the C flooder's
 * identical lines, so the hub's index (always on) parses, derives and stores
 * realistic lines. By default (`--sender replay`) the lines are simulated
 * first (`logmaster simulate --stdout`) and the C flooder replays them, so
 * the sender costs next to nothing, as a hotel's router costs the hub box
 * nothing; `--sender simulate` runs `logmaster simulate --to` live beside
 * the hub instead (about 30 µs of CPU per line, on the same cores). Then the wait
 * until the index has taken every record: the index lag, from the last
 * datagram sent until the agent has nothing unsent and the hub's index
 * backlog is zero. Target (issue 9): 20,000 EPS with the index caught up
 * within 10 s of the last datagram.
 *
 * Needs PostgreSQL: uses DATABASE_URL, or starts the throwaway one of
 * scripts/test-services.sh.
 *
 *   bun bench/e2e.ts [--rate 50000] [--seconds 30]
 *   bun bench/e2e.ts --index [--rate 20000] [--seconds 30] [--hotels 1] [--seed 5651] [--sender replay|simulate]
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { allocatorStatus } from "../hub/src/config/allocator.ts";
import { rawQuery } from "../hub/src/store/index.ts";
import {
  agentCli,
  enrollAgent,
  repoRoot,
  sealAndAwaitVerified,
  spawnAgent,
  startTestHub,
  type TestHub,
  tempDir,
} from "../tests/support/pipeline.ts";
import { runAsHubProcess } from "./lib/hub-process.ts";
import { postgresBackendCpu, postgresCpuSpent, useTestServices } from "./lib/services.ts";
import {
  buildUdpFlooder,
  cpuSeconds,
  loadAverage1m,
  mib,
  offerUdpFlood,
  trackPeakRss,
} from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string" },
    seconds: { type: "string", default: "30" },
    index: { type: "boolean", default: false },
    hotels: { type: "string", default: "1" },
    seed: { type: "string", default: "5651" },
    sender: { type: "string", default: "replay" },
  },
});
if (values.sender !== "replay" && values.sender !== "simulate") {
  throw new Error(`--sender must be replay or simulate, not ${values.sender}`);
}
const ratePerS = Number(values.rate ?? (values.index ? 20_000 : 50_000));
const seconds = Number(values.seconds);
const n = (value: number) => Math.round(value).toLocaleString("en");
/** How long the index may take to catch up before the bench gives up waiting. */
const INDEX_WAIT_LIMIT_MS = 10 * 60_000;
const INDEX_LAG_TARGET_S = 10;

// The hub's allocator settings, as its systemd unit starts it (bench/lib/hub-process.ts).
await runAsHubProcess();
const services = useTestServices();

/** The C flooder's lines at the rate, then the seal and the hub's verification. */
async function floodThenSeal(testHub: TestHub, agentDir: string): Promise<void> {
  const agent = await spawnAgent({ dataDir: agentDir, hubUrl: testHub.hub.ingestUrl });
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
  await sealAndAwaitVerified(testHub, agentDir, "otel-bench");
  const sealSeconds = (performance.now() - sealStarted) / 1000;
  const peakRss = agentRss.stop();
  await agent.kill();

  const received = status.receive.received;
  const wal = JSON.parse(await agentCli("wal", "--data-dir", agentDir, "--json")) as {
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
}
/** One reading of what is still on its way: the agent's unsent bytes and the hub's index backlog. */
interface Backlog {
  atS: number;
  unsentBytes: number;
  backlogBytes: number;
  received: number;
}

/** What the sender sent, in how long, at what CPU cost, and how. */
interface Sent {
  lines: number;
  seconds: number;
  cpuS: number;
  how: string;
}

const simulateArgs = () => [
  "bun",
  `${repoRoot}shared/src/cli/logmaster.ts`,
  "simulate",
  "--eps",
  String(ratePerS),
  "--hotels",
  String(values.hotels),
  "--duration",
  String(seconds),
  "--seed",
  String(values.seed),
];

/** The simulation's lines written to a file beside the agent's data dir, before anything is timed. */
async function simulateToFile(agentDir: string): Promise<string> {
  const file = `${agentDir}.simulated.log`;
  const started = performance.now();
  const child = Bun.spawn([...simulateArgs(), "--stdout"], {
    stdout: Bun.file(file),
    stderr: "pipe",
  });
  if ((await child.exited) !== 0) {
    throw new Error(`logmaster simulate failed: ${await new Response(child.stderr).text()}`);
  }
  console.log(
    `e2e --index: simulated ${mib(Bun.file(file).size)} of lines in ${((performance.now() - started) / 1000).toFixed(1)} s (not timed); the C flooder replays them`,
  );
  return file;
}

/** The C flooder replays the simulated lines at the rate. */
async function replayLines(file: string, port: number): Promise<Sent> {
  try {
    const flood = await offerUdpFlood(
      buildUdpFlooder(),
      "127.0.0.1",
      port,
      ratePerS,
      seconds,
      file,
    );
    return {
      lines: flood.sent,
      seconds: flood.seconds,
      cpuS: flood.cpuS,
      how: "logmaster simulate's lines replayed by the C flooder",
    };
  } finally {
    rmSync(file, { force: true });
  }
}

/** `logmaster simulate --to`, live: its own process, so the hub's busy event loop cannot slow its pacing. */
async function simulateLive(port: number): Promise<Sent> {
  const sender = Bun.spawn([...simulateArgs(), "--to", `127.0.0.1:${port}`, "--json"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = await new Response(sender.stdout).text();
  if ((await sender.exited) !== 0) {
    throw new Error(`logmaster simulate failed: ${await new Response(sender.stderr).text()}`);
  }
  const summary = JSON.parse(output) as { lines: number; seconds: number };
  const cpuS = Number(sender.resourceUsage()?.cpuTime.total ?? 0n) / 1e6;
  return { lines: summary.lines, seconds: summary.seconds, cpuS, how: "logmaster simulate, live" };
}

/**
 * The simulator's traffic at the rate, then the wait until the index holds
 * every record: sustained EPS to the hub, the index lag after the last
 * datagram, the backlog along the way and the CPU of each process.
 */
async function indexUnderLoad(testHub: TestHub, agentDir: string): Promise<void> {
  const { hub } = testHub;
  const agent = await spawnAgent({ dataDir: agentDir, hubUrl: hub.ingestUrl });
  const reading = async (since: number): Promise<Backlog> => {
    const status = await agent.status();
    return {
      atS: (performance.now() - since) / 1000,
      unsentBytes: status.forward.unsentBytes,
      backlogBytes: await hub.indexer.backlogBytes(),
      received: status.receive.received,
    };
  };
  const replayFile = values.sender === "replay" ? await simulateToFile(agentDir) : undefined;
  const loadBefore = loadAverage1m();
  const agentCpuBefore = cpuSeconds(agent.process.pid);
  const postgresBefore = await postgresBackendCpu(hub.raw);
  const hubCpuBefore = process.cpuUsage();

  const started = performance.now();
  const timeline: Backlog[] = [];
  const sampler = setInterval(() => {
    reading(started).then(
      (sample) => timeline.push(sample),
      () => {},
    );
  }, 1000);
  let sent: Sent;
  try {
    sent = replayFile
      ? await replayLines(replayFile, agent.udpPort)
      : await simulateLive(agent.udpPort);
  } catch (error) {
    clearInterval(sampler);
    throw error;
  }
  const lastSentAt = performance.now();

  // Caught up: the agent's count has settled, it has nothing unsent, and the index has every byte.
  let heldAt: number | undefined;
  let last = await reading(started);
  let caughtUpAt: number | undefined;
  while (performance.now() - lastSentAt < INDEX_WAIT_LIMIT_MS) {
    await Bun.sleep(100);
    const next = await reading(started);
    const settled = next.received === last.received && next.unsentBytes === 0;
    if (settled && heldAt === undefined) heldAt = performance.now();
    last = next;
    if (settled && next.backlogBytes === 0) {
      caughtUpAt = performance.now();
      break;
    }
  }
  clearInterval(sampler);
  const hubCpu = process.cpuUsage(hubCpuBefore);
  const hubCpuS = (hubCpu.user + hubCpu.system) / 1e6;
  const agentCpuS = cpuSeconds(agent.process.pid) - agentCpuBefore;
  const postgresCpuS = postgresCpuSpent(postgresBefore, await postgresBackendCpu(hub.raw));
  const loadAfter = loadAverage1m();
  await agent.kill();

  const [indexed] = await rawQuery<{ events: string; leases: string; sessions: string }>(
    hub.raw,
    `select (select count(*) from events) as events, (select count(*) from leases) as leases,
            (select count(*) from hotspot_sessions) as sessions`,
  );
  const events = Number(indexed?.events);
  const received = last.received;
  const spanS = ((caughtUpAt ?? performance.now()) - started) / 1000;
  console.log(
    `e2e --index: offered ${n(ratePerS)}/s for ${sent.seconds.toFixed(1)} s (${sent.how}, ${values.hotels} hotel(s), seed ${values.seed}): sent ${n(sent.lines)} (${n(sent.lines / sent.seconds)}/s), agent received ${n(received)} (lost ${n(sent.lines - received)})`,
  );
  if (heldAt !== undefined) {
    const heldS = (heldAt - started) / 1000;
    console.log(
      `e2e --index: hub held every byte ${heldS.toFixed(1)} s after the first datagram, ${((heldAt - lastSentAt) / 1000).toFixed(1)} s after the last: ${n(received / heldS)} EPS sustained to the hub`,
    );
  }
  if (caughtUpAt === undefined) {
    console.log(
      `e2e --index: the index did NOT catch up within ${INDEX_WAIT_LIMIT_MS / 1000} s of the last datagram: ${mib(last.backlogBytes)} still waiting, agent unsent ${mib(last.unsentBytes)}`,
    );
  } else {
    const lagS = (caughtUpAt - lastSentAt) / 1000;
    console.log(
      `e2e --index: index caught up ${lagS.toFixed(1)} s after the last datagram (target <= ${INDEX_LAG_TARGET_S} s: ${lagS <= INDEX_LAG_TARGET_S ? "met" : "MISSED"}); ${n(events)} events indexed (${events === received ? "= received" : `received ${n(received)}`}), ${n(Number(indexed?.leases))} leases, ${n(Number(indexed?.sessions))} hotspot sessions: ${n(events / spanS)} events/s indexed from the first datagram to caught up`,
    );
  }
  const peak = timeline.reduce((max, sample) => Math.max(max, sample.backlogBytes), 0);
  const every = Math.max(1, Math.round(timeline.length / 12));
  console.log(
    `e2e --index: index backlog (peak ${mib(peak)}), agent unsent, at ${timeline
      .filter((_, index) => index % every === 0)
      .map(
        (sample) =>
          `${sample.atS.toFixed(0)} s: ${(sample.backlogBytes / 1048576).toFixed(1)}/${(sample.unsentBytes / 1048576).toFixed(1)} MiB`,
      )
      .join(", ")}`,
  );
  console.log(
    `e2e --index: CPU over ${spanS.toFixed(1)} s: hub (ingest + index, this process) ${hubCpuS.toFixed(1)} s (${((hubCpuS / spanS) * 100).toFixed(0)}% of a core), PostgreSQL backends ${postgresCpuS.toFixed(1)} s (${((postgresCpuS / spanS) * 100).toFixed(0)}%), agent ${agentCpuS.toFixed(1)} s (${((agentCpuS / spanS) * 100).toFixed(0)}%), sender ${sent.cpuS.toFixed(1)} s; ${navigator.hardwareConcurrency} cores, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; hub RSS ${mib(process.memoryUsage().rss)}, ${allocatorStatus()}`,
  );
}

const testHub = await startTestHub();
const agentDir = tempDir("bench-agent");
try {
  await enrollAgent(testHub.hub, agentDir.path, "Otel Bench");
  if (values.index) await indexUnderLoad(testHub, agentDir.path);
  else await floodThenSeal(testHub, agentDir.path);
} finally {
  await testHub.destroy();
  agentDir.remove();
  services.stop();
}
