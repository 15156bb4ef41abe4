/** The chunk address of the protocol: `YYYY-MM-DDTHH` (UTC). */
const HOUR_PATH = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

export interface ChunkHour {
  /** As in the URL: `2025-01-15T10`. */
  path: string;
  /** As in manifests: `2025-01-15T10:00:00Z`. */
  hourStart: string;
  date: Date;
}

/** Parse a URL hour; undefined when it is not a real calendar hour. */
export function parseChunkHour(path: string): ChunkHour | undefined {
  if (!HOUR_PATH.test(path)) return undefined;
  const hourStart = `${path}:00:00Z`;
  const date = new Date(hourStart);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 13) !== path) return undefined;
  return { path, hourStart, date };
}
