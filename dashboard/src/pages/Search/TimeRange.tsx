/**
 * The time range: the last 15 minutes to 30 days, or two wall times in the
 * zone the person chose (Istanbul or UTC), applied together.
 */
import { createEffect, createSignal, For, type JSX, Show } from "solid-js";
import { t, type Zone, zone } from "../../i18n/index.ts";
import { RELATIVE_RANGES, type RelativeRange, type TimeRange } from "./state.ts";

/** Türkiye has kept UTC+3 all year since 2016 (as ../../i18n/index.ts `istanbulMidnightMs`). */
const ZONE_OFFSET_MS: Record<Zone, number> = { istanbul: 3 * 3_600_000, utc: 0 };

/** An instant as a `datetime-local` value (`YYYY-MM-DDTHH:mm`) on the zone's wall clock. */
export function toWallInput(instantMs: number, which: Zone): string {
  return new Date(instantMs + ZONE_OFFSET_MS[which]).toISOString().slice(0, 16);
}

/** A `datetime-local` value read on the zone's wall clock, as an instant; NaN when empty or wrong. */
export function fromWallInput(value: string, which: Zone): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return Number.NaN;
  return Date.parse(`${value.slice(0, 16)}:00Z`) - ZONE_OFFSET_MS[which];
}

export interface TimeRangeProps {
  range: TimeRange;
  /** The instants the range covers now (for the absolute fields' start values). */
  fromMs: number;
  toMs: number;
  onChange(range: TimeRange): void;
}

export function TimeRangePicker(props: TimeRangeProps): JSX.Element {
  const [custom, setCustom] = createSignal(!("last" in props.range));
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  const [problem, setProblem] = createSignal(false);
  createEffect(() => {
    setCustom(!("last" in props.range));
    setFrom(toWallInput(props.fromMs, zone()));
    setTo(toWallInput(props.toMs, zone()));
  });
  const choice = () => ("last" in props.range && !custom() ? props.range.last : "custom");
  const apply = () => {
    const fromMs = fromWallInput(from(), zone());
    const toMs = fromWallInput(to(), zone());
    const ok = Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs < toMs;
    setProblem(!ok);
    if (ok)
      props.onChange({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  };
  const zoneName = () => (zone() === "utc" ? t("zone.utc") : t("zone.istanbul"));
  return (
    <div class="time-range">
      <label class="search-field">
        <span>{t("search.range.label")}</span>
        <select
          value={choice()}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (value === "custom") setCustom(true);
            else {
              setCustom(false);
              props.onChange({ last: value as RelativeRange });
            }
          }}
        >
          <For each={RELATIVE_RANGES}>
            {(last) => (
              <option value={last} selected={choice() === last}>
                {t(`search.range.${last}`)}
              </option>
            )}
          </For>
          <option value="custom" selected={choice() === "custom"}>
            {t("search.range.custom")}
          </option>
        </select>
      </label>
      <Show when={custom()}>
        <fieldset class="absolute-range">
          <legend class="visually-hidden">{t("search.range.custom")}</legend>
          <label class="search-field">
            <span>{t("search.range.from", { zone: zoneName() })}</span>
            <input
              type="datetime-local"
              value={from()}
              onInput={(event) => setFrom(event.currentTarget.value)}
              aria-invalid={problem()}
            />
          </label>
          <label class="search-field">
            <span>{t("search.range.to", { zone: zoneName() })}</span>
            <input
              type="datetime-local"
              value={to()}
              onInput={(event) => setTo(event.currentTarget.value)}
              aria-invalid={problem()}
            />
          </label>
          <button type="button" class="button" onClick={apply}>
            {t("search.range.apply")}
          </button>
          <Show when={problem()}>
            <p class="field-problem" role="alert">
              {t("search.range.invalid")}
            </p>
          </Show>
        </fieldset>
      </Show>
    </div>
  );
}
