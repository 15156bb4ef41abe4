/**
 * RFC 6587 framing for syslog over TCP, both methods on one connection:
 *
 * - octet counting: `MSG-LEN SP SYSLOG-MSG` (MSG-LEN a decimal without a leading 0);
 * - non-transparent framing: the message ends at LF (a CR before it and NUL
 *   trailers some senders use are stripped as well).
 *
 * Chosen per frame by its first byte (a digit 1-9 means octet counting), as
 * rsyslog does. Minimal on purpose: a shared decoder is planned in
 * `shared/src/syslog/framing/`; this one can be replaced by it.
 */

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;

export type FrameEvent =
  | { kind: "frame"; bytes: Uint8Array }
  | { kind: "rejected"; reason: "frame_too_long" | "invalid_frame"; droppedBytes: number };

/**
 * Incremental decoder: feed it what the socket gives, get whole frames back.
 *
 * @example
 * const decoder = new SyslogFrameDecoder(65536);
 * decoder.push(new TextEncoder().encode("5 hello<13>x\n")); // [frame "hello", frame "<13>x"]
 */
export class SyslogFrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0);
  /** Discarding the rest of an over-long LF frame until its LF. */
  #skippingLine = false;

  constructor(readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let data: Uint8Array;
    if (this.#buffer.byteLength === 0) data = chunk;
    else {
      data = new Uint8Array(this.#buffer.byteLength + chunk.byteLength);
      data.set(this.#buffer);
      data.set(chunk, this.#buffer.byteLength);
    }
    let at = 0;
    while (at < data.byteLength) {
      if (this.#skippingLine) {
        const lf = data.indexOf(LF, at);
        if (lf === -1) {
          at = data.byteLength;
          break;
        }
        this.#skippingLine = false;
        at = lf + 1;
        continue;
      }
      const first = data[at] ?? 0;
      if (first === LF || first === CR || first === NUL) {
        at++; // stray separators between frames
        continue;
      }
      if (first >= 0x31 && first <= 0x39) {
        const consumed = this.#octetCounted(data, at, events);
        if (consumed === 0) break;
        at += consumed;
        continue;
      }
      const lf = data.indexOf(LF, at);
      if (lf === -1) {
        if (data.byteLength - at > this.maxFrameBytes) {
          events.push({
            kind: "rejected",
            reason: "frame_too_long",
            droppedBytes: data.byteLength - at,
          });
          this.#skippingLine = true;
          at = data.byteLength;
        }
        break;
      }
      let end = lf;
      while (end > at && (data[end - 1] === CR || data[end - 1] === NUL)) end--;
      if (end - at > this.maxFrameBytes) {
        events.push({ kind: "rejected", reason: "frame_too_long", droppedBytes: lf - at });
      } else {
        events.push({ kind: "frame", bytes: data.slice(at, end) });
      }
      at = lf + 1;
    }
    this.#buffer = at >= data.byteLength ? new Uint8Array(0) : data.slice(at);
    return events;
  }

  /** Bytes consumed from `at`, or 0 when the frame is not complete yet. */
  #octetCounted(data: Uint8Array, at: number, events: FrameEvent[]): number {
    let i = at;
    let length = 0;
    while (i < data.byteLength && i - at < 9) {
      const byte = data[i] ?? 0;
      if (byte === SPACE) break;
      if (byte < 0x30 || byte > 0x39) {
        // Not octet counting after all ("2024-..." style line): treat as LF-framed.
        return this.#asLine(data, at, events);
      }
      length = length * 10 + (byte - 0x30);
      i++;
    }
    if (i >= data.byteLength) return 0;
    if (data[i] !== SPACE) return this.#asLine(data, at, events);
    if (length > this.maxFrameBytes) {
      events.push({ kind: "rejected", reason: "frame_too_long", droppedBytes: length });
      // Resynchronising inside an oversized counted frame is guesswork; skip to the next LF.
      this.#skippingLine = true;
      return i + 1 - at;
    }
    const start = i + 1;
    if (data.byteLength - start < length) return 0;
    events.push({ kind: "frame", bytes: data.slice(start, start + length) });
    return start + length - at;
  }

  #asLine(data: Uint8Array, at: number, events: FrameEvent[]): number {
    const lf = data.indexOf(LF, at);
    if (lf === -1) {
      if (data.byteLength - at <= this.maxFrameBytes) return 0;
      events.push({
        kind: "rejected",
        reason: "frame_too_long",
        droppedBytes: data.byteLength - at,
      });
      this.#skippingLine = true;
      return data.byteLength - at;
    }
    let end = lf;
    while (end > at && (data[end - 1] === CR || data[end - 1] === NUL)) end--;
    events.push({ kind: "frame", bytes: data.slice(at, end) });
    return lf + 1 - at;
  }

  /** Bytes left over when the connection closed (an unterminated last line). */
  finish(): FrameEvent[] {
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    if (rest.byteLength === 0 || this.#skippingLine) return [];
    if (/^[1-9]\d{0,8} /.test(new TextDecoder().decode(rest.subarray(0, 10)))) {
      return [{ kind: "rejected", reason: "invalid_frame", droppedBytes: rest.byteLength }];
    }
    return [{ kind: "frame", bytes: rest }];
  }
}
