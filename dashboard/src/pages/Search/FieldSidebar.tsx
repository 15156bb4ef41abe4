/**
 * The fields beside the results, each with its most frequent values among
 * the matching events; one click on a value adds it as a filter. (The API
 * has no "not" for field filters, so values only include; free text can
 * still exclude a word with -word.)
 */
import { For, type JSX, Match, Switch } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { TopField } from "../../api/types.ts";
import type { TopValues } from "../../data/search.ts";
import { formatNumber, t } from "../../i18n/index.ts";
import { type Chip, SEVERITY_NAMES } from "./state.ts";

/** The sidebar's fields and the filter a value of each becomes. */
export const SIDEBAR_FIELDS: readonly { field: TopField; filter: Chip["field"] | "text" }[] = [
  { field: "hotel", filter: "hotels" },
  { field: "dataset", filter: "datasets" },
  { field: "severity", filter: "severity" },
  { field: "src_ip", filter: "ip" },
  { field: "user", filter: "user" },
  { field: "src_mac", filter: "mac" },
  { field: "host", filter: "host" },
  { field: "device", filter: "devices" },
  { field: "dst_ip", filter: "ip" },
  { field: "dst_port", filter: "port" },
  { field: "nat_ip", filter: "nat" },
  { field: "action", filter: "text" },
  { field: "agent", filter: "agents" },
];
export const OPEN_AT_START: readonly TopField[] = ["hotel", "dataset", "src_ip", "user"];

export interface FieldSidebarProps {
  top: TopValues;
  hotelName(id: string): string;
  /** A value chosen: a filter (or a word of the free text) to add. */
  onPick(filter: Chip["field"] | "text", value: string): void;
  /** On phones the sidebar folds away. */
  open: boolean;
}

function valueText(field: TopField, value: string, hotelName: (id: string) => string): string {
  if (field === "hotel") return hotelName(value);
  if (field === "severity") return SEVERITY_NAMES[Number(value)] ?? value;
  return value;
}

export function FieldSidebar(props: FieldSidebarProps): JSX.Element {
  return (
    <aside
      id="search-fields"
      class="field-sidebar panel"
      classList={{ folded: !props.open }}
      aria-label={t("search.fields.label")}
    >
      <h2 class="small-heading">{t("search.fields.label")}</h2>
      <p class="muted small">{t("search.fields.help")}</p>
      <For each={SIDEBAR_FIELDS}>
        {({ field, filter }) => (
          <details
            class="field-group"
            open={props.top.isOpen(field)}
            onToggle={(event) => props.top.open(field, event.currentTarget.open)}
          >
            <summary>{t(`search.top.${field}`)}</summary>
            <Switch>
              <Match when={props.top.state(field)?.error}>
                {(error) => <p class="field-problem small">{errorMessage(error())}</p>}
              </Match>
              <Match when={!props.top.state(field)}>
                <p class="muted small">{t("state.loading")}</p>
              </Match>
              <Match when={props.top.state(field)?.values?.length === 0}>
                <p class="muted small">{t("search.fields.none")}</p>
              </Match>
              <Match when={props.top.state(field)?.values}>
                {(values) => (
                  <ul class="top-values">
                    <For each={values().filter((entry) => entry.value !== null)}>
                      {(entry) => {
                        const shown = () => valueText(field, entry.value ?? "", props.hotelName);
                        const value = () =>
                          field === "severity"
                            ? (SEVERITY_NAMES[Number(entry.value)] ?? "")
                            : (entry.value ?? "");
                        return (
                          <li>
                            <button
                              type="button"
                              class="top-value"
                              title={t("search.fields.add", { value: shown() })}
                              onClick={() => props.onPick(filter, value())}
                            >
                              <span class="top-value-text">{shown()}</span>
                              <span class="top-value-count">{formatNumber(entry.count)}</span>
                            </button>
                          </li>
                        );
                      }}
                    </For>
                  </ul>
                )}
              </Match>
            </Switch>
          </details>
        )}
      </For>
    </aside>
  );
}
