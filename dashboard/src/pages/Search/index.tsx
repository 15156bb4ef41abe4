/**
 * The search page's data: the state from the URL's query string (so a link
 * reopens it), the query it makes at "now" (a relative range is fixed when
 * the search runs), and the stores that answer it — result pages by cursor,
 * the histogram, top values, the lines around a chosen hit. The view
 * (./Search.tsx) gets plain props and callbacks that write the URL.
 */
import { useLocation, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, type JSX, on } from "solid-js";
import { api } from "../../api/client.ts";
import type { HotelOverview } from "../../api/types.ts";
import { me } from "../../auth/session.ts";
import { disclosePack, mayDisclose } from "../../data/disclose.ts";
import { createSavedSearches } from "../../data/saved-searches.ts";
import {
  chunkExportPath,
  createResultPages,
  createTopValues,
  downloadChunk,
  exportEvents,
  loadContext,
  loadHistogram,
  loadTop,
} from "../../data/search.ts";
import { OPEN_AT_START } from "./FieldSidebar.tsx";
import { Search } from "./Search.tsx";
import {
  parseSearchState,
  resolveRange,
  type SearchState,
  searchQuery,
  searchStateParams,
  searchStateQuery,
} from "./state.ts";

/** About this many bars in the histogram. */
const HISTOGRAM_BUCKETS = 80;

export default function SearchPage(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const state = createMemo(() => parseSearchState({ ...params }), undefined, {
    equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });
  const [nowMs, setNowMs] = createSignal(Date.now());
  // A new search in the URL: "the last hour" is the last hour from now.
  createEffect(
    on(
      () => location.search,
      () => setNowMs(Date.now()),
      { defer: true },
    ),
  );
  const query = createMemo(() => searchQuery(state(), nowMs()), undefined, {
    equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });
  const range = () => resolveRange(state().range, nowMs());

  const pages = createResultPages(query);
  const [histogram, { refetch: reloadHistogram }] = createResource(query, (current) =>
    loadHistogram(current, HISTOGRAM_BUCKETS),
  );
  // The sidebar's top values wait for the histogram and the first rows: those draw first
  // (PGlite answers one query at a time; four top-value queries ahead of the rows cost 0.5 s).
  const top = createTopValues(
    query,
    OPEN_AT_START,
    loadTop,
    () => !histogram.loading && (pages.rows().length > 0 || !pages.loading()),
  );
  const [hotels] = createResource(() => api<HotelOverview[]>("/api/hotels").catch(() => []));
  const saved = createSavedSearches();

  const [selected, setSelected] = createSignal<number>();
  const selectedHit = () => {
    const index = selected();
    return index === undefined ? undefined : pages.rows()[index];
  };
  const [context] = createResource(selectedHit, (hit) => loadContext(hit));
  // A new search closes the detail of a row of the old one.
  createEffect(on(query, () => setSelected(undefined), { defer: true }));

  const update = (next: SearchState) => setParams(searchStateParams(next));
  const shareUrl = () => {
    const { fromMs, toMs } = range();
    const fixed: SearchState = {
      ...state(),
      range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    };
    return `${globalThis.location?.origin ?? ""}/search${searchStateQuery(fixed)}`;
  };

  return (
    <Search
      state={state()}
      query={query()}
      fromMs={range().fromMs}
      toMs={range().toMs}
      hotels={hotels.latest ?? []}
      rows={pages.rows()}
      complete={pages.complete()}
      loading={pages.loading()}
      error={pages.error()}
      histogram={histogram.error ? undefined : histogram.latest}
      histogramLoading={histogram.loading}
      histogramError={histogram.error}
      top={top}
      selected={selected()}
      selectedHit={selectedHit()}
      context={{
        data: context.error ? undefined : context.latest,
        loading: context.loading,
        error: context.error,
      }}
      shareUrl={shareUrl}
      saved={{ store: saved, query: () => searchStateQuery(state()).replace(/^\?/, "") }}
      onWant={(end) => pages.want(end)}
      onChange={(next) => {
        update(next);
        setNowMs(Date.now());
      }}
      onRetry={() => {
        pages.retry();
        void reloadHistogram();
      }}
      onSelect={setSelected}
      chunkPath={chunkExportPath}
      onDownloadChunk={downloadChunk}
      onExport={(format, signal, onProgress) => exportEvents(query(), format, signal, onProgress)}
      disclose={(() => {
        const role = me()?.role;
        return role && mayDisclose(role) ? disclosePack : undefined;
      })()}
    />
  );
}
