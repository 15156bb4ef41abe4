/** One syslog message as the agent received it, before it gets a seq. */
export interface ReceivedDatagram {
  /** Receive time, µs since 1970 UTC, agent clock (decides the chunk hour). */
  receivedAtUs: number;
  /** Sender address as the socket reported it (normalised by the custody encoder). */
  src: string;
  port: number;
  transport: "udp" | "tcp";
  /** The message exactly as received (TCP: the frame without its framing). */
  bytes: Uint8Array;
}

/** Where receivers hand datagrams; the WAL implements it. */
export type DatagramSink = (datagram: ReceivedDatagram) => void;
