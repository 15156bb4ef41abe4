/**
 * The custody page: the URL holds the hotel, the month and the day (and
 * hour) opened, so a link shows the same calendar; this reads it, loads the
 * month and the day's chunks, and saves the downloads. A hotel not among
 * the caller's is "not found", as the hub answers it.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, type JSX, Match, Switch } from "solid-js";
import { api } from "../../api/client.ts";
import { downloadFile } from "../../api/download.ts";
import type { ChunkView, CustodyMonth, HotelOverview } from "../../api/types.ts";
import { EmptyState, ErrorState, Loading, NotFoundState } from "../../components/States.tsx";
import { t, zone } from "../../i18n/index.ts";
import { Custody } from "./Custody.tsx";
import { chunksOfDay } from "./chunks.ts";
import type { Download } from "./DayChunks.tsx";
import { dayRange, monthOf } from "./month.ts";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
/** A UTC day of one hotel: two agents' 24 hours with a few early-sealed parts fit. */
const CHUNKS_PER_DAY = 1000;

type CustodyParams = { hotel?: string; month?: string; day?: string; hour?: string };

const byName = (a: HotelOverview, b: HotelOverview) => a.name.localeCompare(b.name, "tr");

/** Save what the page offers: a bundle (hour, day with its roll-up, chunk) or the month's report. */
function download(hotel: string, month: string, what: Download): Promise<void> {
  switch (what.kind) {
    case "hour":
      return downloadFile(
        "/api/export",
        { query: { hotel, hour: what.hour } },
        `logmaster-export-${hotel}-${what.hour}.tar.gz`,
      );
    case "day":
      return downloadFile(
        "/api/export",
        { query: { hotel, day: what.day } },
        `logmaster-export-${hotel}-${what.day}.tar.gz`,
      );
    case "chunk":
      return downloadFile(
        "/api/export",
        { query: { hotel, agent: what.chunk.agent_id, chunk: what.chunk.chunk } },
        `logmaster-export-${hotel}-${what.chunk.chunk}.tar.gz`,
      );
    case "report":
      return downloadFile(
        "/api/reports/compliance",
        { query: { hotel, month, format: what.format } },
        `logmaster-compliance-${hotel}-${month}.${what.format}`,
      );
  }
}

export default function CustodyPage(): JSX.Element {
  const [params, setParams] = useSearchParams<CustodyParams>();
  const nowMs = Date.now();
  const currentMonth = monthOf(nowMs);
  const [hotels, hotelsControl] = createResource(async () =>
    [...(await api<HotelOverview[]>("/api/hotels"))].sort(byName),
  );
  const hotelId = createMemo(() => params.hotel ?? hotels()?.[0]?.id);
  const known = () => hotels()?.some((hotel) => hotel.id === hotelId()) ?? false;
  const month = () => (params.month && MONTH.test(params.month) ? params.month : currentMonth);
  const day = () => (params.day && DAY.test(params.day) ? params.day : undefined);
  const hour = () => (day() && params.hour && HOUR.test(params.hour) ? params.hour : undefined);

  const [monthData, monthControl] = createResource(
    () => (known() ? { hotel: hotelId() as string, month: month() } : undefined),
    (query) => api<CustodyMonth>("/api/custody/month", { query }),
  );
  const range = () => {
    const shown = day();
    return shown ? dayRange(shown, zone()) : undefined;
  };
  const [dayData, dayControl] = createResource(
    () => {
      const shown = range();
      return shown && known() ? { hotel: hotelId() as string, ...shown } : undefined;
    },
    async ({ hotel, utcDays, fromMs, toMs }) => {
      const lists = await Promise.all(
        utcDays.map((utcDay) =>
          api<ChunkView[]>("/api/chunks", { query: { hotel, day: utcDay, limit: CHUNKS_PER_DAY } }),
        ),
      );
      return chunksOfDay(lists.flat(), fromMs, toMs);
    },
  );

  const open = (shownDay: string, shownHour?: string) =>
    setParams({ day: shownDay, hour: shownHour });
  return (
    <Switch>
      <Match when={hotels.error}>
        <section class="page">
          <ErrorState error={hotels.error} retry={() => void hotelsControl.refetch()} />
        </section>
      </Match>
      <Match when={!hotels()}>
        <section class="page">
          <Loading />
        </section>
      </Match>
      <Match when={hotels()?.length === 0}>
        <section class="page">
          <EmptyState title={t("state.noHotels")}>
            <p>{t("state.noHotelsBody")}</p>
          </EmptyState>
        </section>
      </Match>
      <Match when={!known()}>
        <NotFoundState />
      </Match>
      <Match when={hotels()}>
        {(list) => (
          <Custody
            hotels={list()}
            hotelId={hotelId() as string}
            month={month()}
            currentMonth={currentMonth}
            nowMs={nowMs}
            data={monthData.error ? undefined : monthData.latest}
            loading={monthData.loading}
            error={monthData.error}
            retry={() => void monthControl.refetch()}
            day={(() => {
              const shownDay = day();
              const shownRange = range();
              if (!shownDay || !shownRange) return undefined;
              return {
                day: shownDay,
                hour: hour(),
                chunks: dayData.loading || dayData.error ? undefined : dayData.latest,
                error: dayData.error,
                retry: () => void dayControl.refetch(),
                // The roll-up is of a UTC day: the one holding most of the wall day's hours.
                utcDay: shownDay,
              };
            })()}
            onHotel={(hotel) => setParams({ hotel, day: undefined, hour: undefined })}
            onMonth={(shown) => setParams({ month: shown, day: undefined, hour: undefined })}
            onOpen={open}
            onShowDay={() => setParams({ hour: undefined })}
            onClose={() => setParams({ day: undefined, hour: undefined })}
            download={(what) => download(hotelId() as string, month(), what)}
          />
        )}
      </Match>
    </Switch>
  );
}
