/** Loading, empty, error and not-found states: one look for every page. */
import { A } from "@solidjs/router";
import type { JSX } from "solid-js";
import { errorMessage } from "../api/client.ts";
import { t } from "../i18n/index.ts";

export function Loading(props: { label?: string }): JSX.Element {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? t("state.loading")}</span>
    </div>
  );
}

export function ErrorState(props: { error: unknown; retry?: () => void }): JSX.Element {
  return (
    <div class="state state-error" role="alert">
      <p>{errorMessage(props.error)}</p>
      {props.retry ? (
        <button type="button" class="button" onClick={() => props.retry?.()}>
          {t("error.retry")}
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState(props: { title: string; children?: JSX.Element }): JSX.Element {
  return (
    <div class="state state-empty">
      <h2>{props.title}</h2>
      {props.children}
    </div>
  );
}

export function NotFoundState(): JSX.Element {
  return (
    <section class="page" aria-labelledby="not-found-title">
      <div class="state state-empty">
        <h1 id="not-found-title">{t("state.notFound")}</h1>
        <p>{t("state.notFoundBody")}</p>
        <A href="/" class="button">
          {t("state.backToOverview")}
        </A>
      </div>
    </section>
  );
}
