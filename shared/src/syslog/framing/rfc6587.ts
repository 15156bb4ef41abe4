/**
 * RFC 6587 framing of syslog over TCP: where one message ends in a byte stream.
 *
 * Two framings share the port and senders mix them, so, like rsyslog's imtcp, the
 * framing is chosen again at every frame start: a frame that starts with a non-zero
 * digit run followed by a space is octet-counted (`LEN SP MSG`, RFC 6587 §3.4.1);
 * anything else runs to the next LF (non-transparent framing, §3.4.2; a CR before
 * the LF is dropped too). Empty frames (blank lines, the LF some senders put after
 * an octet-counted frame) are skipped.
 *
 * A frame longer than `maxFrameBytes` is dropped, counted and reported, and the
 * decoder resynchronises: an octet-counted frame is skipped by its declared length,
 * an LF frame up to its LF. Nothing in `push` or `end` throws, whatever the bytes.
 */

const LF = 10;
const CR = 13;
const SPACE = 32;
const DIGIT_0 = 48;
/** Longest LEN we read as a length; longer digit runs are message text. */
const MAX_LENGTH_DIGITS = 9;
const EMPTY = new Uint8Array(0);

export interface FrameDecoderOptions {
  /** Largest frame kept, in bytes. Default 65,536. */
  maxFrameBytes?: number;
  /** Called once per dropped or cut frame, so the caller can log and count in one place. */
  onFrameError?: (error: FrameError) => void;
}

export interface FrameError {
  /** `oversized`: longer than maxFrameBytes, dropped. `truncated`: the stream ended inside an octet-counted frame. */
  kind: "oversized" | "truncated";
  /** Declared (octet-counted) or seen (LF) length in bytes; for `truncated`, the bytes that arrived. */
  bytes: number;
}

/** Counters since the decoder was made. */
export interface FrameDecoderStats {
  octetCountedFrames: number;
  lineFrames: number;
  oversizedFrames: number;
  truncatedFrames: number;
  /** Bytes dropped with oversized frames. */
  discardedBytes: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 65_536;

/**
 * Splits a TCP syslog byte stream into frames, octet-counted or LF-terminated.
 *
 * @example
 * const decoder = new SyslogFrameDecoder({ maxFrameBytes: 8192 });
 * for await (const chunk of socket) {
 *   for (const frame of decoder.push(chunk)) handle(frame);
 * }
 * for (const frame of decoder.end()) handle(frame);
 */
export class SyslogFrameDecoder {
  readonly maxFrameBytes: number;
  readonly stats: FrameDecoderStats = {
    octetCountedFrames: 0,
    lineFrames: 0,
    oversizedFrames: 0,
    truncatedFrames: 0,
    discardedBytes: 0,
  };
  private readonly onFrameError: ((error: FrameError) => void) | undefined;
  /** Bytes received but not yet framed. */
  private pending: Uint8Array = EMPTY;
  /** Bytes of an oversized octet-counted frame still to skip. */
  private skipOctets = 0;
  /** Skipping an oversized LF frame up to its LF. */
  private skipToLf = false;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 1 || max >= 10 ** MAX_LENGTH_DIGITS) {
      throw new RangeError(
        `SyslogFrameDecoder requires "maxFrameBytes" to be a whole number from 1 to 999999999, got ${max}`,
      );
    }
    this.maxFrameBytes = max;
    this.onFrameError = options.onFrameError;
  }

  /** Takes the next chunk of the stream; returns the frames it completes (copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let buffer = chunk;
    if (this.pending.length > 0) {
      buffer = new Uint8Array(this.pending.length + chunk.length);
      buffer.set(this.pending, 0);
      buffer.set(chunk, this.pending.length);
    }
    const end = this.frameAll(buffer, frames);
    // Keep the unframed tail; copy it so a large chunk is not kept alive by a view.
    this.pending = end < buffer.length ? buffer.slice(end) : EMPTY;
    return frames;
  }

  /**
   * The stream ended: a last LF frame without its LF is returned; a cut octet-counted
   * frame is returned as far as it arrived, and counted as truncated.
   */
  end(): Uint8Array[] {
    const rest = this.pending;
    this.pending = EMPTY;
    const skipping = this.skipOctets > 0 || this.skipToLf;
    this.skipOctets = 0;
    this.skipToLf = false;
    if (rest.length === 0 || skipping) return [];
    const header = this.readLength(rest, 0);
    if (header !== undefined && header.length !== undefined) {
      const body = rest.slice(header.bodyStart);
      this.stats.truncatedFrames++;
      this.report("truncated", body.length);
      return body.length > 0 ? [body] : [];
    }
    const line = trimCr(rest, 0, rest.length);
    if (line.length === 0) return [];
    if (line.length > this.maxFrameBytes) {
      this.dropOversized(line.length);
      return [];
    }
    this.stats.lineFrames++;
    return [line];
  }

  /** Frames everything complete in `buffer`; returns where the unframed rest starts. */
  private frameAll(buffer: Uint8Array, frames: Uint8Array[]): number {
    let pos = 0;
    while (pos < buffer.length) {
      if (this.skipOctets > 0) {
        const skipped = Math.min(this.skipOctets, buffer.length - pos);
        this.skipOctets -= skipped;
        pos += skipped;
        continue;
      }
      if (this.skipToLf) {
        const lf = buffer.indexOf(LF, pos);
        if (lf < 0) return buffer.length;
        this.skipToLf = false;
        pos = lf + 1;
        continue;
      }
      const first = buffer[pos];
      if (first === LF || first === CR) {
        pos++;
        continue;
      }
      const header = this.readLength(buffer, pos);
      if (header === undefined) return pos; // only digits so far: wait for the next byte
      if (header.length !== undefined) {
        if (header.length > this.maxFrameBytes) {
          this.dropOversized(header.length);
          this.skipOctets = header.length;
          pos = header.bodyStart;
          continue;
        }
        const frameEnd = header.bodyStart + header.length;
        if (frameEnd > buffer.length) return pos;
        frames.push(buffer.slice(header.bodyStart, frameEnd));
        this.stats.octetCountedFrames++;
        pos = frameEnd;
        continue;
      }
      const lf = buffer.indexOf(LF, pos);
      if (lf < 0) {
        if (buffer.length - pos > this.maxFrameBytes) {
          this.dropOversized(buffer.length - pos);
          this.skipToLf = true;
          return buffer.length;
        }
        return pos;
      }
      const line = trimCr(buffer, pos, lf);
      if (line.length > this.maxFrameBytes) this.dropOversized(line.length);
      else if (line.length > 0) {
        frames.push(line);
        this.stats.lineFrames++;
      }
      pos = lf + 1;
    }
    return pos;
  }

  /**
   * An octet count at `pos`: `{ length, bodyStart }`; `{}` when the frame is LF-framed;
   * undefined when only digits have arrived and the next byte decides.
   */
  private readLength(
    buffer: Uint8Array,
    pos: number,
  ): { length?: number; bodyStart: number } | undefined {
    const first = buffer[pos] ?? 0;
    if (first <= DIGIT_0 || first > DIGIT_0 + 9) return { bodyStart: pos };
    let length = 0;
    let i = pos;
    // Up to MAX_LENGTH_DIGITS digits, then the space.
    for (; i < buffer.length && i - pos <= MAX_LENGTH_DIGITS; i++) {
      const byte = buffer[i] ?? 0;
      if (byte === SPACE) return { length, bodyStart: i + 1 };
      if (byte < DIGIT_0 || byte > DIGIT_0 + 9) return { bodyStart: pos };
      length = length * 10 + (byte - DIGIT_0);
    }
    return i - pos > MAX_LENGTH_DIGITS ? { bodyStart: pos } : undefined;
  }

  private dropOversized(bytes: number): void {
    this.stats.oversizedFrames++;
    this.stats.discardedBytes += bytes;
    this.report("oversized", bytes);
  }

  private report(kind: FrameError["kind"], bytes: number): void {
    if (this.onFrameError === undefined) return;
    try {
      this.onFrameError({ kind, bytes });
    } catch {
      // The caller's logging must not break framing.
    }
  }
}

/** `buffer[start, end)` without a trailing CR, copied. */
function trimCr(buffer: Uint8Array, start: number, end: number): Uint8Array {
  return buffer.slice(start, end > start && buffer[end - 1] === CR ? end - 1 : end);
}

/**
 * Frames of an async stream of chunks (a socket, a file stream).
 *
 * @example
 * for await (const frame of decodeSyslogFrames(Bun.file("capture.bin").stream())) {
 *   console.log(parseSyslog(frame));
 * }
 */
export async function* decodeSyslogFrames(
  chunks: AsyncIterable<Uint8Array>,
  options: FrameDecoderOptions = {},
): AsyncGenerator<Uint8Array> {
  const decoder = new SyslogFrameDecoder(options);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  yield* decoder.end();
}

const encoder = new TextEncoder();

/**
 * One message as an octet-counted frame: `LEN SP MSG`, LEN in bytes.
 *
 * @example
 * encodeOctetCounted("<13>1 - - - - - - hi") // bytes of "20 <13>1 - - - - - - hi"
 */
export function encodeOctetCounted(message: string | Uint8Array): Uint8Array {
  const body = typeof message === "string" ? encoder.encode(message) : message;
  const prefix = encoder.encode(`${body.length} `);
  const frame = new Uint8Array(prefix.length + body.length);
  frame.set(prefix, 0);
  frame.set(body, prefix.length);
  return frame;
}
