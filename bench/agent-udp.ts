/**
 * The agent's UDP receive path under a fixed offered rate: a real agent
 * process (not enrolled: it receives and writes its WAL, nothing else), the C
 * flooder offering RATE datagrams/s for SECONDS, then received / written /
 * lost, the agent's peak RSS and the CPU time it used. Target (issue 3):
 * lossless at 100,000/s on 2 cores with RSS under 200 MB. Compare with
 * `bun bench/rsyslog-udp.ts`.
 *
 * Loss depends on what else runs on the machine (the load average is printed
 * with each run); CPU time per 100k datagrams much less so: compare that
 * across machines and runs.
 *
 *   bun bench/agent-udp.ts [--rates 50000,100000,150000] [--seconds 30]
 */
import { parseArgs } from "node:util";
import { spawnAgent, tempDir } from "../tests/support/pipeline.ts";
import {
  buildUdpFlooder,
  cpuSeconds,
  loadAverage1m,
  mib,
  offerUdpFlood,
  rmemMaxBytes,
  trackPeakRss,
} from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const rates = String(values.rates).split(",").map(Number);
const seconds = Number(values.seconds);
const flooder = buildUdpFlooder();

/** The parts of the agent's `GET /status` this benchmark reads. */
interface UdpStatus {
  receive: {
    received: number;
    udp: Array<{ recvBufferEffectiveBytes: number; recvBufferCapped: boolean }>;
  };
  wal: { lastSeq: number };
}

/** How often the drain is polled: the CPU % window ends within this of the last write. */
const POLL_MS = 250;

async function measure(ratePerS: number): Promise<boolean> {
  const dataDir = tempDir("bench-agent-udp");
  const agent = await spawnAgent({ dataDir: dataDir.path });
  const pid = agent.process.pid;
  const status = async () => (await (await fetch(`${agent.statusUrl}/status`)).json()) as UdpStatus;
  const loadBefore = loadAverage1m();
  const rss = trackPeakRss(pid);
  const cpuAtStart = cpuSeconds(pid);
  const startedMs = performance.now();
  const { sent } = await offerUdpFlood(flooder, "127.0.0.1", agent.udpPort, ratePerS, seconds);
  // Wait until the agent has written everything it took from the socket.
  let current = await status();
  let lastChangeMs = performance.now();
  let cpuAtLastChange = cpuSeconds(pid);
  while (performance.now() - lastChangeMs < 1000) {
    await Bun.sleep(POLL_MS);
    const next = await status();
    if (next.receive.received !== current.receive.received) {
      lastChangeMs = performance.now();
      cpuAtLastChange = cpuSeconds(pid);
    }
    current = next;
  }
  const peakRss = rss.stop();
  await agent.kill();
  dataDir.remove();
  const received = current.receive.received;
  const written = current.wal.lastSeq;
  const lost = sent - received;
  const cpuS = cpuAtLastChange - cpuAtStart;
  const busyS = (lastChangeMs - startedMs) / 1000;
  const udp = current.receive.udp[0];
  const n = (value: number) => value.toLocaleString("en");
  console.log(
    `agent-udp: offered ${n(ratePerS)}/s for ${seconds} s: sent ${n(sent)}, received ${n(received)}, written ${n(written)}, lost ${n(lost)} (${((lost / sent) * 100).toFixed(3)}%), peak RSS ${mib(peakRss)}${lost === 0 ? "  LOSSLESS" : ""}`,
  );
  console.log(
    `  agent CPU ${cpuS.toFixed(2)} s over ${busyS.toFixed(1)} s (${((cpuS / busyS) * 100).toFixed(0)}% of one core), ${((cpuS / Math.max(1, received)) * 100_000).toFixed(3)} CPU s per 100k datagrams; load average ${loadBefore.toFixed(2)} -> ${loadAverage1m().toFixed(2)}`,
  );
  console.log(
    `  receive buffer ${udp ? `${mib(udp.recvBufferEffectiveBytes)} effective${udp.recvBufferCapped ? " (CAPPED by the kernel)" : ""}` : "unknown"}, net.core.rmem_max ${mib(rmemMaxBytes())}`,
  );
  return lost === 0;
}

let highestLossless = 0;
for (const rate of rates) {
  if (await measure(rate)) highestLossless = Math.max(highestLossless, rate);
}
console.log(
  `agent-udp: highest lossless rate measured: ${highestLossless ? `${highestLossless.toLocaleString("en")}/s` : "none of the offered rates"}`,
);
