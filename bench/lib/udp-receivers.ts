/**
 * One run of a UDP syslog receiver under the C flooder, for each receiver the
 * benchmarks compare: the agent (a real `logmaster-agent run`, not enrolled:
 * it receives and writes its WAL, nothing else) and rsyslog 8 (imudp ->
 * omfile, its own rsyslogd with its own config, never the system service).
 * bench/agent-udp.ts, bench/rsyslog-udp.ts and bench/receive-vs-rsyslog.ts
 * all measure through these two functions, so their figures mean the same.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnAgent, tempDir } from "../../tests/support/pipeline.ts";
import { cpuSeconds, loadAverage1m, mib, offerUdpFlood, trackPeakRss } from "./udp-rate.ts";

/** What one receiver did with one offered flood. */
export interface ReceiverRun {
  receiver: "agent" | "rsyslog";
  ratePerS: number;
  seconds: number;
  /** Datagrams the flooder handed to the kernel. */
  sent: number;
  /** Datagrams the receiver wrote (agent: data records in its WAL; rsyslog: lines in its file). */
  written: number;
  /** sent - written. */
  lost: number;
  peakRssBytes: number;
  /** CPU time (user + system) from the first datagram offered to the last one written. */
  cpuSeconds: number;
  /** Wall time over which `cpuSeconds` was spent. */
  busySeconds: number;
  cpuSecondsPer100k: number;
  loadAverageBefore: number;
  loadAverageAfter: number;
  /** The agent's receive buffer as the kernel granted it (rsyslog: as configured, forced as root). */
  recvBufferBytes: number | null;
  recvBufferCapped: boolean | null;
  /** The agent only: datagrams its kernel-drop monitor counted (each in a gap record). */
  kernelDrops: number | null;
}

/** The parts of the agent's `GET /status` a run reads. */
interface AgentUdpStatus {
  receive: {
    received: number;
    udp: Array<{
      recvBufferEffectiveBytes: number;
      recvBufferCapped: boolean;
      kernelDrops: number | null;
    }>;
  };
  wal: { lastSeq: number };
}

/** How often a run polls for the drain: the CPU window ends within this of the last write. */
const POLL_MS = 250;
/** A receiver has drained when its count stood still this long. */
const AGENT_SETTLED_MS = 1000;
const RSYSLOG_SETTLED_MS = 3000;
/** rsyslog's imudp asks for this receive buffer (as root it forces it past rmem_max). */
const RSYSLOG_RCVBUF = "32m";

function finish(
  fields: Omit<ReceiverRun, "lost" | "cpuSecondsPer100k" | "loadAverageAfter">,
): ReceiverRun {
  return {
    ...fields,
    lost: fields.sent - fields.written,
    cpuSecondsPer100k: (fields.cpuSeconds / Math.max(1, fields.written)) * 100_000,
    loadAverageAfter: loadAverage1m(),
  };
}

/**
 * Start an agent, offer it `ratePerS` datagrams/s for `seconds`, wait until it
 * has written everything it took from the socket, stop it and remove its data.
 * `written` is the agent's `received` count: its status flushes the WAL
 * before counting, so every datagram counted is written.
 *
 * @example
 * const run = await runAgentUdp(buildUdpFlooder(), 100_000, 10);
 * console.log(describeRun(run));
 */
export async function runAgentUdp(
  flooder: string,
  ratePerS: number,
  seconds: number,
): Promise<ReceiverRun> {
  const dataDir = tempDir("bench-agent-udp");
  const agent = await spawnAgent({ dataDir: dataDir.path });
  try {
    const pid = agent.process.pid;
    const status = async () =>
      (await (await fetch(`${agent.statusUrl}/status`)).json()) as AgentUdpStatus;
    const loadAverageBefore = loadAverage1m();
    const rss = trackPeakRss(pid);
    const cpuAtStart = cpuSeconds(pid);
    const startedMs = performance.now();
    const { sent } = await offerUdpFlood(flooder, "127.0.0.1", agent.udpPort, ratePerS, seconds);
    let current = await status();
    let lastChangeMs = performance.now();
    let cpuAtLastChange = cpuSeconds(pid);
    while (performance.now() - lastChangeMs < AGENT_SETTLED_MS) {
      await Bun.sleep(POLL_MS);
      const next = await status();
      if (next.receive.received !== current.receive.received) {
        lastChangeMs = performance.now();
        cpuAtLastChange = cpuSeconds(pid);
      }
      current = next;
    }
    const udp = current.receive.udp[0];
    return finish({
      receiver: "agent",
      ratePerS,
      seconds,
      sent,
      written: current.receive.received,
      peakRssBytes: rss.stop(),
      cpuSeconds: cpuAtLastChange - cpuAtStart,
      busySeconds: (lastChangeMs - startedMs) / 1000,
      loadAverageBefore,
      recvBufferBytes: udp?.recvBufferEffectiveBytes ?? null,
      recvBufferCapped: udp?.recvBufferCapped ?? null,
      kernelDrops: udp?.kernelDrops ?? null,
    });
  } finally {
    await agent.kill();
    dataDir.remove();
  }
}

/** Where rsyslogd is installed, or undefined (`apt-get install rsyslog`). */
export function findRsyslogd(): string | undefined {
  return ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"].find((path) => existsSync(path));
}

/** Newlines in a file, read as a stream (the file may be hundreds of MiB). */
async function countLines(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let lines = 0;
  for await (const piece of Bun.file(path).stream()) {
    for (let at = piece.indexOf(0x0a); at !== -1; at = piece.indexOf(0x0a, at + 1)) lines++;
  }
  return lines;
}

const fileBytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/**
 * Start rsyslogd (imudp -> omfile of the raw message, one line a datagram)
 * with a config of its own in a temp dir, offer it `ratePerS` datagrams/s
 * for `seconds`, wait until its file stops growing, count the lines, stop it
 * and remove the dir.
 *
 * @example
 * const rsyslogd = findRsyslogd();
 * if (rsyslogd) console.log(describeRun(await runRsyslogUdp(rsyslogd, buildUdpFlooder(), 100_000, 10)));
 */
export async function runRsyslogUdp(
  rsyslogd: string,
  flooder: string,
  ratePerS: number,
  seconds: number,
): Promise<ReceiverRun> {
  const dir = mkdtempSync(join(tmpdir(), "rsyslog-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const outFile = join(dir, "out.log");
  writeFileSync(
    join(dir, "rsyslog.conf"),
    `global(workDirectory="${dir}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="${RSYSLOG_RCVBUF}")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="${outFile}" template="raw" asyncWriting="on" ioBufferSize="1m")
`,
  );
  const daemon = Bun.spawn(
    [rsyslogd, "-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "pid")],
    { stderr: "ignore", stdout: "ignore" },
  );
  try {
    await Bun.sleep(1000);
    if (daemon.exitCode !== null) throw new Error(`rsyslogd exited with ${daemon.exitCode}`);
    const loadAverageBefore = loadAverage1m();
    const rss = trackPeakRss(daemon.pid);
    const cpuAtStart = cpuSeconds(daemon.pid);
    const startedMs = performance.now();
    const { sent } = await offerUdpFlood(flooder, "127.0.0.1", port, ratePerS, seconds);
    // Let rsyslog drain its queue and flush the file; watch the size, not the
    // lines, so that the watching costs next to nothing beside the receiver.
    let size = fileBytes(outFile);
    let lastChangeMs = performance.now();
    let cpuAtLastChange = cpuSeconds(daemon.pid);
    while (performance.now() - lastChangeMs < RSYSLOG_SETTLED_MS) {
      await Bun.sleep(POLL_MS);
      const next = fileBytes(outFile);
      if (next !== size) {
        lastChangeMs = performance.now();
        cpuAtLastChange = cpuSeconds(daemon.pid);
      }
      size = next;
    }
    const peakRssBytes = rss.stop();
    return finish({
      receiver: "rsyslog",
      ratePerS,
      seconds,
      sent,
      written: await countLines(outFile),
      peakRssBytes,
      cpuSeconds: cpuAtLastChange - cpuAtStart,
      busySeconds: (lastChangeMs - startedMs) / 1000,
      loadAverageBefore,
      recvBufferBytes: null,
      recvBufferCapped: null,
      kernelDrops: null,
    });
  } finally {
    daemon.kill();
    await daemon.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const n = (value: number) => value.toLocaleString("en");

/** A run in the two lines bench/agent-udp.ts and bench/rsyslog-udp.ts print. */
export function describeRun(run: ReceiverRun): string {
  const lossPercent = ((run.lost / Math.max(1, run.sent)) * 100).toFixed(3);
  const buffer =
    run.recvBufferBytes === null
      ? `receive buffer ${RSYSLOG_RCVBUF} (rcvbufSize, forced past rmem_max as root)`
      : `receive buffer ${mib(run.recvBufferBytes)} effective${run.recvBufferCapped ? " (CAPPED by net.core.rmem_max)" : ""}, kernel drops ${run.kernelDrops ?? "not measurable"}`;
  return [
    `${run.receiver}: offered ${n(run.ratePerS)}/s for ${run.seconds} s: sent ${n(run.sent)}, written ${n(run.written)}, lost ${n(run.lost)} (${lossPercent}%), peak RSS ${mib(run.peakRssBytes)}${run.lost === 0 ? "  LOSSLESS" : ""}`,
    `  CPU ${run.cpuSeconds.toFixed(2)} s over ${run.busySeconds.toFixed(1)} s (${((run.cpuSeconds / Math.max(0.001, run.busySeconds)) * 100).toFixed(0)}% of one core), ${run.cpuSecondsPer100k.toFixed(3)} CPU s per 100k datagrams; load average ${run.loadAverageBefore.toFixed(2)} -> ${run.loadAverageAfter.toFixed(2)}; ${buffer}`,
  ].join("\n");
}

/**
 * The highest rate up to which every run lost nothing, or 0: a loss at a
 * lower rate is not excused by luck at a higher one.
 */
export function highestLosslessRate(runs: ReceiverRun[]): number {
  let highest = 0;
  for (const run of [...runs].sort((a, b) => a.ratePerS - b.ratePerS)) {
    if (run.lost > 0) break;
    highest = run.ratePerS;
  }
  return highest;
}

/** "highest lossless rate measured: 150,000/s", naming lossless runs above a lossy one. */
export function describeHighestLossless(runs: ReceiverRun[]): string {
  const highest = highestLosslessRate(runs);
  const luckier = runs.filter((run) => run.lost === 0 && run.ratePerS > highest);
  return `highest lossless rate measured: ${highest ? `${n(highest)}/s` : "none of the offered rates"}${luckier.length ? ` (and lossless at ${luckier.map((run) => `${n(run.ratePerS)}/s`).join(", ")} after a loss below)` : ""}`;
}

/** `--rates 100000,150000` -> [100000, 150000]; fails on anything but positive numbers. */
export function parseRates(text: string): number[] {
  const rates = text.split(",").map(Number);
  if (rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
    throw new Error(`--rates must be positive numbers separated by commas, got "${text}"`);
  }
  return rates;
}
