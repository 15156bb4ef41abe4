/**
 * PostgreSQL (and Redis) for the benchmarks that need them: the caller's
 * DATABASE_URL, or the throwaway services of scripts/test-services.sh,
 * started here and stopped by the returned function (services that were
 * already running, a test shell's, are left running); and the CPU the
 * server spends on one database.
 */
import { readFileSync } from "node:fs";
import { type RawClient, rawQuery } from "../../hub/src/store/index.ts";
import { clockTicksPerS, cpuSeconds } from "./udp-rate.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;

/**
 * Make sure DATABASE_URL (and REDIS_URL) are set for this process.
 *
 * @example
 * const services = useTestServices();
 * try { ... } finally { services.stop(); }
 */
export function useTestServices(): { stop(): void } {
  if (process.env.DATABASE_URL) return { stop() {} };
  const started = Bun.spawnSync(["bash", `${repoRoot}scripts/test-services.sh`, "start"]);
  for (const [, name, value] of started.stdout.toString().matchAll(/export (\w+)=(\S+)/g)) {
    process.env[name as string] = value;
  }
  if (started.exitCode !== 0 || !process.env.DATABASE_URL) {
    throw new Error(
      `DATABASE_URL is not set and scripts/test-services.sh could not start PostgreSQL (exit ${started.exitCode}): ${started.stderr.toString().trim().slice(-2000)}`,
    );
  }
  const ownsThem = !started.stderr.toString().includes("already running");
  return {
    stop() {
      if (ownsThem) Bun.spawnSync(["bash", `${repoRoot}scripts/test-services.sh`, "stop"]);
    },
  };
}

/**
 * CPU seconds so far of each PostgreSQL backend connected to the client's
 * database, by pid (Linux /proc; the server runs on this machine). Other
 * databases' work (other people's tests) is not counted.
 */
export async function postgresBackendCpu(raw: RawClient): Promise<Map<number, number>> {
  const rows = await rawQuery<{ pid: number }>(
    raw,
    "select pid from pg_stat_activity where datname = current_database()",
  );
  return new Map(rows.map((row) => [row.pid, cpuSeconds(row.pid)]));
}

/** CPU seconds the backends spent between two {@link postgresBackendCpu} readings (new backends from 0). */
export function postgresCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, now] of after) {
    if (Number.isFinite(now)) seconds += now - (before.get(pid) ?? 0);
  }
  return seconds;
}

/** The machine's CPU and memory counters at one moment: see {@link machineCpu}. */
export interface MachineCpu {
  /** Busy seconds, all cores. */
  busyS: number;
  /** Idle seconds, I/O wait included. */
  idleS: number;
  /** The kernel's share of `busyS` (system, interrupts). */
  kernelS: number;
  /** Pages the kernel took back from the page cache to reuse (/proc/vmstat `pgsteal_*`): non-zero once memory is full. */
  reclaimedPages: number;
}

/**
 * The machine's CPU time so far from /proc/stat, all cores, and the pages the
 * kernel has reclaimed so far from /proc/vmstat: differences of two readings
 * say how much of a load went to the kernel, and whether the page cache was
 * full (a 20M-event store is 17 GB).
 */
export function machineCpu(): MachineCpu {
  const [line] = readFileSync("/proc/stat", "utf8").split("\n", 1);
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (clock ticks)
  const ticks = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    ticks;
  let reclaimedPages = 0;
  for (const entry of readFileSync("/proc/vmstat", "utf8").split("\n")) {
    const [name, value] = entry.split(" ");
    if (name?.startsWith("pgsteal_")) reclaimedPages += Number(value) || 0;
  }
  return {
    busyS: (user + nice + system + irq + softirq + steal) / clockTicksPerS,
    idleS: (idle + iowait) / clockTicksPerS,
    kernelS: (system + irq + softirq) / clockTicksPerS,
    reclaimedPages,
  };
}
