/**
 * The yardstick for bench/agent-udp.ts: rsyslog (imudp -> omfile) receiving
 * the same flood on the same machine. Needs rsyslogd (`apt-get install rsyslog`);
 * says "skipped" without it.
 *
 *   bun bench/rsyslog-udp.ts [--rate 100000] [--seconds 30]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildUdpFlooder, mib, offerUdpFlood, trackPeakRss } from "./lib/udp-rate.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "100000" },
    seconds: { type: "string", default: "30" },
  },
});
const ratePerS = Number(values.rate);
const seconds = Number(values.seconds);
const rsyslogd = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"].find((path) => existsSync(path));

if (!rsyslogd) {
  console.log("rsyslog-udp: skipped (rsyslogd not installed: apt-get install rsyslog)");
} else {
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
    [rsyslogd, "-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "pid")],
    {
      stderr: "ignore",
      stdout: "ignore",
    },
  );
  await Bun.sleep(1000);
  const rss = trackPeakRss(daemon.pid);
  const { sent } = await offerUdpFlood(buildUdpFlooder(), "127.0.0.1", port, ratePerS, seconds);
  // Let rsyslog drain its queue and flush the file.
  let written = 0;
  for (let settled = 0; settled < 3; ) {
    await Bun.sleep(1000);
    const lines = existsSync(outFile) ? (await Bun.file(outFile).text()).split("\n").length - 1 : 0;
    settled = lines === written ? settled + 1 : 0;
    written = lines;
  }
  const peakRss = rss.stop();
  daemon.kill();
  await daemon.exited;
  rmSync(dir, { recursive: true, force: true });
  const lost = sent - written;
  console.log(
    `rsyslog-udp: offered ${ratePerS.toLocaleString("en")}/s for ${seconds} s: sent ${sent.toLocaleString("en")}, written ${written.toLocaleString("en")}, lost ${lost.toLocaleString("en")} (${((lost / sent) * 100).toFixed(3)}%), peak RSS ${mib(peakRss)}`,
  );
}
