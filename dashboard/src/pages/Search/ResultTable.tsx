/**
 * The result table, virtualised: however many rows the search has (100,000
 * or more), only those in view and a few around them are in the page, each
 * 32 px high; scrolling asks for the rows past those loaded (`onWant`).
 * Rows are focusable (arrow keys move, Enter opens the detail).
 */
import {
  createEffect,
  createMemo,
  createSignal,
  For,
  type JSX,
  on,
  onCleanup,
  onMount,
  Show,
} from "solid-js";
import type { EventHit } from "../../api/types.ts";
import { formatDateTime, t, zone } from "../../i18n/index.ts";
import { COLUMNS, type ColumnId, SEVERITY_NAMES } from "./state.ts";
import { MAX_SCROLL_PX, visibleRows } from "./virtual.ts";

export const ROW_HEIGHT = 32;
/** When the view is not measured yet (or in tests): a usual table height. */
const FALLBACK_VIEWPORT = 600;

const COLUMN_WIDTHS: Record<ColumnId, string> = {
  time: "11.5rem",
  hotel: "12rem",
  host: "8rem",
  device: "8rem",
  severity: "6rem",
  dataset: "6.5rem",
  action: "7rem",
  src_ip: "8.5rem",
  src_mac: "9.5rem",
  dst_ip: "8.5rem",
  dst_port: "5rem",
  nat: "10rem",
  user: "8.5rem",
  raw: "minmax(24rem, 1fr)",
};

/** `DD.MM.YYYY HH:mm:ss` in the chosen zone (seconds matter in a log). */
export function rowTime(hit: Pick<EventHit, "received_at">): string {
  const seconds = /T\d{2}:\d{2}:(\d{2})/.exec(hit.received_at)?.[1] ?? "00";
  return `${formatDateTime(hit.received_at, { withZone: false })}:${seconds}`;
}

export function cellText(
  hit: EventHit,
  column: ColumnId,
  hotelName: (id: string) => string,
): string {
  switch (column) {
    case "time":
      return rowTime(hit);
    case "hotel":
      return hotelName(hit.hotel);
    case "severity":
      return hit.severity === null ? "" : (SEVERITY_NAMES[hit.severity] ?? String(hit.severity));
    case "nat":
      return hit.nat_ip ? `${hit.nat_ip}${hit.nat_port === null ? "" : `:${hit.nat_port}`}` : "";
    default: {
      const value = hit[column];
      return value === null || value === undefined ? "" : String(value);
    }
  }
}

export interface ResultTableProps {
  /** Rows the scroll area holds (loaded or not yet). */
  count: number;
  rowAt(index: number): EventHit | undefined;
  columns: readonly ColumnId[];
  hotelName(id: string): string;
  /** The table shows rows up to this index: load them. */
  onWant(end: number): void;
  onOpen(index: number): void;
  selected: number | undefined;
}

export function ResultTable(props: ResultTableProps): JSX.Element {
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(FALLBACK_VIEWPORT);
  const [active, setActive] = createSignal(0);
  let scroller: HTMLDivElement | undefined;
  const rowRefs = new Map<number, HTMLTableRowElement>();

  onMount(() => {
    if (!scroller) return;
    const measure = () => setViewport(scroller?.clientHeight || FALLBACK_VIEWPORT);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    onCleanup(() => observer.disconnect());
  });

  // Past the browser's height limit the scroll height is scaled (MAX_SCROLL_PX).
  const fullHeight = () => props.count * ROW_HEIGHT;
  const scale = () => Math.max(1, fullHeight() / MAX_SCROLL_PX);
  const inView = createMemo(
    () =>
      visibleRows({
        scrollTop: scrollTop() * scale(),
        viewportHeight: viewport(),
        rowHeight: ROW_HEIGHT,
        count: props.count,
      }),
    undefined,
    { equals: (a, b) => a.start === b.start && a.end === b.end },
  );
  createEffect(on(inView, (range) => props.onWant(range.end)));
  const indexes = () => {
    const { start, end } = inView();
    return Array.from({ length: end - start }, (_, i) => start + i);
  };
  const template = () => props.columns.map((column) => COLUMN_WIDTHS[column]).join(" ") || "1fr";

  const focusRow = (index: number) => {
    const target = Math.max(0, Math.min(props.count - 1, index));
    setActive(target);
    if (!scroller) return;
    const top = (target * ROW_HEIGHT) / scale();
    const header = ROW_HEIGHT;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + ROW_HEIGHT + header > scroller.scrollTop + scroller.clientHeight)
      scroller.scrollTop = top + ROW_HEIGHT + header - scroller.clientHeight;
    setScrollTop(scroller.scrollTop);
    queueMicrotask(() => rowRefs.get(target)?.focus({ preventScroll: true }));
  };
  const onKey = (event: KeyboardEvent, index: number) => {
    const page = Math.max(1, Math.floor(viewport() / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: props.count - 1,
    };
    const next = moves[event.key];
    if (next !== undefined) {
      event.preventDefault();
      focusRow(next);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      props.onOpen(index);
    }
  };

  return (
    <div
      class="result-scroll"
      ref={scroller}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <table
        class="result-table"
        aria-label={t("search.results.label")}
        aria-rowcount={props.count + 1}
        style={{ "--columns": template() }}
      >
        <thead class="result-head">
          <tr class="result-row result-header" aria-rowindex={1}>
            <For each={props.columns}>
              {(column) => (
                <th scope="col" class="result-cell">
                  {column === "time"
                    ? t("search.column.timeIn", { zone: t(`zone.${zoneKey()}`) })
                    : t(`search.column.${column}`)}
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody class="result-body" style={{ height: `${fullHeight() / scale()}px` }}>
          <For each={indexes()}>
            {(index) => {
              const hit = () => props.rowAt(index);
              return (
                <tr
                  ref={(element) => {
                    rowRefs.set(index, element);
                    onCleanup(() => rowRefs.delete(index));
                  }}
                  class="result-row"
                  classList={{ selected: props.selected === index, pending: !hit() }}
                  aria-rowindex={index + 2}
                  aria-selected={props.selected === index}
                  tabindex={active() === index ? 0 : -1}
                  style={{ transform: `translateY(${(index * ROW_HEIGHT) / scale()}px)` }}
                  onClick={() => {
                    setActive(index);
                    if (hit()) props.onOpen(index);
                  }}
                  onKeyDown={(event) => onKey(event, index)}
                  onFocus={() => setActive(index)}
                >
                  <Show
                    when={hit()}
                    fallback={<td class="result-cell muted">{t("state.loading")}</td>}
                  >
                    {(shown) => (
                      <For each={props.columns}>
                        {(column) => (
                          <td
                            class={`result-cell cell-${column}`}
                            title={column === "raw" ? shown().raw : undefined}
                          >
                            {cellText(shown(), column, props.hotelName)}
                          </td>
                        )}
                      </For>
                    )}
                  </Show>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
    </div>
  );
}

const zoneKey = () => (zone() === "utc" ? "utc" : "istanbul");

export interface ColumnChooserProps {
  columns: readonly ColumnId[];
  onChange(columns: ColumnId[]): void;
}

/** Which columns show (at least one), in the table's fixed order. */
export function ColumnChooser(props: ColumnChooserProps): JSX.Element {
  const toggle = (column: ColumnId, on: boolean) => {
    const next = COLUMNS.filter((id) => (id === column ? on : props.columns.includes(id)));
    if (next.length > 0) props.onChange(next);
  };
  return (
    <details class="column-chooser">
      <summary class="button">{t("search.columns.label")}</summary>
      <fieldset class="column-panel">
        <legend class="visually-hidden">{t("search.columns.label")}</legend>
        <For each={COLUMNS}>
          {(column) => (
            <label class="check">
              <input
                type="checkbox"
                checked={props.columns.includes(column)}
                disabled={props.columns.length === 1 && props.columns.includes(column)}
                onChange={(event) => toggle(column, event.currentTarget.checked)}
              />
              <span>{t(`search.column.${column}`)}</span>
            </label>
          )}
        </For>
      </fieldset>
    </details>
  );
}
