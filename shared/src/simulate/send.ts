/**
 * The paced sender: the simulation's lines over UDP to one syslog receiver, each
 * when its time comes, in batches every ~10 ms, as a set of hotel routers with
 * remote logging would send them.
 */
import { isIPv6 } from "node:net";
import { type SimulatedLine, type SimulateOptions, simulateTraffic } from "./model.ts";
import { type TrafficSummary, TrafficTally } from "./summary.ts";

export interface SendTrafficOptions
  extends Pick<SimulateOptions, "seed" | "hotels" | "eps" | "count" | "utcOffsetMinutes"> {
  host: string;
  port: number;
  /**
   * A port per hotel (1-based index), when each hotel's router logs to its own
   * receiver (one agent per hotel, as in the zero-setup demo); `port` otherwise.
   */
  portOfHotel?: (hotel: number) => number;
  /** Stop after this long; with `count` too, whichever comes first. */
  durationMs?: number;
  /** Stops the sender between batches; it still resolves with what went out. */
  signal?: AbortSignal;
}

const BATCH_INTERVAL_MS = 10;
const MAX_STALLS = 50;

/**
 * Send the simulation to `host:port` at `eps` lines per second (all hotels
 * together) until `durationMs` or `count`; resolves with what was sent.
 *
 * @example
 * const summary = await sendTraffic({ host: "127.0.0.1", port: 5514, eps: 500, hotels: 3, durationMs: 10_000 });
 * summary.by_kind.firewall; // 4612
 */
export async function sendTraffic(options: SendTrafficOptions): Promise<TrafficSummary> {
  if (options.durationMs === undefined && options.count === undefined) {
    throw new Error("sendTraffic needs a duration or a count, or it never stops");
  }
  const ipv6 = isIPv6(options.host);
  const socket = await Bun.udpSocket({
    hostname: ipv6 ? "::" : "0.0.0.0",
    // The receiver's ICMP "port unreachable" comes back as an error; a router's remote
    // logging does not care whether anyone listens, and neither does the simulator.
    socket: { error: () => {} },
  });
  const portOf = options.portOfHotel ?? (() => options.port);
  const tally = new TrafficTally(options.hotels);
  const startMs = Date.now();
  const lines = simulateTraffic({
    ...options,
    startMs,
    ...(options.durationMs !== undefined ? { endMs: startMs + options.durationMs } : {}),
  });
  try {
    let next = lines.next();
    while (!next.done && !options.signal?.aborted) {
      const now = Date.now();
      const batch: SimulatedLine[] = [];
      while (!next.done && next.value.timeMs <= now) {
        batch.push(next.value);
        next = lines.next();
      }
      const sent = await sendBatch(socket, batch, options.host, portOf);
      for (let index = 0; index < sent; index++) tally.add(batch[index] as SimulatedLine);
      if (!next.done) await Bun.sleep(BATCH_INTERVAL_MS);
    }
  } finally {
    socket.close();
  }
  return tally.summary((Date.now() - startMs) / 1000);
}

/**
 * Hands `batch` to the socket and returns how many it took: all of them, unless
 * the socket takes none for ~50 ms (its buffer stays full), then the rest is dropped.
 */
async function sendBatch(
  socket: Bun.udp.Socket<"buffer">,
  batch: SimulatedLine[],
  host: string,
  portOf: (hotel: number) => number,
): Promise<number> {
  let sent = 0;
  let stalls = 0;
  while (sent < batch.length && stalls < MAX_STALLS) {
    const packets: (string | number)[] = [];
    for (let index = sent; index < batch.length; index++) {
      const { line, hotel } = batch[index] as SimulatedLine;
      packets.push(line, portOf(hotel), host);
    }
    // A pending ICMP error also cuts a sendMany short: go on at once unless nothing went.
    const taken = socket.sendMany(packets);
    sent += taken;
    if (taken === 0) {
      stalls++;
      await Bun.sleep(1);
    }
  }
  return sent;
}
