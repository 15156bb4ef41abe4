/**
 * The signed-in person's saved searches (`/api/saved-searches`): the list,
 * loaded once per visit of the search page, saved and deleted through the
 * hub. A save shows as soon as the hub answers; a deletion at once, put back
 * when the hub refuses it. Nothing here renders.
 */
import { createResource } from "solid-js";
import { api } from "../api/client.ts";
import type { SavedSearchView } from "../api/types.ts";

export interface SavedSearchStore {
  /** The searches by name; undefined while loading (or after a failed load). */
  list(): readonly SavedSearchView[] | undefined;
  error(): unknown;
  retry(): void;
  /** Save `query` under `name` (the same name replaces that search's query). */
  save(name: string, query: string): Promise<SavedSearchView>;
  remove(search: SavedSearchView): Promise<void>;
}

const byName = (a: SavedSearchView, b: SavedSearchView) => a.name.localeCompare(b.name);

/**
 * @example
 * const saved = createSavedSearches();
 * await saved.save("Lara DHCP", "q=assigned&range=24h");
 */
export function createSavedSearches(): SavedSearchStore {
  const [list, control] = createResource(async () =>
    (await api<SavedSearchView[]>("/api/saved-searches")).sort(byName),
  );
  return {
    list: () => (list.error ? undefined : list.latest),
    error: () => list.error,
    retry: () => void control.refetch(),
    async save(name, query) {
      const saved = await api<SavedSearchView>("/api/saved-searches", {
        method: "POST",
        body: { name, query },
      });
      control.mutate((current) =>
        [...(current ?? []).filter((search) => search.id !== saved.id), saved].sort(byName),
      );
      return saved;
    },
    async remove(search) {
      const before = list.latest;
      control.mutate((current) => current?.filter((candidate) => candidate.id !== search.id));
      try {
        await api(`/api/saved-searches/${encodeURIComponent(search.id)}`, { method: "DELETE" });
      } catch (error) {
        control.mutate(before);
        throw error;
      }
    },
  };
}
