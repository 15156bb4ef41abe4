/**
 * The custody page's view: a hotel's month of hours as a calendar, its
 * summary and legend, the month's compliance report, and the day opened.
 * Plain props; ./index.tsx reads the URL and loads the data.
 */
import { For, type JSX, Show } from "solid-js";
import type { CustodyMonth, HotelOverview } from "../../api/types.ts";
import { DownloadButton } from "../../components/DownloadButton.tsx";
import { LoadStates } from "../../components/States.tsx";
import { formatNumber, locale, t, zone } from "../../i18n/index.ts";
import { DayChunks, type DayChunksProps, type Download } from "./DayChunks.tsx";
import { HeatMap } from "./HeatMap.tsx";
import {
  type CellState,
  LEGEND_STATES,
  monthGrid,
  monthSummary,
  STATE_GLYPH,
  STATE_LABEL,
  shiftMonth,
} from "./month.ts";
import "./custody.css";

export interface CustodyProps {
  hotels: readonly HotelOverview[];
  hotelId: string;
  /** `YYYY-MM`, UTC. */
  month: string;
  /** `YYYY-MM` of now: no month after it. */
  currentMonth: string;
  nowMs: number;
  data: CustodyMonth | undefined;
  loading: boolean;
  error: unknown;
  retry: () => void;
  day: Omit<DayChunksProps, "download" | "onShowDay" | "onClose"> | undefined;
  onHotel: (hotelId: string) => void;
  onMonth: (month: string) => void;
  onOpen: (day: string, hour?: string) => void;
  onShowDay: () => void;
  onClose: () => void;
  download: (what: Download) => Promise<void>;
}

/** "Aralık 2026" / "December 2026" for `YYYY-MM`. */
export function monthTitle(month: string): string {
  return new Intl.DateTimeFormat(locale() === "tr" ? "tr-TR" : "en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(Date.parse(`${month}-01T00:00:00Z`));
}

function Legend(props: { totals: Partial<Record<CellState, number>> | undefined }): JSX.Element {
  return (
    <ul class="heat-legend" aria-label={t("custody.legend")}>
      <For each={LEGEND_STATES}>
        {(state) => (
          <li>
            <span class="heat-cell heat-swatch" data-state={state} aria-hidden="true">
              <span class="heat-glyph">{STATE_GLYPH[state]}</span>
            </span>
            <span>{t(STATE_LABEL[state])}</span>
            <Show when={props.totals?.[state] !== undefined}>
              <span class="muted small">({formatNumber(props.totals?.[state] ?? 0)})</span>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}

export function Custody(props: CustodyProps): JSX.Element {
  const grid = () => (props.data ? monthGrid(props.data, zone(), props.nowMs) : []);
  const hotelName = () =>
    props.hotels.find((hotel) => hotel.id === props.hotelId)?.name ?? props.hotelId;
  const prevMonth = () => shiftMonth(props.month, -1);
  const nextMonth = () => shiftMonth(props.month, 1);
  return (
    <section class="page custody-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("custody.title")}</h1>
          <p class="muted small">{t("custody.subtitle")}</p>
        </div>
        <div class="page-actions custody-reports">
          <DownloadButton
            busyText={t("custody.preparing")}
            download={() => props.download({ kind: "report", format: "pdf" })}
            label={t("custody.download.reportLabel", {
              format: "PDF",
              month: monthTitle(props.month),
            })}
          >
            {t("custody.download.reportPdf")}
          </DownloadButton>
          <DownloadButton
            busyText={t("custody.preparing")}
            download={() => props.download({ kind: "report", format: "csv" })}
            label={t("custody.download.reportLabel", {
              format: "CSV",
              month: monthTitle(props.month),
            })}
          >
            {t("custody.download.reportCsv")}
          </DownloadButton>
        </div>
      </header>

      <div class="panel custody-controls">
        <label class="select-label custody-hotel">
          <span>{t("custody.hotel")}</span>
          <select
            value={props.hotelId}
            onChange={(event) => props.onHotel(event.currentTarget.value)}
          >
            <For each={props.hotels}>
              {(hotel) => (
                <option value={hotel.id} selected={hotel.id === props.hotelId}>
                  {hotel.name}
                </option>
              )}
            </For>
          </select>
        </label>
        <nav class="month-nav" aria-label={t("custody.monthNav")}>
          <button
            type="button"
            class="button"
            aria-label={t("custody.previousMonthLabel", { month: monthTitle(prevMonth()) })}
            onClick={() => props.onMonth(prevMonth())}
          >
            ‹ <span class="month-nav-text">{t("custody.previousMonth")}</span>
          </button>
          <h2 class="month-title" aria-live="polite">
            {monthTitle(props.month)}
          </h2>
          <button
            type="button"
            class="button"
            disabled={props.month >= props.currentMonth}
            aria-label={t("custody.nextMonthLabel", { month: monthTitle(nextMonth()) })}
            onClick={() => props.onMonth(nextMonth())}
          >
            <span class="month-nav-text">{t("custody.nextMonth")}</span> ›
          </button>
          <Show when={props.month !== props.currentMonth}>
            <button
              type="button"
              class="button-link"
              onClick={() => props.onMonth(props.currentMonth)}
            >
              {t("custody.thisMonth")}
            </button>
          </Show>
        </nav>
      </div>

      <section class="panel" aria-labelledby="month-title">
        <h2 id="month-title" class="visually-hidden">
          {t("custody.monthOf", { hotel: hotelName(), month: monthTitle(props.month) })}
        </h2>
        <LoadStates value={props.data} error={props.error} retry={props.retry}>
          {(data) => (
            <>
              <p class="custody-summary" aria-live="polite">
                <strong>{hotelName()}</strong> · {monthSummary(data(), t)}
                <Show when={props.loading}>
                  {" "}
                  <span class="spinner" aria-hidden="true" />
                </Show>
              </p>
              <p class="muted small">
                {zone() === "utc" ? t("custody.zoneNoteUtc") : t("custody.zoneNoteIstanbul")}
              </p>
              <Legend totals={data().totals} />
              <HeatMap
                rows={grid()}
                selectedDay={props.day?.day}
                selectedHour={props.day?.hour}
                onOpen={props.onOpen}
              />
            </>
          )}
        </LoadStates>
      </section>

      <Show when={props.day}>
        {(day) => (
          <DayChunks
            {...day()}
            download={props.download}
            onShowDay={props.onShowDay}
            onClose={props.onClose}
          />
        )}
      </Show>
    </section>
  );
}
