/**
 * The audit log's rows: the newest page that passes the filters, then older
 * pages on demand ("Load older": `before` the last row's id). A new query
 * starts again from the newest page and aborts a request under way. The
 * page's view gets plain accessors; nothing here renders.
 */
import { batch, createEffect, createSignal, on } from "solid-js";
import { api } from "../api/client.ts";
import type { AuditView } from "../api/types.ts";
import type { AuditQuery } from "../pages/Audit/filters.ts";

/** Rows per request: a screen or two; older ones a click away. */
export const AUDIT_PAGE_ROWS = 100;

export type AuditPageFetcher = (
  query: AuditQuery,
  before: number | undefined,
  signal: AbortSignal,
) => Promise<AuditView[]>;

const fetchPage: AuditPageFetcher = (query, before, signal) =>
  api<AuditView[]>("/api/audit", {
    // One row more than a page: whether it comes says whether older rows exist.
    query: { ...query, limit: AUDIT_PAGE_ROWS + 1, ...(before ? { before } : {}) },
    signal,
  });

export interface AuditPages {
  /** The rows loaded so far, newest first; undefined until the newest page arrives. */
  rows(): readonly AuditView[] | undefined;
  /** No row older than those loaded passes the filters. */
  complete(): boolean;
  loading(): boolean;
  /** The last request's failure: the newest page's (no rows), or an older one's. */
  error(): unknown;
  loadOlder(): void;
  /** Ask again what failed: the newest page, or the older one. */
  retry(): void;
}

/**
 * @example
 * const pages = createAuditPages(() => auditQuery(filters(), zone()));
 * pages.loadOlder(); // the next AUDIT_PAGE_ROWS rows, older than the last shown
 */
export function createAuditPages(
  query: () => AuditQuery,
  fetcher: AuditPageFetcher = fetchPage,
): AuditPages {
  const [rows, setRows] = createSignal<readonly AuditView[]>();
  const [complete, setComplete] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let controller: AbortController | undefined;

  const load = async (current: AuditQuery, before: number | undefined) => {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    batch(() => {
      setLoading(true);
      setError(undefined);
    });
    try {
      const page = await fetcher(current, before, own.signal);
      if (own.signal.aborted) return;
      batch(() => {
        setRows([
          ...(before === undefined ? [] : (rows() ?? [])),
          ...page.slice(0, AUDIT_PAGE_ROWS),
        ]);
        setComplete(page.length <= AUDIT_PAGE_ROWS);
      });
    } catch (failure) {
      if (!own.signal.aborted) setError(failure);
    } finally {
      if (controller === own) setLoading(false);
    }
  };

  const start = (current: AuditQuery) => {
    batch(() => {
      setRows(undefined);
      setComplete(false);
    });
    void load(current, undefined);
  };
  createEffect(on(query, start));

  const loadOlder = () => {
    const last = rows()?.at(-1);
    if (!last || loading() || complete()) return;
    void load(query(), last.id);
  };
  return {
    rows,
    complete,
    loading,
    error,
    loadOlder,
    retry: () => (rows() ? loadOlder() : start(query())),
  };
}
