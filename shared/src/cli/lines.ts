/**
 * Split a byte stream into lines without decoding it: syslog lines are not
 * always valid UTF-8, and the parser wants the exact bytes of each one.
 * A trailing `\r` is dropped (files written on Windows or by `logger`).
 *
 * @example
 * for await (const line of readLines(Bun.stdin.stream())) parseSyslog(line);
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  let pending = new Uint8Array(0);
  for await (const chunk of stream) {
    let buffer = pending.length === 0 ? chunk : concat(pending, chunk);
    let start = 0;
    for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, start)) {
      yield trimCarriageReturn(buffer.subarray(start, newline));
      start = newline + 1;
    }
    buffer = buffer.subarray(start);
    // A line longer than any syslog sender makes is cut into pieces, not buffered forever.
    while (buffer.length > maxLineBytes) {
      yield buffer.subarray(0, maxLineBytes);
      buffer = buffer.subarray(maxLineBytes);
    }
    pending = buffer.slice();
  }
  if (pending.length > 0) yield trimCarriageReturn(pending);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

function trimCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
}
