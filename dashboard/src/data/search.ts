/**
 * The search's data: result pages fetched by cursor as the table asks for
 * rows (never all at once), the histogram and top values of the same
 * filters, the lines around a hit, an evidence bundle's download, and the
 * streaming CSV/NDJSON export with its progress. The page's view gets plain
 * accessors; nothing here renders.
 */
import { batch, createEffect, createSignal, on } from "solid-js";
import { api, authorizedFetch } from "../api/client.ts";
import type {
  ContextResponse,
  EventHit,
  HistogramResponse,
  SearchResponse,
  TopField,
  TopResponse,
} from "../api/types.ts";
import type { SearchQuery } from "../pages/Search/state.ts";

/** Rows per request: big enough that scrolling rarely waits, small enough to answer fast. */
export const PAGE_ROWS = 500;
/** The first page is smaller: a screen of rows draws sooner, the next page follows at once. */
export const FIRST_PAGE_ROWS = 100;

export type PageFetcher = (
  query: SearchQuery,
  cursor: string | undefined,
  signal: AbortSignal,
) => Promise<SearchResponse>;

const fetchPage: PageFetcher = (query, cursor, signal) =>
  api<SearchResponse>("/api/search", {
    query: { ...query, ...(cursor ? { limit: PAGE_ROWS, cursor } : { limit: FIRST_PAGE_ROWS }) },
    signal,
  });

export interface ResultPages {
  /** The rows loaded so far, newest first. */
  rows(): readonly EventHit[];
  /** No more pages after these rows. */
  complete(): boolean;
  loading(): boolean;
  error(): unknown;
  /** Ask for rows up to `count` (the table's visible end): pages load one after another until then. */
  want(count: number): void;
  /** Start again from the first page (after an error). */
  retry(): void;
}

/**
 * The result pages of `query()`: the first page at once, the next ones when
 * the table asks for rows past those loaded. A new query drops the old
 * pages (and aborts a request under way).
 *
 * @example
 * const pages = createResultPages(() => searchQuery(state(), nowMs()));
 * pages.want(1200); // scrolled to row 1200: pages 2 and 3 load
 */
export function createResultPages(
  query: () => SearchQuery | undefined,
  fetcher: PageFetcher = fetchPage,
): ResultPages {
  const [rows, setRows] = createSignal<readonly EventHit[]>([]);
  const [complete, setComplete] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let wanted = PAGE_ROWS;
  let cursor: string | undefined;
  let controller: AbortController | undefined;

  const loadMore = async (current: SearchQuery, own: AbortController) => {
    setLoading(true);
    try {
      while (!own.signal.aborted && !complete() && rows().length < wanted) {
        const page = await fetcher(current, cursor, own.signal);
        if (own.signal.aborted) return;
        cursor = page.next_cursor;
        batch(() => {
          setRows([...rows(), ...page.hits]);
          if (!page.next_cursor) setComplete(true);
        });
      }
    } catch (failure) {
      if (!own.signal.aborted) setError(failure);
    } finally {
      if (controller === own) setLoading(false);
    }
  };

  const start = (current: SearchQuery | undefined) => {
    controller?.abort();
    cursor = undefined;
    wanted = PAGE_ROWS;
    batch(() => {
      setRows([]);
      setComplete(false);
      setError(undefined);
    });
    if (!current) return;
    controller = new AbortController();
    void loadMore(current, controller);
  };
  createEffect(on(query, start));

  return {
    rows,
    complete,
    loading,
    error,
    want(count) {
      wanted = Math.max(wanted, count);
      const current = query();
      if (!current || loading() || complete() || error() || rows().length >= wanted) return;
      controller = new AbortController();
      void loadMore(current, controller);
    },
    retry: () => start(query()),
  };
}

export function loadHistogram(query: SearchQuery, buckets: number): Promise<HistogramResponse> {
  return api<HistogramResponse>("/api/search/histogram", { query: { ...query, buckets } });
}

/**
 * The `limit` most frequent values of a field. Lines without the field count
 * as a `null` value, which is nothing to pick: one more is asked for, so
 * that `limit` values remain when `null` is among them.
 */
export async function loadTop(
  query: SearchQuery,
  field: TopField,
  limit = 8,
): Promise<TopResponse> {
  const answer = await api<TopResponse>("/api/search/top", {
    query: { ...query, field, limit: limit + 1 },
  });
  return {
    ...answer,
    values: answer.values.filter((entry) => entry.value !== null).slice(0, limit),
  };
}

/** The same agent's lines around a hit. */
export function loadContext(hit: EventHit, around = 10): Promise<ContextResponse> {
  return api<ContextResponse>("/api/search/context", {
    query: { agent: hit.agent, seq: hit.seq, at: hit.received_at, before: around, after: around },
  });
}

/** Hand a blob to the browser as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The file name the hub gives in `content-disposition`, or `fallback`. */
function fileNameOf(response: Response, fallback: string): string {
  const header = response.headers.get("content-disposition") ?? "";
  return /filename="([^"]+)"/.exec(header)?.[1] ?? fallback;
}

/** The path of the evidence bundle of the chunk that holds a hit (GET /api/export). */
export function chunkExportPath(hit: Pick<EventHit, "hotel" | "agent" | "chunk">): string {
  const params = new URLSearchParams({ chunk: hit.chunk, agent: hit.agent, hotel: hit.hotel });
  return `/api/export?${params}`;
}

/** Download the evidence bundle of a hit's chunk (the access token is in a header, so not a plain link). */
export async function downloadChunk(hit: EventHit): Promise<void> {
  const response = await authorizedFetch("/api/export", {
    query: { chunk: hit.chunk, agent: hit.agent, hotel: hit.hotel },
    accept: "application/gzip",
  });
  saveBlob(await response.blob(), fileNameOf(response, `logmaster-export-${hit.chunk}.tar.gz`));
}

export type ExportFormat = "csv" | "ndjson";

export interface ExportProgress {
  bytes: number;
  rows: number;
  done: boolean;
}

/**
 * Read an export's body as it streams: bytes and rows counted after each
 * piece (`onProgress`), the pieces kept for the file. Rows are lines (the
 * CSV's header line not counted; the hub writes no line break inside a field
 * of a RouterOS line).
 */
export async function readExport(
  body: ReadableStream<Uint8Array>,
  format: ExportFormat,
  onProgress: (progress: ExportProgress) => void,
  signal?: AbortSignal,
): Promise<Blob> {
  const reader = body.getReader();
  // Cancelled: stop reading at once (the pending read ends) and say so.
  const stop = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", stop, { once: true });
  const parts: Uint8Array[] = [];
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (signal?.aborted) throw new DOMException("the export was cancelled", "AbortError");
    if (done) break;
    parts.push(value);
    bytes += value.byteLength;
    for (const byte of value) if (byte === 10) lines++;
    onProgress({ bytes, rows: format === "csv" ? Math.max(0, lines - 1) : lines, done: false });
  }
  signal?.removeEventListener("abort", stop);
  onProgress({ bytes, rows: format === "csv" ? Math.max(0, lines - 1) : lines, done: true });
  return new Blob(parts as BlobPart[], {
    type: format === "csv" ? "text/csv;charset=utf-8" : "application/x-ndjson",
  });
}

export type ExportOpener = (
  query: SearchQuery,
  format: ExportFormat,
  signal: AbortSignal,
) => Promise<Response>;

export const openExport: ExportOpener = (query, format, signal) =>
  authorizedFetch("/api/search/export", {
    query: { ...query, format },
    accept: format === "csv" ? "text/csv" : "application/x-ndjson",
    signal,
  });

/**
 * Export every hit of `query` to a file, with progress; abort `signal` to cancel.
 *
 * @example
 * await exportEvents(query, "csv", controller.signal, (p) => console.log(p.rows));
 */
export async function exportEvents(
  query: SearchQuery,
  format: ExportFormat,
  signal: AbortSignal,
  onProgress: (progress: ExportProgress) => void,
  open: ExportOpener = openExport,
  save: (blob: Blob, name: string) => void = saveBlob,
): Promise<void> {
  const response = await open(query, format, signal);
  if (!response.body) throw new Error("the export has no body");
  const blob = await readExport(response.body, format, onProgress, signal);
  save(blob, fileNameOf(response, `logmaster-search.${format}`));
}

/** One field's top values: loading, loaded or failed. */
export interface TopState {
  values?: TopResponse["values"];
  error?: unknown;
}

/**
 * The top values of the fields the sidebar has open, for `query()`: loaded
 * when a field opens, again for each new query.
 *
 * @example
 * const top = createTopValues(query, ["hotel", "dataset"]);
 * top.open("user", true); // loads the users' top values
 */
export function createTopValues(
  query: () => SearchQuery | undefined,
  initiallyOpen: readonly TopField[],
  loader: (query: SearchQuery, field: TopField) => Promise<TopResponse> = loadTop,
  /** Whether to load now (the search page waits for its histogram, so rows and total draw first). */
  ready: () => boolean = () => true,
) {
  const [opened, setOpened] = createSignal<ReadonlySet<TopField>>(new Set(initiallyOpen));
  const [answers, setAnswers] = createSignal<Partial<Record<TopField, TopState>>>({});
  let asked = new Set<TopField>();
  let generation = 0;
  createEffect(
    on(query, () => {
      generation++;
      asked = new Set();
      setAnswers({});
    }),
  );
  createEffect(() => {
    const current = query();
    const fields = opened();
    if (!current || !ready()) return;
    const mine = generation;
    for (const field of fields) {
      if (asked.has(field)) continue;
      asked.add(field);
      loader(current, field).then(
        (answer) => {
          if (mine === generation)
            setAnswers((all) => ({ ...all, [field]: { values: answer.values } }));
        },
        (error: unknown) => {
          if (mine === generation) setAnswers((all) => ({ ...all, [field]: { error } }));
        },
      );
    }
  });
  return {
    isOpen: (field: TopField) => opened().has(field),
    open(field: TopField, open: boolean) {
      const next = new Set(opened());
      if (open) next.add(field);
      else next.delete(field);
      setOpened(next);
    },
    state: (field: TopField): TopState | undefined => answers()[field],
  };
}
export type TopValues = ReturnType<typeof createTopValues>;
