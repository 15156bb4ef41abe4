/**
 * One hit in a side panel: its parsed fields, the raw line, the lines the
 * same agent received around it (the hit marked), and the chunk whose
 * evidence bundle proves it. Escape closes it and gives focus back.
 */
import { createSignal, For, type JSX, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { ContextResponse, EventHit } from "../../api/types.ts";
import { ErrorState, Loading } from "../../components/States.tsx";
import { formatDateTime, t } from "../../i18n/index.ts";
import { rowTime } from "./ResultTable.tsx";
import { SEVERITY_NAMES } from "./state.ts";

/** The parsed fields shown, in order (null ones left out). */
const DETAIL_FIELDS = [
  "hotel",
  "agent",
  "device",
  "host",
  "severity",
  "dataset",
  "topics",
  "action",
  "protocol",
  "src_ip",
  "src_port",
  "src_mac",
  "dst_ip",
  "dst_port",
  "nat_ip",
  "nat_port",
  "user",
  "logged_at",
] as const satisfies readonly (keyof EventHit)[];

export interface RowDetailProps {
  hit: EventHit;
  context: { data?: ContextResponse; loading: boolean; error?: unknown };
  hotelName(id: string): string;
  /** The bundle's address (shown; the download sends the token). */
  chunkPath: string;
  onDownloadChunk(): Promise<void>;
  onClose(): void;
}

function fieldText(
  hit: EventHit,
  field: (typeof DETAIL_FIELDS)[number],
  hotelName: (id: string) => string,
) {
  const value = hit[field];
  if (value === null || value === undefined) return undefined;
  if (field === "hotel") return `${hotelName(hit.hotel)} (${hit.hotel})`;
  if (field === "severity") return SEVERITY_NAMES[hit.severity ?? -1] ?? String(value);
  if (field === "logged_at") return formatDateTime(String(value));
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** A chunk id (`2026-12-03T07`, UTC, or `.N` for a part) as its hour in the chosen zone. */
function chunkHour(chunk: string): string {
  const startMs = Date.parse(`${chunk.slice(0, 13)}:00:00Z`);
  return Number.isFinite(startMs) ? formatDateTime(startMs) : chunk;
}

function ContextLine(props: { hit: EventHit; current?: boolean }): JSX.Element {
  return (
    <li
      class="context-line"
      classList={{ current: props.current }}
      aria-current={props.current ? "true" : undefined}
    >
      <span class="context-time mono">{rowTime(props.hit)}</span>
      <span class="context-seq mono" title={t("search.detail.seq")}>
        #{props.hit.seq}
      </span>
      <span class="context-raw mono">{props.hit.raw}</span>
    </li>
  );
}

export function RowDetail(props: RowDetailProps): JSX.Element {
  const [downloading, setDownloading] = createSignal(false);
  const [downloadError, setDownloadError] = createSignal<unknown>();
  let closeButton: HTMLButtonElement | undefined;
  onMount(() => closeButton?.focus());
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      props.onClose();
    }
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));
  const download = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      await props.onDownloadChunk();
    } catch (error) {
      setDownloadError(error);
    } finally {
      setDownloading(false);
    }
  };
  return (
    <aside class="row-detail" role="dialog" aria-modal="false" aria-labelledby="row-detail-title">
      <header class="row-detail-header">
        <div>
          <h2 id="row-detail-title">{t("search.detail.title")}</h2>
          <p class="muted small">
            {formatDateTime(props.hit.received_at)} · {props.hotelName(props.hit.hotel)}
          </p>
        </div>
        <button type="button" class="button" ref={closeButton} onClick={() => props.onClose()}>
          {t("search.detail.close")}
        </button>
      </header>
      <section aria-labelledby="detail-raw">
        <h3 id="detail-raw" class="small-heading">
          {t("search.detail.raw")}
        </h3>
        <pre class="raw-line">{props.hit.raw}</pre>
      </section>
      <section aria-labelledby="detail-proof" class="proof">
        <h3 id="detail-proof" class="small-heading">
          {t("search.detail.proof")}
        </h3>
        <p>
          {t("search.detail.proofText", {
            chunk: chunkHour(props.hit.chunk),
            seq: String(props.hit.seq),
            agent: props.hit.agent,
          })}
        </p>
        <p class="muted small">{t("search.detail.proofHelp")}</p>
        <div class="proof-actions">
          <button
            type="button"
            class="button-primary"
            data-chunk-path={props.chunkPath}
            disabled={downloading()}
            onClick={() => void download()}
          >
            {downloading()
              ? t("search.detail.downloading")
              : t("search.detail.download", { chunk: props.hit.chunk })}
          </button>
        </div>
        <Show when={downloadError()}>
          {(error) => (
            <p class="field-problem" role="alert">
              {errorMessage(error())}
            </p>
          )}
        </Show>
      </section>
      <section aria-labelledby="detail-context">
        <h3 id="detail-context" class="small-heading">
          {t("search.detail.context")}
        </h3>
        <Switch>
          <Match when={props.context.error}>{(error) => <ErrorState error={error()} />}</Match>
          <Match when={props.context.loading || !props.context.data}>
            <Loading />
          </Match>
          <Match when={props.context.data}>
            {(context) => (
              // Focusable: the list scrolls, and a keyboard must scroll it too.
              <ol
                class="context-lines"
                tabindex="0"
                aria-labelledby="detail-context"
                ref={(list) =>
                  queueMicrotask(() =>
                    list.querySelector(".current")?.scrollIntoView?.({ block: "center" }),
                  )
                }
              >
                <For each={context().before}>{(line) => <ContextLine hit={line} />}</For>
                <ContextLine hit={context().hit ?? props.hit} current />
                <For each={context().after}>{(line) => <ContextLine hit={line} />}</For>
              </ol>
            )}
          </Match>
        </Switch>
      </section>
      <section aria-labelledby="detail-fields">
        <h3 id="detail-fields" class="small-heading">
          {t("search.detail.fields")}
        </h3>
        <dl class="detail-fields">
          <div>
            <dt>{t("search.detail.received")}</dt>
            <dd>{rowTime(props.hit)}</dd>
          </div>
          <For each={DETAIL_FIELDS}>
            {(field) => (
              <Show when={fieldText(props.hit, field, props.hotelName)}>
                {(text) => (
                  <div>
                    <dt>{t(`search.detailField.${field}`)}</dt>
                    <dd class="mono">{text()}</dd>
                  </div>
                )}
              </Show>
            )}
          </For>
        </dl>
      </section>
    </aside>
  );
}
