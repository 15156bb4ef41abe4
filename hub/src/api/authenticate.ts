/**
 * The edge of the `/api/` routes: who is asking, taken once from the
 * `Authorization: Bearer` header (the CLI's admin credential, or a user's
 * access token), kept as the request's principal; and the scope of what it
 * may read, derived from the principal and nothing else.
 */
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { ACTOR_HEADER } from "../admin/pinned-fetch.ts";
import {
  actorName,
  hotelsOf,
  isChainWide,
  type Permission,
  type Principal,
  requirePermission,
} from "../auth/roles.ts";
import { type AuthContext, principalOfToken } from "../auth/sessions.ts";
import { AccessTokenError } from "../auth/tokens.ts";
import { RefusedRequestError } from "../errors.ts";
import { type ReadScope, readScope, ScopeError } from "../query/scope.ts";

const PRINCIPAL = "principal";

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Who is asking: the admin bearer, plus the CLI user it names (audit log only; not trusted for access). */
export function actorOf(header: string | undefined): string {
  const named = header?.replace(/[^\w.@:-]/g, "").slice(0, 64);
  return named ? `admin-credential (${named})` : "admin-credential";
}

/** The address a request came from (the socket's, not a header anyone can write). */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/** Keep the request's principal (the edge middlewares only). */
export function setPrincipal(c: Context, principal: Principal): void {
  c.set(PRINCIPAL as never, principal as never);
}

/** The principal `authenticate` found for this request. */
export function principalOf(c: Context): Principal {
  const principal = c.get(PRINCIPAL as never) as Principal | undefined;
  if (!principal) throw new Error("principalOf called on a route without authenticate");
  return principal;
}

/**
 * Require a bearer: the admin credential, or a valid access token of an
 * enabled account. 401 otherwise, with `WWW-Authenticate: Bearer`.
 *
 * @example
 * app.use("/api/*", authenticate({ adminCredential, auth }));
 */
export function authenticate(context: {
  adminCredential: string;
  auth: AuthContext;
  refuse: (c: Context, code: "unauthorized" | "invalid_credential", message?: string) => Response;
}): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const bearer = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
    const challenge = () => c.header("WWW-Authenticate", 'Bearer realm="logmaster-hub"');
    if (!bearer) {
      challenge();
      return context.refuse(c, header ? "invalid_credential" : "unauthorized");
    }
    let principal: Principal;
    if (sameSecret(bearer, context.adminCredential)) {
      principal = { kind: "admin_credential", actor: actorOf(c.req.header(ACTOR_HEADER)) };
    } else {
      try {
        principal = await principalOfToken(context.auth, bearer);
      } catch (error) {
        if (!(error instanceof AccessTokenError)) throw error;
        challenge();
        return context.refuse(c, "invalid_credential", error.message);
      }
    }
    setPrincipal(c, principal);
    await next();
  };
}

/**
 * The scope of the asking principal for a permission: its hotels (every
 * hotel for chain-wide roles). 403 when the role lacks the permission or
 * has no hotel.
 *
 * @example
 * const scope = await scopeFor(c, "read_events", () => allHotelIds());
 */
export async function scopeFor(
  c: Context,
  permission: Permission,
  allHotels: () => Promise<string[]>,
): Promise<ReadScope> {
  const principal = principalOf(c);
  requirePermission(principal, permission);
  const hotels = hotelsOf(principal, await allHotels());
  if (hotels.length === 0) throw new ScopeError("your account is bound to no hotel");
  return readScope(hotels);
}

/** How the route modules learn the asking principal's hotels (apiRoutes makes it once). */
export interface CallerScope {
  /** The scope for a permission: 403 without the permission, 404 when bound to no hotel. */
  scopeOf(c: Context, permission: Permission): Promise<ReadScope>;
  /** The caller's hotels, whatever it may do there (empty when none). */
  hotelsOf(c: Context): Promise<string[]>;
}

/**
 * @example
 * const caller = callerScope(async () => (await admin.listHotels()).map((hotel) => hotel.id));
 * const scope = await caller.scopeOf(c, "read_custody");
 */
export function callerScope(allHotels: () => Promise<string[]>): CallerScope {
  return {
    scopeOf: (c, permission) => scopeFor(c, permission, allHotels),
    hotelsOf: async (c) => hotelsOf(principalOf(c), await allHotels()),
  };
}

/** Routes of the whole chain (the audit log, accounts): the admin credential and chain-wide accounts only. */
export function requireChainWide(permission: Permission): MiddlewareHandler {
  return async (c, next) => {
    const principal = principalOf(c);
    requirePermission(principal, permission);
    if (!isChainWide(principal)) {
      throw new RefusedRequestError(
        "this route is for chain-wide accounts (chain admins, chain auditors)",
        403,
      );
    }
    await next();
  };
}

export { actorName };
