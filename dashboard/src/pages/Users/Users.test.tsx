import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { HotelOverview, UserPasswordAnswer, UserView } from "../../api/types.ts";
import { setLocale } from "../../i18n/index.ts";
import { checkDraft } from "./rules.ts";
import { Users, type UsersProps } from "./Users.tsx";

const HOTELS = [
  { id: "antalya-lara", name: "Lara Beach" },
  { id: "istanbul-sisli", name: "Şişli" },
] as HotelOverview[];

function user(username: string, extra: Partial<UserView> = {}): UserView {
  return {
    id: username,
    username,
    role: "hotel_manager",
    hotels: ["antalya-lara"],
    created_at: "2026-01-01T00:00:00.000Z",
    password_changed_at: "2026-01-01T00:00:00.000Z",
    disabled_at: null,
    totp_enabled_at: null,
    ...extra,
  };
}

const answer = (username: string, password: string | null): UserPasswordAnswer => ({
  user: user(username),
  generated_password: password,
});

function props(extra: Partial<UsersProps> = {}): UsersProps {
  return {
    hotels: HOTELS,
    users: [
      user("zincir", { role: "chain_admin", hotels: [], totp_enabled_at: "2026-02-01T00:00:00Z" }),
      user("mudur-a"),
    ],
    error: undefined,
    retry: () => {},
    addUser: async (body) => answer(body.username, "Generated-Secret-42"),
    disable: async () => {},
    resetPassword: async (username) => answer(username, "Reset-Secret-42"),
    ...extra,
  };
}

beforeEach(() => setLocale("en"));

describe("the account rules", () => {
  test("roles and hotels, user names and passwords", () => {
    const draft = { username: "Ayse", role: "hotel_manager" as const, hotels: [], password: "" };
    expect(checkDraft(draft)).toEqual({
      ok: false,
      field: "hotels",
      problem: "users.rule.needsHotel",
    });
    expect(checkDraft({ ...draft, hotels: ["antalya-lara"] })).toEqual({
      ok: true,
      body: { username: "ayse", role: "hotel_manager", hotels: ["antalya-lara"] },
    });
    // A chain admin's ticked hotels are dropped: it sees every hotel.
    expect(checkDraft({ ...draft, role: "chain_admin", hotels: ["antalya-lara"] })).toMatchObject({
      ok: true,
      body: { hotels: [] },
    });
    expect(checkDraft({ ...draft, role: "auditor" })).toMatchObject({ ok: true });
    expect(checkDraft({ ...draft, role: "hotel_it" })).toMatchObject({ field: "hotels" });
    expect(checkDraft({ ...draft, username: "a b" })).toMatchObject({ field: "username" });
    expect(checkDraft({ ...draft, role: "auditor", password: "short" })).toMatchObject({
      field: "password",
    });
  });
});

describe("the users page", () => {
  test("lists role, hotels, state and second factor", () => {
    render(() => <Users {...props()} />);
    const rows = screen.getAllByRole("row");
    expect(within(rows[1] as HTMLElement).getByText("Chain admin")).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText("All hotels")).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText("On since 01.02.2026")).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText("Lara Beach")).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText("Off")).toBeTruthy();
  });

  test("the form follows the role's hotel rule and shows a generated password once", async () => {
    const addUser = vi.fn(async (body: { username: string }) =>
      answer(body.username, "Gen-Pass-1234"),
    );
    render(() => <Users {...props({ addUser })} />);
    fireEvent.input(screen.getByLabelText("User name"), {
      target: { value: "resepsiyon" },
    });
    // A manager without a hotel: refused here, nothing sent.
    fireEvent.click(screen.getByRole("button", { name: "Add user" }));
    expect(
      await screen.findByText("A hotel manager or hotel IT needs at least one hotel."),
    ).toBeTruthy();
    expect(addUser).not.toHaveBeenCalled();

    // A chain admin takes no hotels: the choice is gone.
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "chain_admin" } });
    expect(screen.getByText("A chain admin sees every hotel.")).toBeTruthy();
    expect(screen.queryByRole("checkbox", { name: "Lara Beach" })).toBeNull();

    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "hotel_it" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "Şişli" }));
    fireEvent.click(screen.getByRole("button", { name: "Add user" }));
    await waitFor(() =>
      expect(addUser).toHaveBeenCalledWith({
        username: "resepsiyon",
        role: "hotel_it",
        hotels: ["istanbul-sisli"],
      }),
    );
    expect(await screen.findByText("Gen-Pass-1234")).toBeTruthy();
    expect(screen.getByText(/Shown only this once/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Done, hide the password" }));
    expect(screen.queryByText("Gen-Pass-1234")).toBeNull();
  });

  test("a typed password is sent; disable asks first", async () => {
    const addUser = vi.fn(async (body: { username: string }) => answer(body.username, null));
    const disable = vi.fn(async () => {});
    render(() => <Users {...props({ addUser, disable })} />);
    fireEvent.input(screen.getByLabelText("User name"), {
      target: { value: "denetci2" },
    });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "auditor" } });
    fireEvent.click(screen.getByLabelText("Type one"));
    fireEvent.input(screen.getByLabelText("New password"), {
      target: { value: "a long enough password" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Add user" }));
    await waitFor(() =>
      expect(addUser).toHaveBeenCalledWith({
        username: "denetci2",
        role: "auditor",
        hotels: [],
        password: "a long enough password",
      }),
    );

    fireEvent.click(screen.getByRole("button", { name: "Disable mudur-a" }));
    expect(screen.getByRole("alertdialog", { name: "Disable mudur-a?" })).toBeTruthy();
    expect(disable).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Disable the account" }));
    await waitFor(() => expect(disable).toHaveBeenCalledWith("mudur-a"));
  });

  test("the signed-in admin's own row is marked and offers no Disable", () => {
    render(() => <Users {...props({ self: "zincir" })} />);
    const own = screen.getByText("zincir").closest("tr") as HTMLElement;
    expect(within(own).getByText("(you)")).toBeTruthy();
    expect(within(own).queryByRole("button", { name: /Disable/ })).toBeNull();
    expect(screen.getByRole("button", { name: "Disable mudur-a" })).toBeTruthy();
  });
});
