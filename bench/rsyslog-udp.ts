/**
 * The yardstick for bench/agent-udp.ts: rsyslog (imudp -> omfile) receiving
 * the same flood on the same machine, with the same figures (lost, peak RSS,
 * CPU s per 100k datagrams). Needs rsyslogd (`apt-get install rsyslog`); says
 * "skipped" without it.
 *
 *   bun bench/rsyslog-udp.ts [--rates 100000,150000] [--seconds 30]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
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
    rates: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const rates = String(values.rates).split(",").map(Number);
const seconds = Number(values.seconds);
const rsyslogd = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"].find((path) => existsSync(path));

async function measure(daemonPath: string, flooder: string, ratePerS: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), "rsyslog-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const outFile = join(dir, "out.log");
  writeFileSync(
    join(dir, "rsyslog.conf"),
    `global(workDirectory="${dir}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="32m")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="${outFile}" template="raw" asyncWriting="on" ioBufferSize="1m")
`,
  );
  const daemon = Bun.spawn(
    [daemonPath, "-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "pid")],
    { stderr: "ignore", stdout: "ignore" },
  );
  await Bun.sleep(1000);
  const loadBefore = loadAverage1m();
  const rss = trackPeakRss(daemon.pid);
  const cpuAtStart = cpuSeconds(daemon.pid);
  const { sent } = await offerUdpFlood(flooder, "127.0.0.1", port, ratePerS, seconds);
  // Let rsyslog drain its queue and flush the file.
  let written = 0;
  for (let settled = 0; settled < 3; ) {
    await Bun.sleep(1000);
    const lines = existsSync(outFile) ? (await Bun.file(outFile).text()).split("\n").length - 1 : 0;
    settled = lines === written ? settled + 1 : 0;
    written = lines;
  }
  const cpuS = cpuSeconds(daemon.pid) - cpuAtStart;
  const peakRss = rss.stop();
  daemon.kill();
  await daemon.exited;
  rmSync(dir, { recursive: true, force: true });
  const lost = sent - written;
  const n = (value: number) => value.toLocaleString("en");
  console.log(
    `rsyslog-udp: offered ${n(ratePerS)}/s for ${seconds} s: sent ${n(sent)}, written ${n(written)}, lost ${n(lost)} (${((lost / sent) * 100).toFixed(3)}%), peak RSS ${mib(peakRss)}${lost === 0 ? "  LOSSLESS" : ""}`,
  );
  console.log(
    `  rsyslogd CPU ${cpuS.toFixed(2)} s, ${((cpuS / Math.max(1, written)) * 100_000).toFixed(3)} CPU s per 100k datagrams; load average ${loadBefore.toFixed(2)} -> ${loadAverage1m().toFixed(2)}`,
  );
  return lost === 0;
}

if (!rsyslogd) {
  console.log("rsyslog-udp: skipped (rsyslogd not installed: apt-get install rsyslog)");
} else {
  const flooder = buildUdpFlooder();
  let highestLossless = 0;
  for (const rate of rates) {
    if (await measure(rsyslogd, flooder, rate)) highestLossless = Math.max(highestLossless, rate);
  }
  console.log(
    `rsyslog-udp: highest lossless rate measured: ${highestLossless ? `${highestLossless.toLocaleString("en")}/s` : "none of the offered rates"}`,
  );
}
