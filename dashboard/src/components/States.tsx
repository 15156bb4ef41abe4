/** Loading, empty, error and not-found states: one look for every page. */
import { A } from "@solidjs/router";
import { type Accessor, type JSX, Show } from "solid-js";
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

/**
 * A loaded value's states in one place: its error (with retry), loading
 * while it is undefined, else `children` with the value.
 *
 * @example
 * <LoadStates value={props.data} error={props.error} retry={props.retry}>
 *   {(data) => <p>{data().name}</p>}
 * </LoadStates>
 */
export function LoadStates<T>(props: {
  value: T | undefined;
  error?: unknown;
  retry?: () => void;
  children: (value: Accessor<NonNullable<T>>) => JSX.Element;
}): JSX.Element {
  return (
    <Show when={!props.error} fallback={<ErrorState error={props.error} retry={props.retry} />}>
      <Show when={props.value} fallback={<Loading />}>
        {(value) => props.children(value)}
      </Show>
    </Show>
  );
}

/**
 * A list's states in one place: those of {@link LoadStates}, and `empty`
 * when the list has nothing, else `children` with the list.
 *
 * @example
 * <ListStates items={props.users} error={props.error} retry={props.retry} empty={<EmptyState title="…" />}>
 *   {(users) => <For each={users()}>{(user) => <p>{user.username}</p>}</For>}
 * </ListStates>
 */
export function ListStates<T>(props: {
  items: readonly T[] | undefined;
  error?: unknown;
  retry?: () => void;
  empty: JSX.Element;
  children: (items: Accessor<readonly T[]>) => JSX.Element;
}): JSX.Element {
  return (
    <LoadStates value={props.items} error={props.error} retry={props.retry}>
      {(items) => (
        <Show when={items().length > 0} fallback={props.empty}>
          {props.children(items)}
        </Show>
      )}
    </LoadStates>
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
