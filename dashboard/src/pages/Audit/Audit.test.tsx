import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { createRoot, createSignal } from "solid-js";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError, queryString } from "../../api/client.ts";
import type { AuditView } from "../../api/types.ts";
import { AUDIT_PAGE_ROWS, type AuditPageFetcher, createAuditPages } from "../../data/audit.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { Audit, type AuditProps } from "./Audit.tsx";
import {
  type AuditQuery,
  auditQuery,
  filtersFromParams,
  paramsOfFilters,
  paramsSummary,
} from "./filters.ts";

function row(id: number, extra: Partial<AuditView> = {}): AuditView {
  return {
    id,
    at: "2026-12-03T07:15:00.000Z",
    actor: "user:denetci",
    action: "export",
    hotel_id: "antalya-lara",
    detail: {
      kind: "export",
      address: "127.0.0.1",
      scope: ["antalya-lara", "istanbul-sisli"],
      params: { hotel: ["antalya-lara"], hour: ["2026-12-03T07"] },
      rows: 2,
    },
    chunks: ["lara-agent001/2026-12-03T07"],
    row_sha256: "ab",
    ...extra,
  };
}

function props(extra: Partial<AuditProps> = {}): AuditProps {
  return {
    filters: {},
    hotels: [],
    rows: [row(2), row(1, { actor: "user:zincir", action: "login", hotel_id: null, detail: {} })],
    complete: false,
    loading: false,
    error: undefined,
    retry: () => {},
    loadOlder: () => {},
    openRow: undefined,
    onFilters: () => {},
    onOpenRow: () => {},
    exportCsv: async () => {},
    verify: async () => ({ rows: 2, unchained: 0 }),
    ...extra,
  };
}

beforeEach(() => {
  setLocale("en");
  setZone("istanbul");
});

describe("the audit filters", () => {
  test("the URL's filters become the hub's query string, wall times with the zone's offset", () => {
    const filters = filtersFromParams({
      actor: " user:denetci ",
      action: "export,report",
      hotel: "antalya-lara",
      from: "2026-12-03T08:00",
      to: "2026-12-03T12:30",
      q: " 10.1.1.23 ",
    });
    expect(queryString(auditQuery(filters, "istanbul"))).toBe(
      "?actor=user%3Adenetci&action=export%2Creport&hotel=antalya-lara&from=2026-12-03T08%3A00%3A00%2B03%3A00&to=2026-12-03T12%3A30%3A00%2B03%3A00&q=10.1.1.23",
    );
    expect(auditQuery(filters, "utc").from).toBe("2026-12-03T08:00:00Z");
    // Unknown actions, hotels that are no hotel id and malformed times are left out, not sent.
    expect(
      filtersFromParams({ action: "drop_table", hotel: "Otel A", from: "yesterday", q: "  " }),
    ).toEqual({});
    expect(filtersFromParams({ q: "x".repeat(500) }).q).toHaveLength(200);
  });

  test("the filters go back into the URL, cleared ones removed", () => {
    const params = paramsOfFilters({ actions: ["login", "logout"], q: "ayse" });
    expect(params).toEqual({
      actor: undefined,
      action: "login,logout",
      hotel: undefined,
      from: undefined,
      to: undefined,
      q: "ayse",
    });
    expect(filtersFromParams(params)).toEqual({ actions: ["login", "logout"], q: "ayse" });
  });

  test("a row's parameters in one line", () => {
    expect(paramsSummary(row(1))).toBe("hotel=antalya-lara · hour=2026-12-03T07");
    expect(paramsSummary(row(1, { detail: { params: { actor: "user:*", limit: "100" } } }))).toBe(
      "actor=user:* · limit=100",
    );
  });

  test("the form sends what was typed and chosen, several actions too", () => {
    const onFilters = vi.fn();
    render(() => <Audit {...props({ onFilters })} />);
    fireEvent.input(screen.getByLabelText("Who (exact, or a prefix ending in *)"), {
      target: { value: "user:den*" },
    });
    const actions = screen.getByLabelText("Action") as HTMLSelectElement;
    for (const option of actions.options)
      option.selected = option.value === "report" || option.value === "login";
    fireEvent.input(screen.getByLabelText("From (Istanbul)"), {
      target: { value: "2026-12-03T08:00" },
    });
    fireEvent.input(screen.getByLabelText("Text in the entry"), { target: { value: "10.1.1.23" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onFilters).toHaveBeenCalledWith({
      actor: "user:den*",
      actions: ["report", "login"],
      hotel: undefined,
      from: "2026-12-03T08:00",
      to: undefined,
      q: "10.1.1.23",
    });
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(onFilters).toHaveBeenLastCalledWith({});
  });

  test("the form shows the URL's filters", () => {
    render(() => (
      <Audit
        {...props({
          filters: { actor: "user:*", actions: ["login", "logout"], q: "lara" },
        })}
      />
    ));
    const actions = screen.getByLabelText("Action") as HTMLSelectElement;
    expect([...actions.selectedOptions].map((option) => option.value)).toEqual(["login", "logout"]);
    expect((screen.getByLabelText("Text in the entry") as HTMLInputElement).value).toBe("lara");
  });
});

describe("the audit table", () => {
  test("who, when in the zone shown, from where, what, scope, parameters and results", () => {
    render(() => <Audit {...props({ openRow: 2 })} />);
    const table = screen.getByRole("table");
    const cells = within(table)
      .getAllByRole("row")[1]
      ?.querySelectorAll("td") as NodeListOf<HTMLElement>;
    expect([...cells].slice(0, 7).map((cell) => cell.textContent)).toEqual([
      "03.12.2026 10:15 Istanbul",
      "user:denetci",
      "127.0.0.1",
      "Evidence export",
      "antalya-lara",
      "hotel=antalya-lara · hour=2026-12-03T07",
      "2",
    ]);
    // The opened row shows its whole JSON.
    expect(screen.getByText(/"row_sha256": "ab"/)).toBeTruthy();
    expect(within(table).getByText("Sign-in")).toBeTruthy();
    expect(screen.getByText("Entries shown: 2, newest first")).toBeTruthy();
  });

  test("Load older asks for the next page; busy while it loads; none when all are shown", () => {
    const loadOlder = vi.fn();
    const { unmount } = render(() => <Audit {...props({ loadOlder })} />);
    fireEvent.click(screen.getByRole("button", { name: "Load older" }));
    expect(loadOlder).toHaveBeenCalledTimes(1);
    unmount();

    const busy = render(() => <Audit {...props({ loading: true })} />);
    expect(
      (screen.getByRole("button", { name: "Loading older entries…" }) as HTMLButtonElement)
        .disabled,
    ).toBe(true);
    busy.unmount();

    render(() => <Audit {...props({ complete: true })} />);
    expect(screen.queryByRole("button", { name: "Load older" })).toBeNull();
    expect(screen.getByText("No older entries match these filters.")).toBeTruthy();
  });

  test("an older page's failure shows below the rows, with its retry", () => {
    const retry = vi.fn();
    render(() => <Audit {...props({ error: new ApiError(0, "network", "offline"), retry })} />);
    expect(screen.getByRole("table")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  test("the chain check shows its verdict, and a refusal in words", async () => {
    const { unmount } = render(() => <Audit {...props()} />);
    fireEvent.click(screen.getByRole("button", { name: "Check the chain" }));
    expect(await screen.findByText("Chain intact")).toBeTruthy();
    expect(screen.getByText("2 entries checked: none was changed or removed.")).toBeTruthy();
    unmount();

    setLocale("tr");
    render(() => (
      <Audit
        {...props({
          verify: () => Promise.reject(new ApiError(403, "forbidden", "chain-wide only")),
        })}
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: "Zinciri doğrula" }));
    expect(
      await screen.findByText(/yalnızca zincir genelindeki bir hesap doğrulayabilir/),
    ).toBeTruthy();
  });

  test("loading, empty, refused and failed lists say so", () => {
    const loading = render(() => <Audit {...props({ rows: undefined, loading: true })} />);
    expect(screen.getByRole("status")).toBeTruthy();
    loading.unmount();
    const empty = render(() => <Audit {...props({ rows: [], complete: true })} />);
    expect(screen.getByText("No entries")).toBeTruthy();
    empty.unmount();
    const refused = render(() => (
      <Audit {...props({ rows: undefined, error: new ApiError(403, "forbidden", "no") })} />
    ));
    expect(screen.getByText("The audit log is not open to this account")).toBeTruthy();
    refused.unmount();
    const retry = vi.fn();
    render(() => (
      <Audit {...props({ rows: undefined, error: new ApiError(0, "network", "x"), retry })} />
    ));
    expect(screen.queryByRole("table")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledTimes(1);
  });
});

describe("the audit pages", () => {
  /**
   * A log of `total` rows, ids 1..total; the fake hub answers newest first, `before` honoured,
   * up to the page and one more (what the pages ask for, to know whether older rows exist).
   */
  function fakeHub(total: number) {
    const asked: { query: AuditQuery; before: number | undefined }[] = [];
    const fetcher: AuditPageFetcher = async (query, before) => {
      asked.push({ query, before });
      const top = Math.min(total, (before ?? total + 1) - 1);
      return Array.from({ length: Math.max(0, Math.min(AUDIT_PAGE_ROWS + 1, top)) }, (_, index) =>
        row(top - index),
      );
    };
    return { asked, fetcher };
  }

  test("the newest page first, older pages appended by `before`, none twice; a new query starts over", async () => {
    const hub = fakeHub(AUDIT_PAGE_ROWS + 30);
    await createRoot(async (dispose) => {
      const [query, setQuery] = createSignal<AuditQuery>({ action: ["export"] });
      const pages = createAuditPages(query, hub.fetcher);
      await waitFor(() => expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS));
      expect(pages.rows()?.[0]?.id).toBe(AUDIT_PAGE_ROWS + 30);
      expect(pages.complete()).toBe(false);

      pages.loadOlder();
      await waitFor(() => expect(pages.complete()).toBe(true));
      const ids = pages.rows()?.map((entry) => entry.id) ?? [];
      expect(ids).toHaveLength(AUDIT_PAGE_ROWS + 30);
      expect(new Set(ids).size).toBe(ids.length);
      expect(hub.asked.map((ask) => ask.before)).toEqual([undefined, 31]);
      // Nothing older: no request.
      pages.loadOlder();
      expect(hub.asked).toHaveLength(2);

      setQuery({ actor: "user:*" });
      expect(pages.rows()).toBeUndefined();
      await waitFor(() => expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS));
      expect(hub.asked.at(-1)).toEqual({ query: { actor: "user:*" }, before: undefined });
      dispose();
    });
  });

  test("exactly a page of rows: complete at once, no Load older that finds nothing", async () => {
    const hub = fakeHub(AUDIT_PAGE_ROWS);
    await createRoot(async (dispose) => {
      const pages = createAuditPages(() => ({}), hub.fetcher);
      await waitFor(() => expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS));
      expect(pages.complete()).toBe(true);
      dispose();
    });
  });

  test("a failed older page keeps the rows; retry asks for it again", async () => {
    let fail = false;
    const hub = fakeHub(AUDIT_PAGE_ROWS * 2);
    const fetcher: AuditPageFetcher = (query, before, signal) =>
      fail
        ? Promise.reject(new ApiError(0, "network", "offline"))
        : hub.fetcher(query, before, signal);
    await createRoot(async (dispose) => {
      const pages = createAuditPages(() => ({}), fetcher);
      await waitFor(() => expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS));
      fail = true;
      pages.loadOlder();
      await waitFor(() => expect(pages.error()).toBeInstanceOf(ApiError));
      expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS);
      fail = false;
      pages.retry();
      await waitFor(() => expect(pages.rows()?.length).toBe(AUDIT_PAGE_ROWS * 2));
      expect(pages.error()).toBeUndefined();
      dispose();
    });
  });
});
