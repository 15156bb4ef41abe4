/**
 * The live tail's view: filters, the connection state and the rate, pause
 * and resume ("N new lines"), and the lines, newest at the bottom, followed
 * until the reader scrolls up.
 */
import { createEffect, createSignal, For, type JSX, on, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { HotelOverview } from "../../api/types.ts";
import { Badge, type Tone } from "../../components/Badge.tsx";
import { HotelSelect } from "../../components/HotelSelect.tsx";
import { ErrorState } from "../../components/States.tsx";
import {
  TAIL_DATASETS,
  type TailConnection,
  type TailLine,
  type TailQuery,
} from "../../data/tail.ts";
import { formatNumber, formatTime, type MessageKey, t, zone } from "../../i18n/index.ts";
import "./live.css";

export interface LiveProps {
  query: TailQuery;
  hotels: readonly HotelOverview[];
  connection: TailConnection;
  nowMs: number;
  /** Lines per second, received. */
  rate: number;
  lines: readonly TailLine[];
  maxLines: number;
  paused: boolean;
  pendingCount: number;
  onFilter(query: TailQuery): void;
  onPause(): void;
  onResume(): void;
  onClear(): void;
  onRetry(): void;
}

const DATASET_LABELS: Record<(typeof TAIL_DATASETS)[number], MessageKey> = {
  dhcp: "tail.dataset.dhcp",
  firewall: "tail.dataset.firewall",
  hotspot: "tail.dataset.hotspot",
  wireless: "tail.dataset.wireless",
  account: "tail.dataset.account",
  ppp: "tail.dataset.ppp",
  other: "tail.dataset.other",
};
const datasetLabel = (dataset: string | null) =>
  dataset && dataset in DATASET_LABELS
    ? t(DATASET_LABELS[dataset as keyof typeof DATASET_LABELS])
    : (dataset ?? "");

function ConnectionBadge(props: { connection: TailConnection; nowMs: number }): JSX.Element {
  const view = (): { tone: Tone; text: string } => {
    const connection = props.connection;
    switch (connection.status) {
      case "connecting":
        return { tone: "neutral", text: t("tail.state.connecting") };
      case "live":
        return { tone: "ok", text: t("tail.state.live") };
      case "retrying":
        return {
          tone: "warning",
          text: t("tail.state.retrying", {
            seconds: Math.max(0, Math.ceil((connection.retryAtMs - props.nowMs) / 1000)),
          }),
        };
      case "failed":
        return { tone: "critical", text: t("tail.state.failed") };
    }
  };
  return (
    <span role="status" class="tail-connection">
      <span class="visually-hidden">{t("tail.connection")}: </span>
      <Badge tone={view().tone}>{view().text}</Badge>
    </span>
  );
}

function Filters(props: {
  query: TailQuery;
  hotels: readonly HotelOverview[];
  onFilter(query: TailQuery): void;
}): JSX.Element {
  const [hotel, setHotel] = createSignal(props.query.hotel ?? "");
  const [dataset, setDataset] = createSignal(props.query.dataset ?? "");
  const [ip, setIp] = createSignal(props.query.ip ?? "");
  const [text, setText] = createSignal(props.query.text ?? "");
  const given = (value: string) => value.trim() || undefined;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    props.onFilter({
      hotel: given(hotel()),
      dataset: given(dataset()),
      ip: given(ip()),
      text: given(text()),
    });
  };
  const anyFilter = () => Object.values(props.query).some(Boolean);
  return (
    <form class="tail-filters panel" onSubmit={submit} aria-label={t("tail.filters")}>
      <HotelSelect
        id="tail-hotel"
        label={t("tail.hotel")}
        allHotels={t("tail.allHotels")}
        hotels={props.hotels}
        value={hotel()}
        onChange={setHotel}
      />
      <div class="field">
        <label for="tail-dataset">{t("tail.dataset")}</label>
        <select
          id="tail-dataset"
          value={dataset()}
          onChange={(event) => setDataset(event.currentTarget.value)}
        >
          <option value="">{t("tail.allDatasets")}</option>
          <For each={TAIL_DATASETS}>
            {(option) => <option value={option}>{t(DATASET_LABELS[option])}</option>}
          </For>
        </select>
      </div>
      <div class="field">
        <label for="tail-ip">{t("tail.ip")}</label>
        <input
          id="tail-ip"
          value={ip()}
          autocomplete="off"
          spellcheck={false}
          placeholder="10.1.1.23"
          onInput={(event) => setIp(event.currentTarget.value)}
        />
      </div>
      <div class="field tail-text">
        <label for="tail-text">{t("tail.text")}</label>
        <input
          id="tail-text"
          type="search"
          value={text()}
          autocomplete="off"
          placeholder={t("tail.textPlaceholder")}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </div>
      <div class="tail-filter-actions">
        <button type="submit" class="button-primary">
          {t("tail.apply")}
        </button>
        <Show when={anyFilter()}>
          <button type="button" class="button" onClick={() => props.onFilter({})}>
            {t("tail.clearFilters")}
          </button>
        </Show>
      </div>
    </form>
  );
}

export function Live(props: LiveProps): JSX.Element {
  const hotelNames = () => new Map(props.hotels.map((hotel) => [hotel.id, hotel.name]));
  const [following, setFollowing] = createSignal(true);
  let box: HTMLDivElement | undefined;
  const atBottom = () => !box || box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  const scrollToEnd = () => {
    if (box) box.scrollTop = box.scrollHeight;
  };
  const toNewest = () => {
    scrollToEnd();
    setFollowing(true);
  };
  // New lines: keep the newest in view, unless the reader has scrolled up to read.
  createEffect(
    on(
      () => props.lines,
      () => {
        if (following()) queueMicrotask(scrollToEnd);
      },
    ),
  );
  const waiting = () =>
    props.connection.status === "live" ? t("tail.waiting") : t("tail.state.connecting");
  const zoneName = () => (zone() === "utc" ? t("zone.utc") : t("zone.istanbul"));
  return (
    <section class="page live-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("tail.title")}</h1>
          <p class="summary">{t("tail.intro")}</p>
        </div>
        <div class="page-actions tail-status">
          <ConnectionBadge connection={props.connection} nowMs={props.nowMs} />
          <span class="tail-rate">{t("tail.rate", { rate: formatNumber(props.rate) })}</span>
        </div>
      </header>
      <Show when={JSON.stringify(props.query)} keyed>
        <Filters query={props.query} hotels={props.hotels} onFilter={props.onFilter} />
      </Show>
      <Show when={props.connection.status === "failed" && props.connection}>
        {(failed) => <ErrorState error={failed().error} retry={props.onRetry} />}
      </Show>
      <Show when={props.connection.status === "retrying" && props.connection}>
        {(retrying) => (
          <div class="tail-retrying" role="alert">
            <span>{errorMessage(retrying().error)}</span>
            <button type="button" class="button" onClick={() => props.onRetry()}>
              {t("tail.retryNow")}
            </button>
          </div>
        )}
      </Show>
      <div class="tail-toolbar">
        <Show
          when={props.paused}
          fallback={
            <button type="button" class="button" onClick={() => props.onPause()}>
              <span aria-hidden="true">❚❚</span> {t("tail.pause")}
            </button>
          }
        >
          <button type="button" class="button-primary" onClick={() => props.onResume()}>
            <span aria-hidden="true">▶</span>{" "}
            {props.pendingCount > 0
              ? t("tail.resumeWith", { count: props.pendingCount })
              : t("tail.resume")}
          </button>
          <Badge tone="warning">{t("tail.paused")}</Badge>
        </Show>
        <button type="button" class="button" onClick={() => props.onClear()}>
          {t("tail.clear")}
        </button>
        <span class="muted small" aria-live="off">
          {t("tail.shown", { count: props.lines.length, max: props.maxLines })}
        </span>
      </div>
      <div class="tail-box">
        <div
          class="tail-lines"
          role="log"
          aria-live="off"
          aria-label={t("tail.lines")}
          tabindex="0"
          ref={box}
          onScroll={() => setFollowing(atBottom())}
        >
          <Show
            when={props.lines.length > 0}
            fallback={<p class="tail-empty muted">{waiting()}</p>}
          >
            <div class="tail-head" aria-hidden="true">
              <span>{t("tail.col.time", { zone: zoneName() })}</span>
              <span>{t("tail.col.hotel")}</span>
              <span>{t("tail.col.dataset")}</span>
              <span>{t("tail.col.line")}</span>
            </div>
            <For each={props.lines}>
              {(line) => (
                <div class="tail-line">
                  <time class="tail-time" datetime={line.hit.received_at}>
                    {formatTime(line.hit.received_at, { seconds: true })}
                  </time>
                  <span
                    class="tail-hotel"
                    title={hotelNames().get(line.hit.hotel) ?? line.hit.hotel}
                  >
                    {hotelNames().get(line.hit.hotel) ?? line.hit.hotel}
                  </span>
                  <span class="tail-dataset">{datasetLabel(line.hit.dataset)}</span>
                  <span class="tail-raw">{line.hit.raw}</span>
                </div>
              )}
            </For>
          </Show>
        </div>
        <Show when={!following() && props.lines.length > 0}>
          <button type="button" class="button-primary tail-jump" onClick={toNewest}>
            ↓ {t("tail.jumpToNewest")}
          </button>
        </Show>
      </div>
    </section>
  );
}
