/**
 * The account form's rules, the hub's own (hub/src/admin/users.ts) checked
 * before sending so the form can say what is wrong next to the field: a
 * chain admin takes no hotels, a manager and hotel IT at least one, an
 * auditor any (none: every hotel); a given password has 12 characters or more.
 */
import type { UserRole } from "../../api/types.ts";
import type { MessageKey } from "../../i18n/index.ts";

export const USER_ROLES = [
  "chain_admin",
  "hotel_manager",
  "hotel_it",
  "auditor",
] as const satisfies readonly UserRole[];

/** Which roles are bound to hotels (the hub's `HOTEL_BINDING`). */
export const HOTEL_BINDING: Record<UserRole, "none" | "some" | "any"> = {
  chain_admin: "none",
  hotel_manager: "some",
  hotel_it: "some",
  auditor: "any",
};

const USERNAME = /^[a-z0-9._-]{2,64}$/;
export const MIN_PASSWORD_CHARS = 12;

export interface UserDraft {
  username: string;
  role: UserRole;
  hotels: readonly string[];
  /** Empty: the hub generates one. */
  password: string;
}

export interface UserRequestBody {
  username: string;
  role: UserRole;
  hotels: string[];
  password?: string;
}

export type DraftCheck =
  | { ok: true; body: UserRequestBody }
  | { ok: false; field: "username" | "hotels" | "password"; problem: MessageKey };

/**
 * The request for a draft, or the first thing wrong with it.
 *
 * @example
 * checkDraft({ username: "ayse", role: "hotel_manager", hotels: [], password: "" });
 * // { ok: false, field: "hotels", problem: "users.rule.needsHotel" }
 */
export function checkDraft(draft: UserDraft): DraftCheck {
  const username = draft.username.trim().toLowerCase();
  if (!USERNAME.test(username))
    return { ok: false, field: "username", problem: "users.rule.username" };
  const binding = HOTEL_BINDING[draft.role];
  // A chain admin's hotels are every hotel: whatever was ticked before the role changed is dropped.
  const hotels = binding === "none" ? [] : [...draft.hotels];
  if (binding === "some" && hotels.length === 0)
    return { ok: false, field: "hotels", problem: "users.rule.needsHotel" };
  if (draft.password !== "" && draft.password.length < MIN_PASSWORD_CHARS)
    return { ok: false, field: "password", problem: "users.rule.password" };
  return {
    ok: true,
    body: {
      username,
      role: draft.role,
      hotels,
      ...(draft.password === "" ? {} : { password: draft.password }),
    },
  };
}
