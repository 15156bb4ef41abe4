/**
 * The agent's UDP receive path under a fixed offered rate: a real agent
 * process (not enrolled: it receives and writes its WAL, nothing else), the C
 * flooder offering RATE datagrams/s for SECONDS, then received / written /
 * lost and the agent's peak RSS. Target (issue 3): lossless at 100,000/s on
 * 2 cores with RSS under 200 MB. Compare with `bun bench/rsyslog-udp.ts`.
 *
 *   bun bench/agent-udp.ts [--rates 50000,100000,150000] [--seconds 30]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildUdpFlooder, mib, offerUdpFlood, trackPeakRss } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const rates = String(values.rates).split(",").map(Number);
const seconds = Number(values.seconds);
const repoRoot = new URL("..", import.meta.url).pathname;
const flooder = buildUdpFlooder();

interface AgentStatus {
  receive: { received: number };
  wal: { lastSeq: number };
}

async function measure(ratePerS: number): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-bench-"));
  const udpPort = 30000 + Math.floor(Math.random() * 20000);
  const statusPort = udpPort + 1;
  const agent = Bun.spawn(
    [
      "bun",
      join(repoRoot, "agent/src/cli/main.ts"),
      "run",
      "--data-dir",
      dataDir,
      "--udp",
      `127.0.0.1:${udpPort}`,
      "--tcp",
      "off",
      "--status",
      `127.0.0.1:${statusPort}`,
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  const status = async () =>
    (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as AgentStatus;
  for (let i = 0; i < 100; i++) {
    if (await status().catch(() => undefined)) break;
    await Bun.sleep(100);
  }
  const rss = trackPeakRss(agent.pid);
  const { sent } = await offerUdpFlood(flooder, "127.0.0.1", udpPort, ratePerS, seconds);
  let last = -1;
  let current = await status();
  while (current.receive.received !== last) {
    last = current.receive.received;
    await Bun.sleep(1000);
    current = await status();
  }
  const peakRss = rss.stop();
  agent.kill("SIGTERM");
  await agent.exited;
  rmSync(dataDir, { recursive: true, force: true });
  const received = current.receive.received;
  const written = current.wal.lastSeq;
  const lost = sent - received;
  console.log(
    `agent-udp: offered ${ratePerS.toLocaleString("en")}/s for ${seconds} s: sent ${sent.toLocaleString("en")}, received ${received.toLocaleString("en")}, written ${written.toLocaleString("en")}, lost ${lost.toLocaleString("en")} (${((lost / sent) * 100).toFixed(3)}%), peak RSS ${mib(peakRss)}${lost === 0 ? "  LOSSLESS" : ""}`,
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
