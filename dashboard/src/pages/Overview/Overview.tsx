/** The overview's view: a summary line, then every hotel, those with problems first. */
import { createMemo, For, type JSX, Match, Switch } from "solid-js";
import { EmptyState, ErrorState, Loading } from "../../components/States.tsx";
import { type HotelHealth, problemsFirst, problemsOf } from "../../data/health.ts";
import { formatTime, t } from "../../i18n/index.ts";
import { HotelRow } from "./HotelRow.tsx";

export interface OverviewProps {
  hotels: HotelHealth[] | undefined;
  loading: boolean;
  error: unknown;
  nowMs: number;
  reach: { events: boolean; custody: boolean };
  reload(): void;
}

export function Overview(props: OverviewProps): JSX.Element {
  const rows = createMemo(() =>
    problemsFirst((props.hotels ?? []).map((health) => ({ health, problems: problemsOf(health) }))),
  );
  const troubled = () => rows().filter((row) => row.problems.length > 0).length;
  return (
    <section class="page" aria-labelledby="page-title" aria-busy={props.loading}>
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("overview.title")}</h1>
          <Switch>
            <Match when={props.hotels && rows().length > 0 && troubled() === 0}>
              <p class="summary ok-text">{t("overview.allGood")}</p>
            </Match>
            <Match when={props.hotels && rows().length > 0}>
              <p class="summary">
                {t("overview.summary", { hotels: rows().length, problems: troubled() })}
              </p>
            </Match>
          </Switch>
        </div>
        <div class="page-actions">
          <span class="muted small" aria-live="polite">
            {props.hotels ? t("overview.updated", { time: formatTime(props.nowMs) }) : ""}
          </span>
          <button
            type="button"
            class="button"
            onClick={() => props.reload()}
            disabled={props.loading}
          >
            {t("overview.refresh")}
          </button>
        </div>
      </header>
      <Switch>
        <Match when={props.error && !props.hotels}>
          <ErrorState error={props.error} retry={props.reload} />
        </Match>
        <Match when={!props.hotels}>
          <Loading />
        </Match>
        <Match when={rows().length === 0}>
          <EmptyState title={t("state.noHotels")}>
            <p>{t("state.noHotelsBody")}</p>
          </EmptyState>
        </Match>
        <Match when={rows().length > 0}>
          <ul class="hotel-list">
            <For each={rows()}>
              {(row) => (
                <li>
                  <HotelRow
                    health={row.health}
                    problems={row.problems}
                    nowMs={props.nowMs}
                    reach={props.reach}
                  />
                </li>
              )}
            </For>
          </ul>
        </Match>
      </Switch>
    </section>
  );
}
