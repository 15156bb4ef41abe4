import { fireEvent, render, screen, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError, queryString } from "../../api/client.ts";
import type { AuditView } from "../../api/types.ts";
import { setLocale, setZone } from "../../i18n/index.ts";
import { Audit, type AuditProps } from "./Audit.tsx";
import { auditQuery, filtersFromParams, matches, paramsSummary } from "./filters.ts";

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
    truncated: false,
    error: undefined,
    retry: () => {},
    page: 1,
    openRow: undefined,
    onFilters: () => {},
    onPage: () => {},
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
  test("the URL's filters become the hub's query string, wall times as instants", () => {
    const filters = filtersFromParams({
      actor: " denetci ",
      action: "export",
      hotel: "antalya-lara",
      from: "2026-12-03T08:00",
      to: "2026-12-03T12:30",
    });
    expect(queryString(auditQuery(filters, "istanbul"))).toBe(
      "?limit=1000&actor=denetci&action=export&hotel=antalya-lara&from=2026-12-03T05%3A00%3A00.000Z&to=2026-12-03T09%3A30%3A00.000Z",
    );
    expect(auditQuery(filters, "utc").from).toBe("2026-12-03T08:00:00.000Z");
    // Unknown actions and malformed times are left out, not sent.
    expect(filtersFromParams({ action: "drop_table", from: "yesterday" })).toEqual({});
  });

  test("rows are filtered the same way on the page (a hub that does not filter yet)", () => {
    const filters = filtersFromParams({ actor: "DENETCI", from: "2026-12-03T10:00" });
    expect(matches(row(1), filters, "istanbul")).toBe(true);
    expect(matches(row(1), { ...filters, from: "2026-12-03T10:16" }, "istanbul")).toBe(false);
    expect(matches(row(1, { actor: "user:zincir" }), filters, "istanbul")).toBe(false);
    expect(matches(row(1, { hotel_id: null }), { hotel: "istanbul-sisli" }, "utc")).toBe(true);
    expect(matches(row(1), { hotel: "istanbul-sisli" }, "utc")).toBe(false);
    expect(paramsSummary(row(1))).toBe("hotel=antalya-lara · hour=2026-12-03T07");
  });

  test("the form sends what was typed and chosen", () => {
    const onFilters = vi.fn();
    render(() => <Audit {...props({ onFilters })} />);
    fireEvent.input(screen.getByLabelText("Who (part of the name)"), {
      target: { value: "denetci" },
    });
    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "report" } });
    fireEvent.input(screen.getByLabelText("From (Istanbul)"), {
      target: { value: "2026-12-03T08:00" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(onFilters).toHaveBeenCalledWith({
      actor: "denetci",
      action: "report",
      hotel: undefined,
      from: "2026-12-03T08:00",
      to: undefined,
    });
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

  test("empty and refused lists say so", () => {
    const { unmount } = render(() => <Audit {...props({ rows: [] })} />);
    expect(screen.getByText("No entries")).toBeTruthy();
    unmount();
    render(() => (
      <Audit {...props({ rows: undefined, error: new ApiError(403, "forbidden", "no") })} />
    ));
    expect(screen.getByText("The audit log is not open to this account")).toBeTruthy();
  });
});
