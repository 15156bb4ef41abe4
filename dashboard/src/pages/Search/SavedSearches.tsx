/**
 * The person's saved searches beside the query bar: "Save search" keeps the
 * current search (its URL query string) under a name, in an inline form;
 * "Saved searches" opens the list, where a name is a link to that search and
 * each has its delete button. Two disclosures (not menus): Tab moves through
 * them, Escape closes and gives the focus back to the button that opened.
 */
import { A } from "@solidjs/router";
import { createSignal, For, type JSX, Show } from "solid-js";
import { errorMessage } from "../../api/client.ts";
import type { SavedSearchView } from "../../api/types.ts";
import { EmptyState, ListStates } from "../../components/States.tsx";
import type { SavedSearchStore } from "../../data/saved-searches.ts";
import { t } from "../../i18n/index.ts";

/** The hub's limit (hub/src/store/schema.ts `SAVED_SEARCH_NAME_MAX`). */
const NAME_MAX = 80;

export interface SavedSearchesProps {
  store: SavedSearchStore;
  /** The search shown now as its URL query string without `?`: what a save keeps. */
  query(): string;
}

/** The link that reopens a saved search. */
export const savedSearchHref = (search: SavedSearchView) =>
  search.query ? `/search?${search.query}` : "/search";

export function SavedSearches(props: SavedSearchesProps): JSX.Element {
  const [open, setOpen] = createSignal<"list" | "save">();
  const [name, setName] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [status, setStatus] = createSignal("");
  let listButton: HTMLButtonElement | undefined;
  let saveButton: HTMLButtonElement | undefined;
  let list: HTMLUListElement | undefined;

  const close = (focus?: HTMLElement) => {
    setOpen(undefined);
    setError(undefined);
    if (focus) queueMicrotask(() => focus.focus());
  };
  const toggle = (panel: "list" | "save") => {
    setError(undefined);
    setOpen(open() === panel ? undefined : panel);
  };
  const closeOnEscape = (focus: () => HTMLElement | undefined) => (event: KeyboardEvent) => {
    if (event.key !== "Escape" || busy()) return;
    event.preventDefault();
    close(focus());
  };
  const exists = () => {
    const wanted = name().trim();
    return wanted !== "" && (props.store.list() ?? []).some((search) => search.name === wanted);
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const wanted = name().trim();
    if (!wanted) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await props.store.save(wanted, props.query());
      setName("");
      setStatus(t("search.saved.saved", { name: saved.name }));
      close(saveButton);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (search: SavedSearchView, index: number) => {
    setError(undefined);
    try {
      await props.store.remove(search);
      setStatus(t("search.saved.deleted", { name: search.name }));
      // The focus goes to the search that took its place, else the one before, else the button.
      queueMicrotask(() => {
        const links = [...(list?.querySelectorAll<HTMLElement>(".saved-open") ?? [])];
        (links[index] ?? links[index - 1] ?? listButton)?.focus();
      });
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div class="saved-searches">
      <button
        ref={listButton}
        type="button"
        class="button"
        aria-expanded={open() === "list"}
        aria-controls="saved-searches-list"
        onClick={() => toggle("list")}
      >
        {t("search.saved.button")}
      </button>
      <button
        ref={saveButton}
        type="button"
        class="button"
        aria-expanded={open() === "save"}
        aria-controls="saved-search-form"
        onClick={() => toggle("save")}
      >
        {t("search.saved.save")}
      </button>
      <p class="visually-hidden" role="status" aria-live="polite">
        {status()}
      </p>
      <Show when={open() === "save"}>
        <form
          id="saved-search-form"
          class="saved-panel"
          aria-label={t("search.saved.save")}
          onSubmit={(event) => void save(event)}
          onKeyDown={closeOnEscape(() => saveButton)}
        >
          <label class="search-field">
            <span>{t("search.saved.name")}</span>
            <input
              type="text"
              required
              maxLength={NAME_MAX}
              autocomplete="off"
              value={name()}
              onInput={(event) => setName(event.currentTarget.value)}
              ref={(input) => queueMicrotask(() => input.focus())}
            />
          </label>
          <Show when={exists()}>
            <p class="small">{t("search.saved.replaces")}</p>
          </Show>
          <Show when={error()}>
            <p class="form-error" role="alert">
              {errorMessage(error())}
            </p>
          </Show>
          <div class="saved-actions">
            <button
              type="submit"
              class="button button-primary"
              disabled={busy() || name().trim() === ""}
              aria-busy={busy()}
            >
              {busy() ? t("search.saved.saving") : t("search.saved.submit")}
            </button>
            <button type="button" class="button" onClick={() => close(saveButton)}>
              {t("search.saved.cancel")}
            </button>
          </div>
        </form>
      </Show>
      <Show when={open() === "list"}>
        <section
          id="saved-searches-list"
          class="saved-panel"
          aria-label={t("search.saved.listLabel")}
          onKeyDown={closeOnEscape(() => listButton)}
        >
          <p class="small">{t("search.saved.help")}</p>
          <ListStates
            items={props.store.list()}
            error={props.store.error()}
            retry={props.store.retry}
            empty={
              <EmptyState title={t("search.saved.empty")}>
                <p>{t("search.saved.emptyBody")}</p>
              </EmptyState>
            }
          >
            {(searches) => (
              <ul ref={list} class="saved-list">
                <For each={searches()}>
                  {(search, index) => (
                    <li>
                      <A href={savedSearchHref(search)} class="saved-open" onClick={() => close()}>
                        {search.name}
                      </A>
                      <button
                        type="button"
                        class="button-link"
                        aria-label={t("search.saved.deleteLabel", { name: search.name })}
                        onClick={() => void remove(search, index())}
                      >
                        {t("search.saved.delete")}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            )}
          </ListStates>
          <Show when={error()}>
            <p class="form-error" role="alert">
              {errorMessage(error())}
            </p>
          </Show>
        </section>
      </Show>
    </div>
  );
}
