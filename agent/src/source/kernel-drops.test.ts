import { expect, test } from "bun:test";
import { AgentTelemetry } from "../events/index.ts";
import type { LostDatagrams } from "../wal/wal.ts";
import {
  KernelDropMonitor,
  PROC_NET_UDP,
  parseProcNetUdp,
  procLocalAddress,
  type WatchedUdpListener,
} from "./kernel-drops.ts";

// Literal rows as a 6.x x86_64 kernel prints them (slot numbers of varying width).
const UDP4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
 2933: 0100007F:C44E 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 158073 2 00000000d93e065a 0        
  112: 00000000:0202 00000000:0000 07 00000000:00033300 00:00000000 00000000     0        0 158080 2 00000000aa3e065a 4129     
  113: 0100007F:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 158081 2 00000000bb3e065a 7        
  401: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 9999 2 00000000cc3e065a 3          
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
15439: 00000000000000000000000001000000:B528 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 158074 2 00000000feb16436 0
  511: 00000000000000000000000000000000:0202 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 158090 2 00000000feb16437 12
`;

test("parseProcNetUdp: IPv4 rows for our ports only, with address, port and drops", () => {
  expect(parseProcNetUdp(UDP4, new Set([514, 50254]))).toEqual([
    { localAddress: "0100007F", port: 50254, drops: 0 },
    { localAddress: "00000000", port: 514, drops: 4129 },
    { localAddress: "0100007F", port: 514, drops: 7 },
  ]);
  expect(parseProcNetUdp(UDP4, new Set([9]))).toEqual([]);
});

test("parseProcNetUdp: IPv6 rows", () => {
  expect(parseProcNetUdp(UDP6, new Set([514, 46376]))).toEqual([
    { localAddress: "00000000000000000000000001000000", port: 46376, drops: 0 },
    { localAddress: "00000000000000000000000000000000", port: 514, drops: 12 },
  ]);
});

test("procLocalAddress: bytes per 32-bit word in host order", () => {
  expect(procLocalAddress("127.0.0.1", true)).toBe("0100007F");
  expect(procLocalAddress("127.0.0.1", false)).toBe("7F000001");
  expect(procLocalAddress("0.0.0.0", true)).toBe("00000000");
  expect(procLocalAddress("::", true)).toBe("0".repeat(32));
  expect(procLocalAddress("::1", true)).toBe("00000000000000000000000001000000");
  expect(procLocalAddress("2001:db8::5651:1", true)).toBe("B80D0120000000000000000001005156");
  expect(procLocalAddress("fe80::1%eth0", false)).toBe("FE800000000000000000000000000001");
  expect(procLocalAddress("::ffff:192.168.88.2", true)).toBe("0000000000000000FFFF00000258A8C0");
});

function monitorOver(
  files: Record<string, string>,
  listeners: WatchedUdpListener[],
  options: { platform?: NodeJS.Platform; acceptGap?: () => boolean } = {},
) {
  const logs: string[] = [];
  const telemetry = new AgentTelemetry((line) => logs.push(line));
  const gaps: LostDatagrams[] = [];
  let now = 1_000_000;
  const monitor = new KernelDropMonitor({
    listeners,
    telemetry,
    recordGap: (gap) => {
      if (options.acceptGap && !options.acceptGap()) return false;
      gaps.push(gap);
      return true;
    },
    nowUs: () => (now += 1000),
    readProcFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    ...(options.platform ? { platform: options.platform } : {}),
  });
  return { monitor, telemetry, gaps, logs };
}

const v4: WatchedUdpListener = {
  listen: "127.0.0.1:514",
  boundAddress: "127.0.0.1",
  port: 514,
  ipv6: false,
};
const v6: WatchedUdpListener = { listen: "[::]:514", boundAddress: "::", port: 514, ipv6: true };

test("KernelDropMonitor: each increase is counted and becomes one gap over the read interval", async () => {
  const files: Record<string, string> = { [PROC_NET_UDP.ipv4]: UDP4, [PROC_NET_UDP.ipv6]: UDP6 };
  const { monitor, telemetry, gaps } = monitorOver(files, [v4, v6]);
  await monitor.sample();
  // Baseline 0 (our sockets are new): 7 and 12 drops are ours.
  expect(gaps.map((gap) => [gap.reason, gap.lost])).toEqual([
    ["receive_buffer_overflow", 7],
    ["receive_buffer_overflow", 12],
  ]);
  for (const gap of gaps) expect(gap.firstUs).toBeLessThan(gap.lastUs);
  files[PROC_NET_UDP.ipv4] = UDP4.replace(" 7        ", " 10       ");
  await monitor.sample();
  await monitor.sample(); // no change: no gap
  expect(gaps.map((gap) => gap.lost)).toEqual([7, 12, 3]);
  // The interval starts where the previous read started (that value was read after it).
  expect(gaps[2]?.firstUs).toBeGreaterThan(gaps[0]?.firstUs ?? Infinity);
  expect(telemetry.count("DatagramRejected", { reason: "receive_buffer_overflow" })).toBe(22);
  expect(monitor.stats(0)).toMatchObject({ kernelDrops: 10 });
  expect(monitor.stats(1)).toMatchObject({ kernelDrops: 12 });
  expect(monitor.stats(0).lastKernelDropAt).not.toBeNull();
});

test("KernelDropMonitor: a gap the WAL could not write is carried into the next one", async () => {
  let accept = false;
  const files = { [PROC_NET_UDP.ipv4]: UDP4 };
  const { monitor, gaps } = monitorOver(files, [v4], { acceptGap: () => accept });
  await monitor.sample();
  expect(gaps).toEqual([]);
  files[PROC_NET_UDP.ipv4] = UDP4.replace(" 7        ", " 9        ");
  accept = true;
  await monitor.sample();
  expect(gaps).toHaveLength(1);
  expect(gaps[0]?.lost).toBe(9);
});

test("KernelDropMonitor: the 32-bit counter wrapping is an increase, not a negative", async () => {
  const files = { [PROC_NET_UDP.ipv4]: UDP4.replace(" 7        ", " 4294967295 ") };
  const { monitor, gaps } = monitorOver(files, [v4]);
  await monitor.sample();
  files[PROC_NET_UDP.ipv4] = UDP4.replace(" 7        ", " 1        ");
  await monitor.sample();
  expect(gaps.map((gap) => gap.lost)).toEqual([4294967295, 2]);
});

test("KernelDropMonitor: not Linux, or /proc unreadable: logged once, status says null, nothing else", async () => {
  const other = monitorOver({}, [v4], { platform: "darwin" });
  await other.monitor.sample();
  expect(other.monitor.stats(0)).toEqual({ kernelDrops: null, lastKernelDropAt: null });
  expect(other.logs.filter((line) => line.includes("KernelDropsUnmeasurable"))).toHaveLength(1);

  const unreadable = monitorOver({}, [v4]);
  await unreadable.monitor.sample();
  await unreadable.monitor.sample();
  expect(unreadable.monitor.stats(0).kernelDrops).toBeNull();
  expect(unreadable.telemetry.count("KernelDropsUnmeasurable")).toBe(1);
  expect(unreadable.logs.join("\n")).toContain("/proc/net/udp is not readable");
  expect(unreadable.gaps).toEqual([]);
});
