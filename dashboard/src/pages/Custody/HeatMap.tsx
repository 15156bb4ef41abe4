/**
 * The month's calendar: a row per day, a column per hour, each cell in its
 * state's colour, pattern and glyph (never colour alone). One tab stop:
 * the arrow keys move between cells (Home/End along the row, Page Up/Down a
 * week), Enter opens the hour; the day's button opens the whole day.
 */
import { createSignal, For, type JSX } from "solid-js";
import { formatDate, locale, t } from "../../i18n/index.ts";
import { hourSpan } from "./DayChunks.tsx";
import { type DayRow, type HourCell, STATE_GLYPH, STATE_LABEL } from "./month.ts";

export interface HeatMapProps {
  rows: readonly DayRow[];
  /** The open day (`YYYY-MM-DD`) and hour (`YYYY-MM-DDTHH`, UTC), if any. */
  selectedDay?: string | undefined;
  selectedHour?: string | undefined;
  onOpen: (day: string, hour?: string) => void;
}

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** "Mon 03" / "Pzt 03" for a `YYYY-MM-DD` wall date. */
function dayLabel(day: string): { weekday: string; date: string } {
  const weekday = new Intl.DateTimeFormat(locale() === "tr" ? "tr-TR" : "en-GB", {
    weekday: "short",
    timeZone: "UTC",
  }).format(Date.parse(`${day}T00:00:00Z`));
  return { weekday, date: day.slice(8, 10) };
}

export function cellLabel(cell: HourCell): string {
  return `${hourSpan(cell.startMs)}: ${t(STATE_LABEL[cell.state])}`;
}

export function HeatMap(props: HeatMapProps): JSX.Element {
  // The cell that holds the tab stop: [row, column], column -1 being the day's button.
  const [focus, setFocus] = createSignal<[number, number]>([0, -1]);
  let table: HTMLTableElement | undefined;

  const moveTo = (row: number, column: number) => {
    const r = Math.max(0, Math.min(props.rows.length - 1, row));
    const c = Math.max(-1, Math.min(23, column));
    setFocus([r, c]);
    table?.querySelector<HTMLElement>(`[data-pos="${r}:${c}"]`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const [row, column] = focus();
    const moves: Record<string, [number, number]> = {
      ArrowRight: [row, column + 1],
      ArrowLeft: [row, column - 1],
      ArrowDown: [row + 1, column],
      ArrowUp: [row - 1, column],
      Home: [row, -1],
      End: [row, 23],
      PageDown: [row + 7, column],
      PageUp: [row - 7, column],
    };
    const next = moves[event.key];
    if (!next) return;
    event.preventDefault();
    moveTo(...next);
  };
  const tabIndex = (row: number, column: number) => {
    const [r, c] = focus();
    return r === row && c === column ? 0 : -1;
  };

  return (
    <div class="heatmap-wrap">
      <table
        class="heatmap"
        ref={table}
        onKeyDown={onKeyDown}
        aria-label={t("custody.calendar")}
        aria-describedby="custody-calendar-help"
      >
        <thead>
          <tr>
            <th scope="col" class="heatmap-corner">
              {t("custody.day")}
            </th>
            <For each={HOURS}>
              {(hour) => (
                <th scope="col" class="heatmap-hour" classList={{ "every-third": hour % 3 === 0 }}>
                  {String(hour).padStart(2, "0")}
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(row, index) => {
              const label = () => dayLabel(row.day);
              const open = () => props.selectedDay === row.day;
              return (
                <tr classList={{ "is-open": open() }}>
                  <th scope="row" class="heatmap-day">
                    <button
                      type="button"
                      data-pos={`${index()}:-1`}
                      tabIndex={tabIndex(index(), -1)}
                      aria-current={open() && !props.selectedHour ? "date" : undefined}
                      // The visible weekday and day first (WCAG 2.5.3), then the month and year.
                      aria-label={t("custody.openDay", {
                        date: `${label().weekday} ${formatDate(Date.parse(`${row.day}T12:00:00Z`), { zone: "utc" })}`,
                      })}
                      onFocus={() => setFocus([index(), -1])}
                      onClick={() => props.onOpen(row.day)}
                    >
                      <span class="heatmap-weekday">{label().weekday}</span> {label().date}
                    </button>
                  </th>
                  <For each={HOURS}>
                    {(hour) => {
                      const cell = () => row.cells[hour] ?? null;
                      return (
                        <td>
                          <button
                            type="button"
                            class="heat-cell"
                            data-state={cell()?.state ?? "outside"}
                            data-pos={`${index()}:${hour}`}
                            tabIndex={tabIndex(index(), hour)}
                            aria-current={
                              cell() && props.selectedHour === cell()?.hour ? "true" : undefined
                            }
                            aria-disabled={cell() ? undefined : "true"}
                            aria-label={(() => {
                              const shown = cell();
                              return shown ? cellLabel(shown) : t("custody.state.outside");
                            })()}
                            title={(() => {
                              const shown = cell();
                              return shown ? cellLabel(shown) : t("custody.state.outside");
                            })()}
                            onFocus={() => setFocus([index(), hour])}
                            onClick={() => {
                              const shown = cell();
                              if (shown) props.onOpen(row.day, shown.hour);
                            }}
                          >
                            <span class="heat-glyph" aria-hidden="true">
                              {STATE_GLYPH[cell()?.state ?? "outside"]}
                            </span>
                          </button>
                        </td>
                      );
                    }}
                  </For>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
      <p id="custody-calendar-help" class="muted small">
        {t("custody.calendarHelp")}
      </p>
    </div>
  );
}
