/**
 * The search page's view: the query bar, the histogram, the field sidebar
 * beside the virtualised results, the detail of a chosen row, the share
 * link, the export and the disclosure pack. Plain props in, the new state out (`onChange`): the
 * page (./index.tsx) writes it to the URL.
 */
import "./search.css";
import { createSignal, type JSX, Match, Show, Switch } from "solid-js";
import type {
  ContextResponse,
  DiscloseRequest,
  EventHit,
  HistogramResponse,
  HotelOverview,
} from "../../api/types.ts";
import { EmptyState, ErrorState } from "../../components/States.tsx";
import type { DisclosedPack } from "../../data/disclose.ts";
import type { ExportFormat, ExportProgress, TopValues } from "../../data/search.ts";
import { formatNumber, t } from "../../i18n/index.ts";
import { ExportButton } from "./ExportButton.tsx";
import { FieldSidebar } from "./FieldSidebar.tsx";
import { Histogram } from "./Histogram.tsx";
import { QueryBar } from "./QueryBar.tsx";
import { ColumnChooser, ResultTable } from "./ResultTable.tsx";
import { RowDetail } from "./RowDetail.tsx";
import { SavedSearches, type SavedSearchesProps } from "./SavedSearches.tsx";
import { SearchDisclosure } from "./SearchDisclosure.tsx";
import { type SearchQuery, type SearchState, withChip, withoutChip } from "./state.ts";

export interface SearchProps {
  state: SearchState;
  /** The API's query of the state (its range fixed at the search's "now"). */
  query: SearchQuery;
  fromMs: number;
  toMs: number;
  hotels: readonly HotelOverview[];
  rows: readonly EventHit[];
  complete: boolean;
  loading: boolean;
  error: unknown;
  histogram: HistogramResponse | undefined;
  histogramLoading: boolean;
  histogramError: unknown;
  top: TopValues;
  selected: number | undefined;
  selectedHit: EventHit | undefined;
  context: { data?: ContextResponse; loading: boolean; error?: unknown };
  /** The person's saved searches and the query string a save keeps. */
  saved: SavedSearchesProps;
  /** The link that reopens this search (its range fixed to the instants shown). */
  shareUrl(): string;
  onWant(end: number): void;
  onChange(next: SearchState): void;
  onRetry(): void;
  onSelect(index: number | undefined): void;
  chunkPath(hit: EventHit): string;
  onDownloadChunk(hit: EventHit): Promise<void>;
  onExport(
    format: ExportFormat,
    signal: AbortSignal,
    onProgress: (progress: ExportProgress) => void,
  ): Promise<void>;
  /** Make and save a disclosure pack of the search; absent when the role may not. */
  disclose?: ((request: DiscloseRequest) => Promise<DisclosedPack>) | undefined;
}

function ShareLink(props: { url: () => string }): JSX.Element {
  const [shown, setShown] = createSignal<string>();
  const [copied, setCopied] = createSignal(false);
  const open = async () => {
    const url = props.url();
    setShown(url);
    setCopied(false);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // no clipboard (permission, older browser): the field below is selected to copy by hand
    }
  };
  return (
    <div class="share">
      <button type="button" class="button" onClick={() => void open()}>
        {t("search.share.button")}
      </button>
      <Show when={shown()}>
        {(url) => (
          <div class="share-panel">
            <label class="search-field">
              <span>{copied() ? t("search.share.copied") : t("search.share.copy")}</span>
              <input
                type="text"
                readOnly
                value={url()}
                class="share-url"
                ref={(input) => queueMicrotask(() => input.select())}
              />
            </label>
            <button type="button" class="button-link" onClick={() => setShown(undefined)}>
              {t("search.detail.close")}
            </button>
          </div>
        )}
      </Show>
    </div>
  );
}

export function Search(props: SearchProps): JSX.Element {
  const [sidebarOpen, setSidebarOpen] = createSignal(false);
  const hotelName = (id: string) => props.hotels.find((hotel) => hotel.id === id)?.name ?? id;
  const count = () => {
    if (props.complete) return props.rows.length;
    return Math.max(props.rows.length + 1, props.histogram?.total ?? 0);
  };
  const closeDetail = () => {
    const index = props.selected;
    props.onSelect(undefined);
    if (index !== undefined)
      queueMicrotask(() =>
        document.querySelector<HTMLElement>(`.result-row[aria-rowindex="${index + 2}"]`)?.focus(),
      );
  };
  const pick = (filter: Parameters<typeof withChip>[1]["field"] | "text", value: string) => {
    if (filter === "text") {
      const word = /\s/.test(value) ? `"${value}"` : value;
      props.onChange({ ...props.state, text: `${props.state.text} ${word}`.trim() });
    } else props.onChange(withChip(props.state, { field: filter, value }));
  };
  return (
    <section class="page search-page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t("search.title")}</h1>
        <div class="page-actions search-actions">
          <SavedSearches store={props.saved.store} query={props.saved.query} />
          <ShareLink url={props.shareUrl} />
          <ExportButton expected={props.histogram?.total} run={props.onExport} />
          <Show when={props.disclose}>
            {(disclose) => (
              <SearchDisclosure
                query={props.query}
                total={props.histogram?.total}
                hotels={props.hotels}
                disclose={disclose()}
              />
            )}
          </Show>
        </div>
      </header>
      <QueryBar
        text={props.state.text}
        chips={props.state.chips}
        range={props.state.range}
        fromMs={props.fromMs}
        toMs={props.toMs}
        hotels={props.hotels}
        onRun={(text) => props.onChange({ ...props.state, text })}
        onAddChip={(chip) => props.onChange(withChip(props.state, chip))}
        onRemoveChip={(chip) => props.onChange(withoutChip(props.state, chip))}
        onRange={(range) => props.onChange({ ...props.state, range })}
      />
      <Show
        when={!props.histogramError}
        fallback={<p class="field-problem small">{t("search.histogram.failed")}</p>}
      >
        <Histogram
          histogram={props.histogram}
          fromMs={props.fromMs}
          toMs={props.toMs}
          loading={props.histogramLoading}
          onZoom={(fromMs, toMs) =>
            props.onChange({
              ...props.state,
              range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
            })
          }
        />
      </Show>
      <div class="search-body">
        <FieldSidebar top={props.top} hotelName={hotelName} onPick={pick} open={sidebarOpen()} />
        <div class="search-results">
          <div class="results-bar">
            <button
              type="button"
              class="button sidebar-toggle"
              aria-expanded={sidebarOpen()}
              aria-controls="search-fields"
              onClick={() => setSidebarOpen(!sidebarOpen())}
            >
              {sidebarOpen() ? t("search.fields.hide") : t("search.fields.show")}
            </button>
            <p class="results-count" aria-live="polite">
              <Switch>
                <Match when={props.complete}>
                  <span>
                    {t("search.results.count", { count: formatNumber(props.rows.length) })}
                  </span>
                </Match>
                <Match when={props.histogram}>
                  {(shown) => (
                    <span>
                      {t("search.results.loaded", {
                        count: formatNumber(props.rows.length),
                        total: formatNumber(shown().total),
                      })}
                    </span>
                  )}
                </Match>
                <Match when={props.loading}>
                  <span>{t("state.loading")}</span>
                </Match>
              </Switch>
            </p>
            <ColumnChooser
              columns={props.state.columns}
              onChange={(columns) => props.onChange({ ...props.state, columns })}
            />
          </div>
          <Switch>
            <Match when={props.error && props.rows.length === 0}>
              <ErrorState error={props.error} retry={props.onRetry} />
            </Match>
            <Match when={props.complete && props.rows.length === 0}>
              <EmptyState title={t("search.empty.title")}>
                <p>{t("search.empty.body")}</p>
              </EmptyState>
            </Match>
            <Match when={true}>
              <ResultTable
                count={count()}
                rowAt={(index) => props.rows[index]}
                columns={props.state.columns}
                hotelName={hotelName}
                onWant={props.onWant}
                onOpen={(index) => props.onSelect(index)}
                selected={props.selected}
              />
              <Show when={props.error}>
                <ErrorState error={props.error} retry={props.onRetry} />
              </Show>
            </Match>
          </Switch>
        </div>
      </div>
      <Show when={props.selectedHit}>
        {(hit) => (
          <RowDetail
            hit={hit()}
            context={props.context}
            hotelName={hotelName}
            chunkPath={props.chunkPath(hit())}
            onDownloadChunk={() => props.onDownloadChunk(hit())}
            onClose={closeDetail}
          />
        )}
      </Show>
    </section>
  );
}
