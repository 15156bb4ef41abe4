/**
 * Who may do what: the roles' permissions and the principal a request acts
 * as, taken once at the edge (hub/src/api/authenticate.ts) from the admin
 * credential or a verified access token, and handed to every call below.
 */
import { RefusedRequestError } from "../errors.ts";
import type { UserRole } from "../store/schema.ts";

export const PERMISSIONS = [
  /** Guests' events: search, histogram, top, context, export, the 5651 lookups, live tail. */
  "read_events",
  /** Chunks, their verdicts, evidence bundles, day roll-ups, compliance reports. */
  "read_custody",
  "read_devices",
  "name_devices",
  /** Agents' status, enrollment tokens, revocation. */
  "manage_agents",
  "manage_users",
  "manage_hotels",
  "read_audit",
  "reindex",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<UserRole, readonly Permission[]> = {
  chain_admin: PERMISSIONS,
  hotel_manager: ["read_events", "read_custody", "read_devices", "name_devices"],
  // Reads and verifies; changes nothing.
  auditor: ["read_events", "read_custody", "read_devices", "read_audit"],
  // KVKK data minimisation: the network, never the guests' traffic.
  hotel_it: ["read_devices", "name_devices", "manage_agents"],
};

/** Who a request acts as. */
export type Principal =
  /** The CLI's local admin credential (data dir, 0600): the chain admin's machine key. */
  | { kind: "admin_credential"; actor: string }
  | {
      kind: "user";
      userId: string;
      username: string;
      role: UserRole;
      /** The hotels the user is bound to (chain admins and unbound auditors: none, meaning every hotel). */
      hotels: readonly string[];
      /** The login (refresh-token family) the access token belongs to. */
      sessionId: string;
    };

/** The audit log's name for a principal. */
export function actorName(principal: Principal): string {
  return principal.kind === "admin_credential" ? principal.actor : `user:${principal.username}`;
}

export function can(principal: Principal, permission: Permission): boolean {
  return (
    principal.kind === "admin_credential" || ROLE_PERMISSIONS[principal.role].includes(permission)
  );
}

/**
 * Refuse (403) unless the principal has the permission.
 *
 * @example
 * requirePermission(principal, "read_events");
 */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) {
    throw new RefusedRequestError(
      `your role may not do this (${permission.replaceAll("_", " ")})`,
      403,
    );
  }
}

/**
 * Whether the principal acts for the whole chain: the admin credential, a
 * chain admin and an auditor bound to no hotel. Only they reach what belongs
 * to no hotel (accounts, logins in the audit log).
 */
export function isChainWide(principal: Principal): boolean {
  return (
    principal.kind === "admin_credential" ||
    principal.role === "chain_admin" ||
    (principal.role === "auditor" && principal.hotels.length === 0)
  );
}

/**
 * The hotels a principal may read: every hotel when it is chain-wide;
 * otherwise its bindings (none: nothing).
 */
export function hotelsOf(principal: Principal, allHotels: readonly string[]): string[] {
  if (principal.kind === "admin_credential" || isChainWide(principal)) return [...allHotels];
  return principal.hotels.filter((hotel) => allHotels.includes(hotel));
}
