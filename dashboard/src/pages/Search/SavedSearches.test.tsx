import { createMemoryHistory, MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { SavedSearchView } from "../../api/types.ts";
import { createSavedSearches } from "../../data/saved-searches.ts";
import { setLocale } from "../../i18n/index.ts";
import { SavedSearches } from "./SavedSearches.tsx";

function saved(id: string, name: string, query: string): SavedSearchView {
  return {
    id,
    name,
    query,
    created_at: "2026-12-03T07:00:00.000Z",
    updated_at: "2026-12-03T07:00:00.000Z",
  };
}

/** A hub of saved searches in memory, answering as `/api/saved-searches` does. */
function hubOf(initial: SavedSearchView[], options: { refuseDelete?: boolean } = {}) {
  let rows = [...initial];
  const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status });
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://hub");
    const method = init?.method ?? "GET";
    if (url.pathname === "/api/saved-searches" && method === "GET") return json(rows);
    if (url.pathname === "/api/saved-searches" && method === "POST") {
      const body = JSON.parse(String(init?.body)) as { name: string; query: string };
      const old = rows.find((row) => row.name === body.name);
      const row = saved(old?.id ?? `id-${rows.length + 1}`, body.name, body.query);
      rows = [...rows.filter((candidate) => candidate.id !== row.id), row];
      return json(row);
    }
    const id = /^\/api\/saved-searches\/(.+)$/.exec(url.pathname)?.[1];
    if (id && method === "DELETE") {
      if (options.refuseDelete)
        return json({ code: "internal_error", message: "the database is down" }, 500);
      if (!rows.some((row) => row.id === id)) return json({ code: "not_found", message: "" }, 404);
      rows = rows.filter((row) => row.id !== id);
      return json({ deleted: id });
    }
    return json({ code: "not_found", message: "no route" }, 404);
  });
}

function renderAt(query: string) {
  const history = createMemoryHistory();
  history.set({ value: `/search?${query}` });
  render(() => (
    <MemoryRouter history={history}>
      <Route
        path="/search"
        component={() => {
          // Made once here: a call inside the JSX prop would be a getter, a new store per read.
          const store = createSavedSearches();
          return <SavedSearches store={store} query={() => query} />;
        }}
      />
    </MemoryRouter>
  ));
  return history;
}

beforeEach(() => setLocale("en"));
afterEach(() => vi.unstubAllGlobals());

describe("saved searches", () => {
  test("the list opens by name; a saved search is a link that opens it", async () => {
    vi.stubGlobal(
      "fetch",
      hubOf([saved("b", "Lara DHCP", "q=assigned&range=24h"), saved("a", "Firewall", "q=drop")]),
    );
    const history = renderAt("range=1h");
    const toggle = screen.getByRole("button", { name: "Saved searches" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const panel = screen.getByRole("region", { name: "Your saved searches" });
    const links = await within(panel).findAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual(["Firewall", "Lara DHCP"]);
    expect(links[1]?.getAttribute("href")).toBe("/search?q=assigned&range=24h");

    fireEvent.click(links[1] as HTMLElement);
    await waitFor(() => expect(history.get()).toBe("/search?q=assigned&range=24h"));
    expect(screen.queryByRole("region", { name: "Your saved searches" })).toBeNull();
  });

  test("nothing saved yet: the empty state says how; Escape closes and gives the focus back", async () => {
    vi.stubGlobal("fetch", hubOf([]));
    renderAt("");
    const toggle = screen.getByRole("button", { name: "Saved searches" });
    fireEvent.click(toggle);
    await screen.findByText("No saved searches yet");
    fireEvent.keyDown(screen.getByRole("region", { name: "Your saved searches" }), {
      key: "Escape",
    });
    expect(screen.queryByRole("region", { name: "Your saved searches" })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(toggle));
  });

  test("Save search asks for a name and saves the current query; the same name says it replaces", async () => {
    const fetchMock = hubOf([saved("a", "Firewall", "q=drop")]);
    vi.stubGlobal("fetch", fetchMock);
    renderAt("q=assigned&ip=10.5.0.0%2F16&range=24h");
    const open = screen.getByRole("button", { name: "Save search" });
    fireEvent.click(open);
    const input = screen.getByLabelText("Name of this search") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(input));
    const submit = screen.getByRole("button", { name: "Save" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);

    // The list loads at start, so a name already used is pointed out before saving.
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    fireEvent.input(input, { target: { value: "Firewall" } });
    await screen.findByText("You have a saved search of this name: saving replaces it.");
    fireEvent.input(input, { target: { value: "  Lara subnet " } });
    expect(screen.queryByText(/saving replaces it/)).toBeNull();
    fireEvent.submit(input.closest("form") as HTMLFormElement);

    await screen.findByText("Saved as “Lara subnet”.");
    const posted = fetchMock.mock.calls.find(([, init]) => init?.method === "POST");
    expect(JSON.parse(String(posted?.[1]?.body))).toEqual({
      name: "Lara subnet",
      query: "q=assigned&ip=10.5.0.0%2F16&range=24h",
    });
    expect(screen.queryByLabelText("Name of this search")).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(open));

    fireEvent.click(screen.getByRole("button", { name: "Saved searches" }));
    const panel = screen.getByRole("region", { name: "Your saved searches" });
    expect(
      within(panel)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual(["Firewall", "Lara subnet"]);
  });

  test("a refused save shows the hub's reason and keeps the form", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) =>
        init?.method === "POST"
          ? new Response(JSON.stringify({ code: "conflict", message: "you keep 100 already" }), {
              status: 409,
            })
          : new Response("[]"),
      ),
    );
    renderAt("q=x");
    fireEvent.click(screen.getByRole("button", { name: "Save search" }));
    const input = screen.getByLabelText("Name of this search");
    fireEvent.input(input, { target: { value: "One more" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect((await screen.findByRole("alert")).textContent).toContain("you keep 100 already");
    expect(screen.getByLabelText("Name of this search")).toBeTruthy();
  });

  test("delete removes one; the focus goes to the search that took its place", async () => {
    vi.stubGlobal(
      "fetch",
      hubOf([saved("a", "Firewall", "q=drop"), saved("b", "Lara DHCP", "q=assigned")]),
    );
    renderAt("");
    fireEvent.click(screen.getByRole("button", { name: "Saved searches" }));
    fireEvent.click(
      await screen.findByRole("button", { name: "Delete the saved search “Firewall”" }),
    );
    await screen.findByText("Deleted “Firewall”.");
    const panel = screen.getByRole("region", { name: "Your saved searches" });
    expect(
      within(panel)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual(["Lara DHCP"]);
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Lara DHCP"));
  });

  test("a refused delete puts the search back and says why", async () => {
    vi.stubGlobal("fetch", hubOf([saved("a", "Firewall", "q=drop")], { refuseDelete: true }));
    renderAt("");
    fireEvent.click(screen.getByRole("button", { name: "Saved searches" }));
    fireEvent.click(
      await screen.findByRole("button", { name: "Delete the saved search “Firewall”" }),
    );
    expect((await screen.findByRole("alert")).textContent).toContain("The hub could not answer");
    const panel = screen.getByRole("region", { name: "Your saved searches" });
    expect(
      within(panel)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual(["Firewall"]);
  });

  test("a list that cannot load shows the error with a retry", async () => {
    let fail = true;
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        fail
          ? new Response(JSON.stringify({ code: "internal_error", message: "boom" }), {
              status: 500,
            })
          : new Response(JSON.stringify([saved("a", "Firewall", "q=drop")])),
      ),
    );
    renderAt("");
    fireEvent.click(screen.getByRole("button", { name: "Saved searches" }));
    await screen.findByRole("alert");
    fail = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("link", { name: "Firewall" });
  });
});
