/**
 * The yardstick for bench/agent-udp.ts: rsyslog (imudp -> omfile) receiving
 * the same flood on the same machine, with the same figures (lost, peak RSS,
 * CPU s per 100k datagrams). Needs rsyslogd (`apt-get install rsyslog`); says
 * "skipped" without it. Both on the same flood: `bun bench/receive-vs-rsyslog.ts`.
 *
 *   bun bench/rsyslog-udp.ts [--rates 100000,150000] [--seconds 30]
 */
import { parseArgs } from "node:util";
import { buildUdpFlooder } from "./lib/udp-rate.ts";
import {
  describeHighestLossless,
  describeRun,
  findRsyslogd,
  parseRates,
  type ReceiverRun,
  runRsyslogUdp,
} from "./lib/udp-receivers.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const rsyslogd = findRsyslogd();
if (!rsyslogd) {
  console.log("rsyslog-udp: skipped (rsyslogd not installed: apt-get install rsyslog)");
} else {
  const flooder = buildUdpFlooder();
  const runs: ReceiverRun[] = [];
  for (const rate of parseRates(String(values.rates))) {
    const run = await runRsyslogUdp(rsyslogd, flooder, rate, Number(values.seconds));
    console.log(describeRun(run));
    runs.push(run);
  }
  console.log(`rsyslog-udp: ${describeHighestLossless(runs)}`);
}
