/**
 * The agent against rsyslog 8 (imudp -> omfile) on the same flood, one after
 * the other at each rate (issue 13): for each, datagrams sent, written, lost,
 * peak RSS, CPU s per 100k datagrams, and the agent/rsyslog ratio of
 * datagrams written; then the highest lossless rate of each. `--hog` keeps a
 * CPU hog (`yes > /dev/null`, pinned to the last core) running through both,
 * the way a busy gateway box would. The kernel settings in force and the load
 * average are printed first: loss depends on both, CPU per datagram hardly.
 * Without rsyslogd (`apt-get install rsyslog`) its half says "skipped".
 *
 *   bun bench/receive-vs-rsyslog.ts [--rates 100000,150000,200000,250000,300000] [--seconds 10] [--json] [--hog]
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { buildUdpFlooder, loadAverages, mib, netCoreSetting } from "./lib/udp-rate.ts";
import {
  describeHighestLossless,
  describeRun,
  findRsyslogd,
  highestLosslessRate,
  parseRates,
  type ReceiverRun,
  runAgentUdp,
  runRsyslogUdp,
} from "./lib/udp-receivers.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100000,150000,200000,250000,300000" },
    seconds: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
    hog: { type: "boolean", default: false },
  },
});
const rates = parseRates(String(values.rates));
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got "${values.seconds}"`);
const asJson = Boolean(values.json);
// With --json the figures go to stdout as one document; the progress to stderr.
const progress = (line: string) => (asJson ? console.error(line) : console.log(line));

const kernel = {
  rmemMaxBytes: netCoreSetting("rmem_max"),
  rmemDefaultBytes: netCoreSetting("rmem_default"),
};
const loadAverageAtStart = loadAverages();
const rsyslogd = findRsyslogd();
progress(
  `receive-vs-rsyslog: ${cpus().length} cores; net.core.rmem_max ${kernel.rmemMaxBytes} (${mib(kernel.rmemMaxBytes)}), net.core.rmem_default ${kernel.rmemDefaultBytes} (${mib(kernel.rmemDefaultBytes)}); load average ${loadAverageAtStart.join(" ")}; ${seconds} s a run${values.hog ? "; CPU hog on the last core" : ""}`,
);
if (!rsyslogd) progress("rsyslog: skipped (rsyslogd not installed: apt-get install rsyslog)");

/** `yes > /dev/null` on the last core until stopped; plain `yes` where taskset is missing. */
function startCpuHog(): { stop(): Promise<void> } {
  const lastCore = String(Math.max(0, cpus().length - 1));
  const command = Bun.which("taskset") ? ["taskset", "-c", lastCore, "yes"] : ["yes"];
  const hog = Bun.spawn(command, { stdout: "ignore", stderr: "ignore" });
  const stopOnSignal = () => {
    hog.kill();
    process.exit(130);
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  return {
    async stop() {
      process.off("SIGINT", stopOnSignal);
      process.off("SIGTERM", stopOnSignal);
      hog.kill();
      await hog.exited;
    },
  };
}

interface RateComparison {
  ratePerS: number;
  agent: ReceiverRun;
  rsyslog: ReceiverRun | null;
  /** agent written / rsyslog written; null without rsyslog. */
  agentToRsyslogWritten: number | null;
}

const flooder = buildUdpFlooder();
const hog = values.hog ? startCpuHog() : undefined;
const comparisons: RateComparison[] = [];
try {
  for (const ratePerS of rates) {
    const agent = await runAgentUdp(flooder, ratePerS, seconds);
    progress(describeRun(agent));
    const rsyslog = rsyslogd ? await runRsyslogUdp(rsyslogd, flooder, ratePerS, seconds) : null;
    if (rsyslog) progress(describeRun(rsyslog));
    comparisons.push({
      ratePerS,
      agent,
      rsyslog,
      agentToRsyslogWritten: rsyslog ? agent.written / Math.max(1, rsyslog.written) : null,
    });
  }
} finally {
  await hog?.stop();
}

const agentRuns = comparisons.map((comparison) => comparison.agent);
const rsyslogRuns = comparisons.flatMap((comparison) => comparison.rsyslog ?? []);
if (asJson) {
  console.log(
    JSON.stringify(
      {
        bench: "receive-vs-rsyslog",
        cores: cpus().length,
        kernel,
        loadAverageAtStart,
        loadAverageAtEnd: loadAverages(),
        hog: Boolean(values.hog),
        seconds,
        rsyslog: rsyslogd ? "measured" : "skipped",
        comparisons,
        highestLosslessRate: {
          agent: highestLosslessRate(agentRuns),
          rsyslog: rsyslogd ? highestLosslessRate(rsyslogRuns) : null,
        },
      },
      null,
      2,
    ),
  );
} else {
  const n = (value: number) => value.toLocaleString("en");
  const row = (run: ReceiverRun, ratio: string) =>
    `| ${n(run.ratePerS)} | ${run.receiver} | ${n(run.sent)} | ${n(run.written)} | ${n(run.lost)} (${((run.lost / Math.max(1, run.sent)) * 100).toFixed(2)}%) | ${mib(run.peakRssBytes)} | ${run.cpuSecondsPer100k.toFixed(3)} | ${ratio} |`;
  console.log("");
  console.log(
    "| rate/s | receiver | sent | written | lost | peak RSS | CPU s per 100k | agent/rsyslog written |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const { agent, rsyslog, agentToRsyslogWritten } of comparisons) {
    const ratio = agentToRsyslogWritten === null ? "" : agentToRsyslogWritten.toFixed(4);
    console.log(row(agent, ratio));
    console.log(
      rsyslog ? row(rsyslog, "") : `| ${n(agent.ratePerS)} | rsyslog | skipped | | | | | |`,
    );
  }
  console.log("");
  console.log(`agent: ${describeHighestLossless(agentRuns)}`);
  console.log(
    rsyslogd
      ? `rsyslog: ${describeHighestLossless(rsyslogRuns)}`
      : "rsyslog: skipped (rsyslogd not installed)",
  );
  console.log(`load average at the end ${loadAverages().join(" ")}`);
}
