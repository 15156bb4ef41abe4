import { readSync } from "node:fs";

/**
 * Read `length` bytes of an open file from `offset`, looping until they are all
 * in (a positional read may return less) or the file ends: the result is
 * shorter than `length` only at the end of the file.
 *
 * @example
 * const entries = readRange(indexFd, firstEntry * INDEX_ENTRY_BYTES, count * INDEX_ENTRY_BYTES);
 */
export function readRange(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? out : out.subarray(0, done);
}
