/**
 * The query: free text (the documented syntax: words, "phrases", -not,
 * a OR b, prefix*), field filters shown as removable chips, and the time
 * range. Enter in the text runs the search; a filter is added with its
 * field and value (checked before asking the hub).
 */
import { createEffect, createSignal, For, type JSX, Show } from "solid-js";
import { t } from "../../i18n/index.ts";
import {
  type Chip,
  chipProblem,
  FILTER_FIELDS,
  type FilterField,
  SEVERITY_NAMES,
  type TimeRange,
} from "./state.ts";
import { TimeRangePicker } from "./TimeRange.tsx";

const DATASETS = ["firewall", "dhcp", "hotspot", "account", "wireless", "ppp", "other"];

export interface QueryBarProps {
  text: string;
  chips: readonly Chip[];
  range: TimeRange;
  fromMs: number;
  toMs: number;
  /** Hotel ids the person may narrow to (suggestions). */
  hotels: readonly { id: string; name: string }[];
  onRun(text: string): void;
  onAddChip(chip: Chip): void;
  onRemoveChip(chip: Chip): void;
  onRange(range: TimeRange): void;
}

/** A chip's words: "IP: 10.5.0.0/16", the hotel's name for a hotel. */
export function chipText(chip: Chip, hotels: readonly { id: string; name: string }[]): string {
  const value =
    chip.field === "hotels"
      ? (hotels.find((hotel) => hotel.id === chip.value)?.name ?? chip.value)
      : chip.field === "severity"
        ? t("search.severityAtLeast", { name: chip.value })
        : chip.value;
  return `${t(`search.field.${chip.field}`)}: ${value}`;
}

export function QueryBar(props: QueryBarProps): JSX.Element {
  const [text, setText] = createSignal(props.text);
  const [field, setField] = createSignal<FilterField>("ip");
  const [value, setValue] = createSignal("");
  const [problem, setProblem] = createSignal<ReturnType<typeof chipProblem>>();
  createEffect(() => setText(props.text));
  const suggestions = (): string[] => {
    switch (field()) {
      case "severity":
        return SEVERITY_NAMES;
      case "datasets":
        return DATASETS;
      case "hotels":
        return props.hotels.map((hotel) => hotel.id);
      default:
        return [];
    }
  };
  const addFilter = () => {
    const chip = { field: field(), value: value().trim() };
    if (!chip.value) return;
    const wrong = chipProblem(chip);
    setProblem(wrong);
    if (wrong) return;
    props.onAddChip(chip);
    setValue("");
  };
  return (
    <form
      class="query-bar panel"
      aria-label={t("search.title")}
      onSubmit={(event) => {
        event.preventDefault();
        props.onRun(text());
      }}
    >
      <div class="query-row">
        <label class="search-field query-text">
          <span>{t("search.text.label")}</span>
          <input
            type="search"
            name="q"
            value={text()}
            placeholder={t("search.text.placeholder")}
            aria-describedby="search-text-help"
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        <TimeRangePicker
          range={props.range}
          fromMs={props.fromMs}
          toMs={props.toMs}
          onChange={props.onRange}
        />
        <button type="submit" class="button-primary run-button">
          {t("search.run")}
        </button>
      </div>
      <p id="search-text-help" class="muted small">
        {t("search.text.help")}
      </p>
      <fieldset class="filter-adder">
        <legend class="visually-hidden">{t("search.filter.add")}</legend>
        <label class="search-field">
          <span>{t("search.filter.field")}</span>
          <select
            value={field()}
            onChange={(event) => {
              setField(event.currentTarget.value as FilterField);
              setProblem(undefined);
            }}
          >
            <For each={FILTER_FIELDS}>
              {(option) => (
                <option value={option} selected={field() === option}>
                  {t(`search.field.${option}`)}
                </option>
              )}
            </For>
          </select>
        </label>
        <label class="search-field filter-value">
          <span>{t("search.filter.value")}</span>
          <input
            type="text"
            value={value()}
            list="search-filter-suggestions"
            placeholder={t(`search.example.${field()}`)}
            aria-invalid={problem() !== undefined}
            aria-describedby={problem() ? "search-filter-problem" : undefined}
            onInput={(event) => setValue(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") {
                event.preventDefault();
                addFilter();
              }
            }}
          />
          <datalist id="search-filter-suggestions">
            <For each={suggestions()}>{(option) => <option value={option} />}</For>
          </datalist>
        </label>
        <button type="button" class="button" onClick={addFilter}>
          {t("search.filter.add")}
        </button>
        <Show when={problem()}>
          {(key) => (
            <p id="search-filter-problem" class="field-problem" role="alert">
              {t(key())}
            </p>
          )}
        </Show>
      </fieldset>
      <Show when={props.chips.length > 0}>
        <ul class="chips" aria-label={t("search.filter.active")}>
          <For each={props.chips}>
            {(chip) => (
              <li class="chip">
                <span>{chipText(chip, props.hotels)}</span>
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={t("search.filter.remove", { filter: chipText(chip, props.hotels) })}
                  onClick={() => props.onRemoveChip(chip)}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </form>
  );
}
