/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full
 * never reach the agent, so nothing on the receive path can see them. Linux
 * counts them per socket (`drops`, the last column of /proc/net/udp and
 * /proc/net/udp6); this monitor reads that counter about once a second, off
 * the hot path, and turns each increase into a counted rejection and a
 * `receive_buffer_overflow` gap record (docs/custody-format.md §4.4).
 */
import { readFile } from "node:fs/promises";
import { endianness } from "node:os";
import { ipBytes } from "../../../shared/src/net/ip-bytes.ts";
import type { AgentTelemetry } from "../events/index.ts";
import type { LostDatagrams } from "../wal/wal.ts";

/** The per-family socket tables. A udp4 socket is listed only in the first, a udp6 one only in the second. */
export const PROC_NET_UDP = { ipv4: "/proc/net/udp", ipv6: "/proc/net/udp6" } as const;

/** How often the counters are read by default. */
export const KERNEL_DROP_INTERVAL_MS = 1000;

/** The kernel prints `sk_drops` as an unsigned 32-bit number: it wraps here. */
const COUNTER_MODULO = 2 ** 32;

/** One socket row of /proc/net/udp[6]: its bound address (as the kernel prints it), port and drop counter. */
export interface UdpSocketDrops {
  /** Upper-case hex, each 32-bit word in host byte order (see {@link procLocalAddress}). */
  localAddress: string;
  port: number;
  drops: number;
}

/**
 * The rows of a /proc/net/udp or /proc/net/udp6 text whose local port is in
 * `ports`. Other rows are skipped after reading their port, so a host with
 * thousands of UDP sockets costs little more than the read.
 *
 * @example
 * parseProcNetUdp(" 2933: 0100007F:C44E 00000000:0000 07 ... 158073 2 00000000d93e065a 5", new Set([50254]))
 * // [{ localAddress: "0100007F", port: 50254, drops: 5 }]
 */
export function parseProcNetUdp(text: string, ports: ReadonlySet<number>): UdpSocketDrops[] {
  const rows: UdpSocketDrops[] = [];
  for (const line of text.split("\n")) {
    // "  sl: LOCAL_ADDR:PORT REM_ADDR:PORT st ... drops"; the header has no "N: ".
    const slotEnd = line.indexOf(": ");
    if (slotEnd < 0) continue;
    let start = slotEnd + 2;
    while (line.charCodeAt(start) === 0x20) start++;
    const colon = line.indexOf(":", start);
    const portEnd = line.indexOf(" ", colon);
    if (colon < 0 || portEnd < 0) continue;
    const port = Number.parseInt(line.slice(colon + 1, portEnd), 16);
    if (!ports.has(port)) continue;
    const trimmed = line.trimEnd();
    const drops = Number(trimmed.slice(trimmed.lastIndexOf(" ") + 1));
    if (!Number.isSafeInteger(drops)) continue;
    rows.push({ localAddress: line.slice(start, colon).toUpperCase(), port, drops });
  }
  return rows;
}

/**
 * A bound IP address as /proc/net/udp[6] prints it: the address bytes in
 * network order, read as 32-bit words in host byte order, each printed as
 * `%08X`. So on little-endian hosts every 4-byte word appears reversed.
 *
 * @example
 * procLocalAddress("127.0.0.1", true) // "0100007F"
 * procLocalAddress("::1", true)       // "00000000000000000000000001000000"
 */
export function procLocalAddress(ip: string, littleEndian = endianness() === "LE"): string {
  // A zone (`fe80::1%eth0`) is the interface, not part of the address bytes.
  const bytes = ipBytes(ip.split("%")[0] ?? "");
  let hex = "";
  for (let word = 0; word < bytes.length; word += 4) {
    const wordBytes = bytes.slice(word, word + 4);
    if (littleEndian) wordBytes.reverse();
    for (const byte of wordBytes) hex += byte.toString(16).padStart(2, "0");
  }
  return hex.toUpperCase();
}

/** A bound UDP listener to watch. */
export interface WatchedUdpListener {
  /** As configured, for logs and status. */
  listen: string;
  boundAddress: string;
  port: number;
  ipv6: boolean;
}

/** What status shows per UDP listener; `kernelDrops` is null where the counter cannot be read. */
export interface KernelDropStats {
  kernelDrops: number | null;
  lastKernelDropAt: string | null;
}

export interface KernelDropMonitorOptions {
  listeners: readonly WatchedUdpListener[];
  telemetry: AgentTelemetry;
  /** Appends the gap record to the WAL (in seq order); false = not written, try again next read. */
  recordGap: (gap: LostDatagrams) => boolean;
  /** The receive clock (µs), so gap times agree with the records around them. */
  nowUs: () => number;
  intervalMs?: number;
  /** Tests replace the file reader (another platform, an unreadable file, literal rows). */
  readProcFile?: (path: string) => Promise<string>;
  /** Defaults to `process.platform`; only "linux" has the counters. */
  platform?: NodeJS.Platform;
}

interface ListenerState {
  readonly listener: WatchedUdpListener;
  readonly procAddress: string;
  measurable: boolean;
  /** The counter at the last read. */
  counter: number;
  /** Start of the last read: drops seen at the next read happened after it. */
  lastReadStartUs: number;
  total: number;
  lastDropAtUs: number | null;
  /** Drops counted but not yet in a gap record (the WAL refused the write). */
  unrecorded: LostDatagrams | null;
}

/**
 * Watches the kernel's drop counters of the agent's UDP sockets.
 *
 * The baseline is 0, not the counter's value at the first read: the agent
 * created these sockets, whose counters start at 0, so drops between bind and
 * the first read are the agent's loss and must be recorded too.
 *
 * @example
 * const drops = new KernelDropMonitor({ listeners, telemetry, recordGap: (gap) => wal.recordGap(gap), nowUs });
 * drops.start();
 * drops.stats(0); // { kernelDrops: 0, lastKernelDropAt: null }
 */
export class KernelDropMonitor {
  readonly #options: KernelDropMonitorOptions;
  readonly #states: ListenerState[];
  readonly #readProcFile: (path: string) => Promise<string>;
  readonly #ports: ReadonlySet<number>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: KernelDropMonitorOptions) {
    this.#options = options;
    this.#readProcFile = options.readProcFile ?? ((path) => readFile(path, "latin1"));
    this.#ports = new Set(options.listeners.map((listener) => listener.port));
    const createdAtUs = options.nowUs();
    this.#states = options.listeners.map((listener) => ({
      listener,
      procAddress: procLocalAddress(listener.boundAddress),
      measurable: true,
      counter: 0,
      lastReadStartUs: createdAtUs,
      total: 0,
      lastDropAtUs: null,
      unrecorded: null,
    }));
    if ((options.platform ?? process.platform) !== "linux")
      this.#giveUp(
        this.#states,
        `no per-socket drop counter on ${options.platform ?? process.platform}`,
      );
  }

  /** Read the counters every `intervalMs` (default 1 s) until {@link stop}. */
  start(): void {
    if (!this.#states.some((state) => state.measurable)) return;
    this.#timer = setInterval(
      () =>
        // A failed read must not become an unhandled rejection that ends the agent.
        void this.sample().catch((error) =>
          this.#options.telemetry.info("reading kernel drop counters failed", {
            error: String(error),
          }),
        ),
      this.#options.intervalMs ?? KERNEL_DROP_INTERVAL_MS,
    );
    this.#timer.unref();
  }

  /** Stop the timer; call {@link sample} once more first to record drops up to now. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Read the counters now (the timer calls this; so does shutdown). Concurrent calls share one read. */
  sample(): Promise<void> {
    this.#inFlight ??= this.#readAll().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Drops since start and the time of the last one, for the listener at `index`. */
  stats(index: number): KernelDropStats {
    const state = this.#states[index];
    if (!state?.measurable) return { kernelDrops: null, lastKernelDropAt: null };
    return {
      kernelDrops: state.total,
      lastKernelDropAt:
        state.lastDropAtUs === null ? null : new Date(state.lastDropAtUs / 1000).toISOString(),
    };
  }

  async #readAll(): Promise<void> {
    for (const family of ["ipv4", "ipv6"] as const) {
      const states = this.#states.filter(
        (state) => state.measurable && state.listener.ipv6 === (family === "ipv6"),
      );
      if (states.length === 0) continue;
      const path = PROC_NET_UDP[family];
      const readStartUs = this.#options.nowUs();
      let text: string;
      try {
        text = await this.#readProcFile(path);
      } catch (error) {
        this.#giveUp(states, `${path} is not readable: ${String(error)}`);
        continue;
      }
      const rows = parseProcNetUdp(text, this.#ports);
      const readEndUs = this.#options.nowUs();
      for (const state of states) {
        const row = rows.find(
          (candidate) =>
            candidate.port === state.listener.port && candidate.localAddress === state.procAddress,
        );
        if (!row) {
          this.#giveUp(
            [state],
            `no row for ${state.procAddress}:${state.listener.port} in ${path}`,
          );
          continue;
        }
        this.#observe(state, row.drops, readStartUs, readEndUs);
      }
    }
  }

  /** Count the increase since the last read and record it as a gap. */
  #observe(state: ListenerState, counter: number, readStartUs: number, readEndUs: number): void {
    const increase = (counter - state.counter + COUNTER_MODULO) % COUNTER_MODULO;
    // The previous value was read after the previous read started, this one
    // before this read ended: the drops happened inside that interval.
    const firstUs = state.lastReadStartUs;
    state.counter = counter;
    state.lastReadStartUs = readStartUs;
    if (increase > 0) {
      const reason = "receive_buffer_overflow";
      state.total += increase;
      state.lastDropAtUs = readEndUs;
      this.#options.telemetry.emit(
        "DatagramRejected",
        { reason },
        { listen: state.listener.listen, port: state.listener.port },
        increase,
      );
      const pending = state.unrecorded;
      state.unrecorded = pending
        ? { ...pending, lost: pending.lost + increase, lastUs: readEndUs }
        : { reason, lost: increase, firstUs, lastUs: readEndUs };
    }
    if (state.unrecorded && this.#options.recordGap(state.unrecorded)) state.unrecorded = null;
  }

  /** Log once why these listeners' drops cannot be measured, and stop reading for them. */
  #giveUp(states: ListenerState[], why: string): void {
    for (const state of states) {
      state.measurable = false;
      this.#options.telemetry.emit(
        "KernelDropsUnmeasurable",
        { listen: state.listener.listen },
        { why, effect: "datagrams the kernel drops on this socket are not counted or recorded" },
      );
    }
    if (!this.#states.some((state) => state.measurable)) this.stop();
  }
}
