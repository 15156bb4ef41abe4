/**
 * The audit log viewer's view: the filters, a page of rows (who, when, from
 * where, what, in which scope, with which parameters, how many rows), a
 * row's full JSON, the CSV export and the check of the hash chain. Plain
 * props; ./index.tsx reads the URL and loads the rows.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { ApiError, errorMessage } from "../../api/client.ts";
import type { AuditVerdict, AuditView, HotelOverview } from "../../api/types.ts";
import { Badge } from "../../components/Badge.tsx";
import { DownloadButton } from "../../components/DownloadButton.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/States.tsx";
import { formatDateTime, formatNumber, type MessageKey, t, zone } from "../../i18n/index.ts";
import {
  AUDIT_ACTIONS,
  type AuditFilters,
  detailOf,
  FETCH_LIMIT,
  PAGE_SIZE,
  paramsSummary,
} from "./filters.ts";
import "./audit.css";

export interface AuditProps {
  filters: AuditFilters;
  hotels: readonly HotelOverview[];
  /** The filtered rows, newest first; undefined while loading. */
  rows: readonly AuditView[] | undefined;
  /** The hub gave as many rows as asked: older ones are not in the list. */
  truncated: boolean;
  error: unknown;
  retry: () => void;
  page: number;
  /** The row whose JSON is open. */
  openRow: number | undefined;
  onFilters: (filters: AuditFilters) => void;
  onPage: (page: number) => void;
  onOpenRow: (id: number | undefined) => void;
  exportCsv: () => Promise<void>;
  verify: () => Promise<AuditVerdict>;
}

const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;

/** "Export · export" is noise: the kind only when it says more than the action. */
function ActionCell(props: { row: AuditView }): JSX.Element {
  const known = () => (AUDIT_ACTIONS as readonly string[]).includes(props.row.action);
  const kind = () => detailOf(props.row).kind;
  return (
    <>
      {known() ? t(`audit.action.${props.row.action}` as MessageKey) : props.row.action}
      <Show when={kind() && kind() !== props.row.action}>
        <span class="block mono small muted">{kind()}</span>
      </Show>
    </>
  );
}

function scopeText(row: AuditView): string {
  if (row.hotel_id) return row.hotel_id;
  const scope = detailOf(row).scope;
  if (scope === undefined) return t("audit.scopeAll");
  return scope.length > 0 ? scope.join(", ") : "—";
}

function FilterForm(props: {
  filters: AuditFilters;
  hotels: readonly HotelOverview[];
  onFilters: (filters: AuditFilters) => void;
}): JSX.Element {
  let form: HTMLFormElement | undefined;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!form) return;
    const data = new FormData(form);
    const value = (name: string) => {
      const text = String(data.get(name) ?? "").trim();
      return text === "" ? undefined : text;
    };
    props.onFilters({
      actor: value("actor"),
      action: value("action") as AuditFilters["action"],
      hotel: value("hotel"),
      from: value("from"),
      to: value("to"),
    });
  };
  const zoneName = () => (zone() === "utc" ? t("zone.utc") : t("zone.istanbul"));
  return (
    <form class="panel audit-filters" ref={form} onSubmit={submit} aria-labelledby="filters-title">
      <h2 id="filters-title" class="visually-hidden">
        {t("audit.filters")}
      </h2>
      <label class="field">
        <span>{t("audit.filter.actor")}</span>
        <input name="actor" type="search" value={props.filters.actor ?? ""} autocomplete="off" />
      </label>
      <label class="field">
        <span>{t("audit.filter.action")}</span>
        <select name="action">
          <option value="" selected={!props.filters.action}>
            {t("audit.filter.anyAction")}
          </option>
          <For each={AUDIT_ACTIONS}>
            {(action) => (
              <option value={action} selected={props.filters.action === action}>
                {t(`audit.action.${action}`)}
              </option>
            )}
          </For>
        </select>
      </label>
      <label class="field">
        <span>{t("audit.filter.hotel")}</span>
        <select name="hotel">
          <option value="" selected={!props.filters.hotel}>
            {t("audit.filter.anyHotel")}
          </option>
          <For each={props.hotels}>
            {(hotel) => (
              <option value={hotel.id} selected={props.filters.hotel === hotel.id}>
                {hotel.name}
              </option>
            )}
          </For>
        </select>
      </label>
      <label class="field">
        <span>{t("audit.filter.from", { zone: zoneName() })}</span>
        <input name="from" type="datetime-local" value={props.filters.from ?? ""} />
      </label>
      <label class="field">
        <span>{t("audit.filter.to", { zone: zoneName() })}</span>
        <input name="to" type="datetime-local" value={props.filters.to ?? ""} />
      </label>
      <div class="audit-filter-actions">
        <button type="submit" class="button button-primary">
          {t("audit.filter.apply")}
        </button>
        <button type="button" class="button" onClick={() => props.onFilters({})}>
          {t("audit.filter.clear")}
        </button>
      </div>
    </form>
  );
}

function VerifyChain(props: { verify: () => Promise<AuditVerdict> }): JSX.Element {
  const [state, setState] = createSignal<
    | { status: "idle" }
    | { status: "checking" }
    | { status: "done"; verdict: AuditVerdict }
    | { status: "error"; error: unknown }
  >({ status: "idle" });
  const check = async () => {
    setState({ status: "checking" });
    try {
      setState({ status: "done", verdict: await props.verify() });
    } catch (error) {
      setState({ status: "error", error });
    }
  };
  const current = state;
  return (
    <div class="audit-verify">
      <button
        type="button"
        class="button"
        disabled={current().status === "checking"}
        aria-busy={current().status === "checking"}
        onClick={() => void check()}
      >
        {current().status === "checking" ? t("audit.verify.checking") : t("audit.verify.button")}
      </button>
      <div aria-live="polite">
        {(() => {
          const shown = current();
          if (shown.status === "done") {
            const { verdict } = shown;
            return verdict.broken ? (
              <p class="audit-verdict" role="alert">
                <Badge tone="critical">{t("audit.verify.broken")}</Badge>{" "}
                {t("audit.verify.brokenAt", {
                  id: verdict.broken.id,
                  reason: verdict.broken.reason,
                })}
              </p>
            ) : (
              <p class="audit-verdict">
                <Badge tone="ok">{t("audit.verify.intact")}</Badge>{" "}
                {t("audit.verify.checked", { rows: verdict.rows })}
                <Show when={verdict.unchained > 0}>
                  {" "}
                  {t("audit.verify.unchained", { count: verdict.unchained })}
                </Show>
              </p>
            );
          }
          if (shown.status === "error")
            return (
              <p class="audit-verdict muted">
                {isForbidden(shown.error) ? t("audit.verify.forbidden") : errorMessage(shown.error)}
              </p>
            );
          return null;
        })()}
      </div>
    </div>
  );
}

export function Audit(props: AuditProps): JSX.Element {
  const pages = () => Math.max(1, Math.ceil((props.rows?.length ?? 0) / PAGE_SIZE));
  const page = () => Math.min(props.page, pages());
  const shown = () => props.rows?.slice((page() - 1) * PAGE_SIZE, page() * PAGE_SIZE) ?? [];
  return (
    <section class="page audit-page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title">{t("audit.title")}</h1>
          <p class="muted small">{t("audit.subtitle")}</p>
        </div>
        <div class="page-actions audit-actions">
          <DownloadButton busyText={t("audit.preparing")} download={props.exportCsv}>
            {t("audit.exportCsv")}
          </DownloadButton>
          <VerifyChain verify={props.verify} />
        </div>
      </header>

      <FilterForm filters={props.filters} hotels={props.hotels} onFilters={props.onFilters} />

      <section class="panel" aria-labelledby="rows-title">
        <h2 id="rows-title" class="visually-hidden">
          {t("audit.rows")}
        </h2>
        <Show
          when={!props.error}
          fallback={
            isForbidden(props.error) ? (
              <EmptyState title={t("audit.forbidden")}>
                <p>{t("audit.forbiddenBody")}</p>
              </EmptyState>
            ) : (
              <ErrorState error={props.error} retry={props.retry} />
            )
          }
        >
          <Show when={props.rows} fallback={<Loading />}>
            {(rows) => (
              <Show
                when={rows().length > 0}
                fallback={
                  <EmptyState title={t("audit.empty")}>
                    <p>{t("audit.emptyBody")}</p>
                  </EmptyState>
                }
              >
                <p class="muted small" aria-live="polite">
                  {t("audit.count", {
                    count: rows().length,
                    from: (page() - 1) * PAGE_SIZE + 1,
                    to: (page() - 1) * PAGE_SIZE + shown().length,
                  })}
                  <Show when={props.truncated}>
                    {" "}
                    {t("audit.truncated", { limit: FETCH_LIMIT })}
                  </Show>
                </p>
                <section class="table-wrap" aria-labelledby="rows-title" tabindex="0">
                  <table class="audit-table">
                    <thead>
                      <tr>
                        <th scope="col">{t("audit.col.when")}</th>
                        <th scope="col">{t("audit.col.who")}</th>
                        <th scope="col">{t("audit.col.address")}</th>
                        <th scope="col">{t("audit.col.action")}</th>
                        <th scope="col">{t("audit.col.scope")}</th>
                        <th scope="col">{t("audit.col.params")}</th>
                        <th scope="col" class="numeric">
                          {t("audit.col.rows")}
                        </th>
                        <th scope="col">
                          <span class="visually-hidden">{t("audit.col.detail")}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={shown()}>
                        {(row) => {
                          const open = () => props.openRow === row.id;
                          const detail = () => detailOf(row);
                          return (
                            <>
                              <tr classList={{ "is-open": open() }}>
                                <td class="nowrap" data-label={t("audit.col.when")}>
                                  {formatDateTime(row.at)}
                                </td>
                                <td class="mono" data-label={t("audit.col.who")}>
                                  {row.actor}
                                </td>
                                <td class="mono" data-label={t("audit.col.address")}>
                                  {detail().address ?? "—"}
                                </td>
                                <td data-label={t("audit.col.action")}>
                                  <ActionCell row={row} />
                                </td>
                                <td data-label={t("audit.col.scope")}>{scopeText(row)}</td>
                                <td
                                  class="mono small audit-params"
                                  data-label={t("audit.col.params")}
                                >
                                  {paramsSummary(row) || "—"}
                                </td>
                                <td class="numeric" data-label={t("audit.col.rows")}>
                                  {typeof detail().rows === "number"
                                    ? formatNumber(detail().rows ?? 0)
                                    : "—"}
                                </td>
                                <td class="audit-row-toggle">
                                  <button
                                    type="button"
                                    class="button-link"
                                    aria-expanded={open()}
                                    aria-controls={`audit-row-${row.id}`}
                                    aria-label={t(open() ? "audit.hideLabel" : "audit.showLabel", {
                                      id: row.id,
                                    })}
                                    onClick={() => props.onOpenRow(open() ? undefined : row.id)}
                                  >
                                    {open() ? t("audit.hide") : t("audit.show")}
                                  </button>
                                </td>
                              </tr>
                              <Show when={open()}>
                                <tr class="audit-detail-row">
                                  <td colSpan={8} id={`audit-row-${row.id}`}>
                                    <pre class="audit-json" tabindex="0">
                                      {JSON.stringify(row, null, 2)}
                                    </pre>
                                  </td>
                                </tr>
                              </Show>
                            </>
                          );
                        }}
                      </For>
                    </tbody>
                  </table>
                </section>
                <Show when={pages() > 1}>
                  <nav class="pager" aria-label={t("audit.pages")}>
                    <button
                      type="button"
                      class="button"
                      disabled={page() <= 1}
                      onClick={() => props.onPage(page() - 1)}
                    >
                      ‹ {t("audit.previous")}
                    </button>
                    <span>{t("audit.pageOf", { page: page(), pages: pages() })}</span>
                    <button
                      type="button"
                      class="button"
                      disabled={page() >= pages()}
                      onClick={() => props.onPage(page() + 1)}
                    >
                      {t("audit.next")} ›
                    </button>
                  </nav>
                </Show>
              </Show>
            )}
          </Show>
        </Show>
      </section>
    </section>
  );
}
