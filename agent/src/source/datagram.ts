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

/**
 * Where the UDP receivers hand datagrams without an object of their own (the
 * hot path, up to ~300k/s); the WAL implements it.
 */
export interface DatagramBytesSink {
  /**
   * Take one datagram: `length` bytes of `buffer` from `offset`. The bytes are
   * encoded before this returns, so the receiver may reuse `buffer` at once.
   */
  appendBytes(
    receivedAtUs: number,
    src: string,
    port: number,
    transport: ReceivedDatagram["transport"],
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): void;
  /** Write what was appended (the end of a receive batch); only then is it counted as received. */
  flush(): void;
}
