/**
 * The search's state, which lives in the URL's query string so a copied
 * link reopens the same search: free text, field filters (chips), the time
 * range (relative or absolute) and the table's columns. Pure functions:
 * parse a query string, write one back, and turn the state into the API's
 * query for a moment "now".
 */

/** The API's field filters a chip can set (hub/src/query/request.ts `eventFilterFields`). */
export const FILTER_FIELDS = [
  "ip",
  "mac",
  "port",
  "user",
  "host",
  "nat",
  "severity",
  "topics",
  "datasets",
  "hotels",
  "agents",
  "devices",
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** Fields that take several values (the API's comma lists); the others take one. */
const LIST_FIELDS: ReadonlySet<FilterField> = new Set([
  "topics",
  "datasets",
  "hotels",
  "agents",
  "devices",
]);
export const isListField = (field: FilterField) => LIST_FIELDS.has(field);

export interface Chip {
  field: FilterField;
  value: string;
}

export const RELATIVE_RANGES = ["15m", "1h", "24h", "7d", "30d"] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];
const RELATIVE_MS: Record<RelativeRange, number> = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** The last N minutes/hours/days up to now, or two instants (ISO, UTC). */
export type TimeRange = { last: RelativeRange } | { from: string; to: string };

/** The result table's columns, in the order they show. */
export const COLUMNS = [
  "time",
  "hotel",
  "host",
  "device",
  "severity",
  "dataset",
  "action",
  "src_ip",
  "src_mac",
  "dst_ip",
  "dst_port",
  "nat",
  "user",
  "raw",
] as const;
export type ColumnId = (typeof COLUMNS)[number];
export const DEFAULT_COLUMNS: readonly ColumnId[] = ["time", "hotel", "src_ip", "user", "raw"];

export interface SearchState {
  text: string;
  chips: Chip[];
  range: TimeRange;
  columns: ColumnId[];
}

export const DEFAULT_RANGE: TimeRange = { last: "1h" };

type Params = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(",") : (value ?? "");
const isIso = (text: string) =>
  /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && Number.isFinite(Date.parse(text));

/**
 * The state a URL's query string holds; what is missing or wrong takes its default.
 *
 * @example
 * parseSearchState({ q: "assigned", ip: "10.5.0.0/16", range: "24h" });
 */
export function parseSearchState(params: Params): SearchState {
  const chips: Chip[] = [];
  for (const field of FILTER_FIELDS) {
    const value = one(params[field]).trim();
    if (!value) continue;
    const values = isListField(field) ? value.split(",").filter(Boolean) : [value];
    for (const item of values) chips.push({ field, value: item });
  }
  const last = one(params.range) as RelativeRange;
  const from = one(params.from);
  const to = one(params.to);
  const range: TimeRange =
    isIso(from) && isIso(to) && Date.parse(from) < Date.parse(to)
      ? { from: new Date(from).toISOString(), to: new Date(to).toISOString() }
      : RELATIVE_RANGES.includes(last)
        ? { last }
        : DEFAULT_RANGE;
  const columns = one(params.cols)
    .split(",")
    .filter((column): column is ColumnId => (COLUMNS as readonly string[]).includes(column));
  return {
    text: one(params.q),
    chips,
    range,
    columns: columns.length > 0 ? columns : [...DEFAULT_COLUMNS],
  };
}

/**
 * The query string's keys for a state, every key of the search present
 * (undefined: remove it), so the router's merge replaces the whole state.
 */
export function searchStateParams(state: SearchState): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  out.q = state.text.trim() || undefined;
  for (const field of FILTER_FIELDS) {
    const values = state.chips.filter((chip) => chip.field === field).map((chip) => chip.value);
    out[field] = values.length > 0 ? values.join(",") : undefined;
  }
  const range = state.range;
  out.range = "last" in range ? range.last : undefined;
  out.from = "from" in range ? range.from : undefined;
  out.to = "to" in range ? range.to : undefined;
  const defaults = state.columns.join(",") === DEFAULT_COLUMNS.join(",");
  out.cols = defaults ? undefined : state.columns.join(",");
  return out;
}

/** `?q=…&ip=…`: the state as a query string (for a share link). */
export function searchStateQuery(state: SearchState): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchStateParams(state)))
    if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The instants a range covers at `nowMs`. */
export function resolveRange(range: TimeRange, nowMs: number): { fromMs: number; toMs: number } {
  if ("last" in range) return { fromMs: nowMs - RELATIVE_MS[range.last], toMs: nowMs };
  return { fromMs: Date.parse(range.from), toMs: Date.parse(range.to) };
}

/** The API's filters for a state at `nowMs` (GET /api/search and its siblings). */
export type SearchQuery = Record<string, string>;

export function searchQuery(state: SearchState, nowMs: number): SearchQuery {
  const { fromMs, toMs } = resolveRange(state.range, nowMs);
  const query: SearchQuery = {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
  };
  if (state.text.trim()) query.text = state.text.trim();
  for (const field of FILTER_FIELDS) {
    const values = state.chips.filter((chip) => chip.field === field).map((chip) => chip.value);
    if (values.length > 0) query[field] = values.join(",");
  }
  return query;
}

/**
 * The state with a chip added: a one-value field's chip replaces its old
 * one; a list field's chip joins the others (once).
 */
export function withChip(state: SearchState, chip: Chip): SearchState {
  const value = chip.value.trim();
  if (!value) return state;
  const kept = state.chips.filter((old) =>
    isListField(chip.field)
      ? !(old.field === chip.field && old.value === value)
      : old.field !== chip.field,
  );
  return { ...state, chips: [...kept, { field: chip.field, value }] };
}

export function withoutChip(state: SearchState, chip: Chip): SearchState {
  return {
    ...state,
    chips: state.chips.filter((old) => !(old.field === chip.field && old.value === chip.value)),
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const isIp = (text: string) =>
  IPV4.test(text) || (text.includes(":") && /^[0-9a-f:.]+$/i.test(text));
/** Syslog severities, most severe first (shared/src/syslog/header/pri.ts). */
export const SEVERITY_NAMES = [
  "emerg",
  "alert",
  "crit",
  "err",
  "warning",
  "notice",
  "info",
  "debug",
];

/**
 * Whether a chip's value is one the API takes (the same rules as its
 * schemas, checked before asking): the message key of the problem, or undefined.
 */
export function chipProblem(
  chip: Chip,
):
  | "search.invalid.ip"
  | "search.invalid.mac"
  | "search.invalid.port"
  | "search.invalid.nat"
  | "search.invalid.severity"
  | "search.invalid.device"
  | undefined {
  const value = chip.value.trim();
  switch (chip.field) {
    case "ip": {
      const [address = "", bits, extra] = value.split("/");
      const max = IPV4.test(address) ? 32 : 128;
      const ok =
        extra === undefined &&
        isIp(address) &&
        (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
      return ok ? undefined : "search.invalid.ip";
    }
    case "mac":
      return /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i.test(value)
        ? undefined
        : "search.invalid.mac";
    case "port":
      return /^\d{1,5}$/.test(value) && Number(value) <= 65_535 ? undefined : "search.invalid.port";
    case "nat": {
      if (isIp(value)) return undefined;
      const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(value) ?? /^([^:]+):(\d{1,5})$/.exec(value);
      return match && isIp(match[1] ?? "") && Number(match[2]) <= 65_535
        ? undefined
        : "search.invalid.nat";
    }
    case "severity":
      return SEVERITY_NAMES.includes(value) || /^[0-7]$/.test(value)
        ? undefined
        : "search.invalid.severity";
    case "devices":
      return isIp(value) ? undefined : "search.invalid.device";
    default:
      return undefined;
  }
}
