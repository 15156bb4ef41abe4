/** Decimal integers as RouterOS prints them (lengths, ICMP types, signal strengths). */

/** A non-negative decimal integer, or undefined. */
export function parseUnsigned(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(text);
}

/** A signed decimal integer such as `-62`, or undefined. */
export function parseSignedInteger(text: string): number | undefined {
  const negative = text.startsWith("-");
  const magnitude = parseUnsigned(negative ? text.slice(1) : text);
  if (magnitude === undefined) return undefined;
  return negative ? -magnitude : magnitude;
}
