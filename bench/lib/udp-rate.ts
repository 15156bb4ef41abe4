/**
 * Shared pieces of the UDP receiver benchmarks: build the C flooder, offer a
 * fixed rate for a fixed time, sample a process's RSS.
 */
import { mkdirSync, readFileSync } from "node:fs";

const repoRoot = new URL("../..", import.meta.url).pathname;

/** Compile bench/tools/udp-flood.c once into .tmp/ and return its path. */
export function buildUdpFlooder(): string {
  const out = `${repoRoot}.tmp/udp-flood`;
  mkdirSync(`${repoRoot}.tmp`, { recursive: true });
  const build = Bun.spawnSync(["cc", "-O2", "-o", out, `${repoRoot}bench/tools/udp-flood.c`], {
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error("cc failed to build bench/tools/udp-flood.c");
  return out;
}

/**
 * Offer `ratePerS` datagrams per second for `seconds` to host:port; resolves
 * with the count sent, the seconds it took and the flooder's CPU. With
 * `replayFile`, the datagrams are that file's lines in order (at most its lines).
 */
export async function offerUdpFlood(
  flooder: string,
  host: string,
  port: number,
  ratePerS: number,
  seconds: number,
  replayFile?: string,
): Promise<{ sent: number; seconds: number; cpuS: number; output: string }> {
  const count = Math.round(ratePerS * seconds);
  const child = Bun.spawn(
    [
      flooder,
      host,
      String(port),
      String(count),
      String(ratePerS),
      ...(replayFile ? [replayFile] : []),
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const output = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) {
    throw new Error(`the UDP flooder failed: ${await new Response(child.stderr).text()}`);
  }
  const [, sent, took] = /sent (\d+) in ([\d.]+) s/.exec(output) ?? [];
  const cpuS = Number(child.resourceUsage()?.cpuTime.total ?? 0n) / 1e6;
  return { sent: Number(sent ?? 0), seconds: Number(took ?? 0), cpuS, output: output.trim() };
}

/** Resident set size of a process in bytes (Linux /proc), or 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Sample RSS every 200 ms until stopped; returns the peak. */
export function trackPeakRss(pid: number): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}

export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times. */
export const clockTicksPerS = (() => {
  const out = Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim();
  return Number(out) || 100;
})();

/**
 * CPU time a process has used so far, user + system, in seconds (Linux
 * /proc/<pid>/stat utime + stime), or NaN when it is gone. CPU time per
 * datagram, unlike the loss rate, hardly depends on what else loads the machine.
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS;
  } catch {
    return Number.NaN;
  }
}

/** The 1-minute load average (other work on the machine skews every rate figure). */
export function loadAverage1m(): number {
  return loadAverages()[0];
}

/** A `net.core.*` kernel setting (e.g. "rmem_max") as a number, or NaN when it cannot be read. */
export function netCoreSetting(name: "rmem_max" | "rmem_default"): number {
  try {
    return Number(readFileSync(`/proc/sys/net/core/${name}`, "utf8").trim());
  } catch {
    return Number.NaN;
  }
}

/** net.core.rmem_max: the most receive buffer a socket may ask for, or NaN when unknown. */
export function rmemMaxBytes(): number {
  return netCoreSetting("rmem_max");
}

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them. */
export function loadAverages(): [number, number, number] {
  const [one, five, fifteen] = readFileSync("/proc/loadavg", "utf8").split(" ").map(Number);
  return [one ?? Number.NaN, five ?? Number.NaN, fifteen ?? Number.NaN];
}
