import dgram from "node:dgram";
import type { ListenAddress } from "../config/index.ts";
import type { ReceiveClock } from "./clock.ts";
import type { DatagramSink } from "./datagram.ts";

/** A bound UDP syslog socket and what the kernel granted it. */
export interface UdpReceiver {
  readonly address: ListenAddress;
  /** The port actually bound (differs from the config when it asked for 0). */
  readonly port: number;
  /** The IP address actually bound (a host name in the config resolved), e.g. for /proc/net/udp. */
  readonly boundAddress: string;
  readonly recvBufferRequestedBytes: number;
  /** What the kernel reports (Linux doubles the request, or 2 × net.core.rmem_max when capped). */
  readonly recvBufferEffectiveBytes: number;
  /** True when the kernel gave less than asked: a burst may overflow it. */
  readonly recvBufferCapped: boolean;
  close(): Promise<void>;
}

/** The `sysctl` an operator runs when the receive buffer was capped. */
export function rmemHint(requestedBytes: number): string {
  return `sysctl -w net.core.rmem_max=${requestedBytes} (and add net.core.rmem_max=${requestedBytes} to /etc/sysctl.d/90-logmaster.conf)`;
}

/**
 * Bind one UDP syslog listener; each datagram goes to `sink` with its receive
 * time, sender and exact bytes. An IPv6 address opens an IPv6-only socket so
 * that `0.0.0.0:514` and `[::]:514` can coexist.
 *
 * @example
 * const udp = await startUdpReceiver(parseListenAddress("0.0.0.0:514"), 32 << 20, clock, wal.append, onError);
 * if (udp.recvBufferCapped) console.warn(rmemHint(32 << 20));
 */
export function startUdpReceiver(
  address: ListenAddress,
  recvBufferBytes: number,
  clock: ReceiveClock,
  sink: DatagramSink,
  onError: (error: Error) => void,
): Promise<UdpReceiver> {
  const socket = dgram.createSocket({
    type: address.ipv6 ? "udp6" : "udp4",
    ipv6Only: address.ipv6,
    recvBufferSize: recvBufferBytes,
  });
  socket.on("message", (bytes, rinfo) => {
    sink({
      receivedAtUs: clock.nowUs(),
      src: rinfo.address,
      port: rinfo.port,
      transport: "udp",
      bytes,
    });
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(address.port, address.host, () => {
      socket.off("error", reject);
      socket.on("error", onError);
      let effective = 0;
      try {
        effective = socket.getRecvBufferSize();
      } catch {
        effective = 0;
      }
      resolve({
        address,
        port: socket.address().port,
        boundAddress: socket.address().address,
        recvBufferRequestedBytes: recvBufferBytes,
        recvBufferEffectiveBytes: effective,
        recvBufferCapped: effective < recvBufferBytes,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
