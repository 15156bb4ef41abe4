/** Byte helpers shared by the canonical-form checks. */

/** Index of the first byte where `a` and `b` differ, or -1 when they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : common;
}

/** A short, printable excerpt of bytes around `offset`, for error messages. */
export function excerptAt(bytes: Uint8Array, offset: number, radius = 16): string {
  const from = Math.max(0, offset - radius);
  const text = new TextDecoder().decode(bytes.subarray(from, offset + radius));
  return JSON.stringify(text);
}

/**
 * Why `actual` is not the canonical `expected`, in one sentence naming the
 * first differing byte, or undefined when they are equal.
 */
export function describeNonCanonical(actual: Uint8Array, expected: Uint8Array): string | undefined {
  // Native comparison first: verifiers run this on every line of every chunk.
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected))
    return undefined;
  const at = firstDifference(actual, expected);
  return `differs from the canonical form at byte ${at}: found ${excerptAt(actual, at)}, canonical is ${excerptAt(expected, at)}`;
}
