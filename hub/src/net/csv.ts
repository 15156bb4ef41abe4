/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break. Every
 * CSV the hub writes (compliance report, search export, audit log) uses it.
 *
 * @example
 * csvField('say "hi", then go'); // "\"say \"\"hi\"\", then go\""
 */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
