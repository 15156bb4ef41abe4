/**
 * The agent's UDP receive path under a fixed offered rate: a real agent
 * process (not enrolled: it receives and writes its WAL, nothing else), the C
 * flooder offering RATE datagrams/s for SECONDS, then sent / written / lost,
 * the agent's peak RSS and the CPU time it used. Target (issue 3): lossless
 * at 100,000/s on 2 cores with RSS under 200 MB. Against rsyslog on the same
 * flood: `bun bench/receive-vs-rsyslog.ts`.
 *
 * Loss depends on what else runs on the machine (the load average is printed
 * with each run); CPU time per 100k datagrams much less so: compare that
 * across machines and runs.
 *
 *   bun bench/agent-udp.ts [--rates 50000,100000,150000] [--seconds 30]
 */
import { parseArgs } from "node:util";
import { buildUdpFlooder, mib, rmemMaxBytes } from "./lib/udp-rate.ts";
import {
  describeHighestLossless,
  describeRun,
  parseRates,
  type ReceiverRun,
  runAgentUdp,
} from "./lib/udp-receivers.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const flooder = buildUdpFlooder();
console.log(`agent-udp: net.core.rmem_max ${mib(rmemMaxBytes())}`);
const runs: ReceiverRun[] = [];
for (const rate of parseRates(String(values.rates))) {
  const run = await runAgentUdp(flooder, rate, Number(values.seconds));
  console.log(describeRun(run));
  runs.push(run);
}
console.log(`agent-udp: ${describeHighestLossless(runs)}`);
