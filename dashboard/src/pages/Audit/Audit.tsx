/**
 * The audit log viewer's view: the filters (the hub applies them), the rows
 * loaded so far (who, when, from where, what, in which scope, with which
 * parameters, how many rows) with "Load older" after them, a row's full
 * JSON, the CSV export and the check of the hash chain. Plain props;
 * ./index.tsx reads the URL and loads the rows.
 */
import { createSignal, For, type JSX, Show } from "solid-js";
import { ApiError, errorMessage } from "../../api/client.ts";
import type { AuditVerdict, AuditView, HotelOverview } from "../../api/types.ts";
import { Badge } from "../../components/Badge.tsx";
import { DownloadButton } from "../../components/DownloadButton.tsx";
import { EmptyState, ErrorState, ListStates } from "../../components/States.tsx";
import { formatDateTime, formatNumber, type MessageKey, t, zone } from "../../i18n/index.ts";
import {
  AUDIT_ACTIONS,
  type AuditFilters,
  detailOf,
  FILTER_MAX_CHARS,
  paramsSummary,
} from "./filters.ts";
import "../../components/admin.css";
import "./audit.css";

export interface AuditProps {
  filters: AuditFilters;
  hotels: readonly HotelOverview[];
  /** The rows loaded so far, newest first; undefined while the newest page loads. */
  rows: readonly AuditView[] | undefined;
  /** No older row passes the filters. */
  complete: boolean;
  /** A page is on its way. */
  loading: boolean;
  /** The newest page's failure (no rows), or an older page's. */
  error: unknown;
  retry: () => void;
  loadOlder: () => void;
  /** The row whose JSON is open. */
  openRow: number | undefined;
  onFilters: (filters: AuditFilters) => void;
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
  let actionSelect: HTMLSelectElement | undefined;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!form) return;
    const data = new FormData(form);
    const value = (name: string) => {
      const text = String(data.get(name) ?? "").trim();
      return text === "" ? undefined : text;
    };
    // From the select itself: happy-dom's FormData (the tests' DOM) gives a multiple select's first option only.
    const chosen = [...(actionSelect?.selectedOptions ?? [])].map((option) => option.value);
    const actions = AUDIT_ACTIONS.filter((action) => chosen.includes(action));
    props.onFilters({
      actor: value("actor"),
      actions: actions.length > 0 ? actions : undefined,
      hotel: value("hotel"),
      from: value("from"),
      to: value("to"),
      q: value("q"),
    });
  };
  const zoneName = () => (zone() === "utc" ? t("zone.utc") : t("zone.istanbul"));
  return (
    <form class="panel admin-form" ref={form} onSubmit={submit} aria-labelledby="filters-title">
      <h2 id="filters-title" class="visually-hidden">
        {t("audit.filters")}
      </h2>
      <label class="field">
        <span>{t("audit.filter.actorMatch")}</span>
        <input
          name="actor"
          type="search"
          value={props.filters.actor ?? ""}
          placeholder={t("audit.filter.actorPlaceholder")}
          maxLength={FILTER_MAX_CHARS}
          autocomplete="off"
        />
      </label>
      <div class="field">
        {/* Named by a span like the fields around it; the hint stays out of its name. */}
        <span id="audit-actions-label">{t("audit.filter.action")}</span>
        <select
          aria-labelledby="audit-actions-label"
          ref={actionSelect}
          name="action"
          multiple
          size={4}
          aria-describedby="audit-actions-hint"
        >
          <For each={AUDIT_ACTIONS}>
            {(action) => (
              <option value={action} selected={props.filters.actions?.includes(action) ?? false}>
                {t(`audit.action.${action}`)}
              </option>
            )}
          </For>
        </select>
        <span id="audit-actions-hint" class="muted small">
          {t("audit.filter.actionHint")}
        </span>
      </div>
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
      <label class="field">
        <span>{t("audit.filter.text")}</span>
        <input
          name="q"
          type="search"
          value={props.filters.q ?? ""}
          maxLength={FILTER_MAX_CHARS}
          autocomplete="off"
        />
      </label>
      <div class="admin-form-actions">
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

function RowsTable(props: {
  rows: readonly AuditView[];
  openRow: number | undefined;
  onOpenRow: (id: number | undefined) => void;
}): JSX.Element {
  return (
    <section class="table-wrap" aria-labelledby="rows-title" tabindex="0">
      <table class="admin-table audit-table">
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
          <For each={props.rows}>
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
                    <td class="mono small audit-params" data-label={t("audit.col.params")}>
                      {paramsSummary(row) || "—"}
                    </td>
                    <td class="numeric" data-label={t("audit.col.rows")}>
                      {typeof detail().rows === "number" ? formatNumber(detail().rows ?? 0) : "—"}
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
  );
}

/** After the rows: "Load older", or that there is nothing older; an older page's failure with its retry. */
function Older(props: {
  complete: boolean;
  loading: boolean;
  error: unknown;
  retry: () => void;
  loadOlder: () => void;
}): JSX.Element {
  return (
    <div class="audit-older">
      <Show when={props.error}>
        <ErrorState error={props.error} retry={props.retry} />
      </Show>
      <Show when={!props.complete} fallback={<p class="muted small">{t("audit.noOlder")}</p>}>
        <Show when={!props.error}>
          <button
            type="button"
            class="button"
            disabled={props.loading}
            aria-busy={props.loading}
            onClick={() => props.loadOlder()}
          >
            {props.loading ? t("audit.loadingOlder") : t("audit.loadOlder")}
          </button>
        </Show>
      </Show>
    </div>
  );
}

export function Audit(props: AuditProps): JSX.Element {
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
          when={!(props.rows === undefined && isForbidden(props.error))}
          fallback={
            <EmptyState title={t("audit.forbidden")}>
              <p>{t("audit.forbiddenBody")}</p>
            </EmptyState>
          }
        >
          <ListStates
            items={props.rows}
            // Once rows show, a failure is an older page's: it shows below them.
            error={props.rows === undefined ? props.error : undefined}
            retry={props.retry}
            empty={
              <EmptyState title={t("audit.empty")}>
                <p>{t("audit.emptyBody")}</p>
              </EmptyState>
            }
          >
            {(rows) => (
              <>
                <p class="muted small" aria-live="polite">
                  {t("audit.loaded", { count: rows().length })}
                </p>
                <RowsTable rows={rows()} openRow={props.openRow} onOpenRow={props.onOpenRow} />
                <Older
                  complete={props.complete}
                  loading={props.loading}
                  error={props.error}
                  retry={props.retry}
                  loadOlder={props.loadOlder}
                />
              </>
            )}
          </ListStates>
        </Show>
      </section>
    </section>
  );
}
