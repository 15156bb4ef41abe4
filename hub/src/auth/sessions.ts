/**
 * Logging in and staying logged in: a password login gives a short-lived
 * access token and a refresh token (one family per login); refreshing spends
 * the refresh token and gives the next; a spent one used again ends the
 * family (someone else holds a copy). Every request's access token is
 * checked against the account (disabled, sessions ended since it was issued,
 * its login logged out), so revocation holds at once on every hub process.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { HubEvents } from "../events/index.ts";
import {
  type Db,
  findRefreshToken,
  findUserById,
  findUserByUsername,
  insertRefreshToken,
  refreshFamilyRevoked,
  revokeRefreshFamily,
  spendRefreshToken,
  type UserWithHotels,
  writeAudit,
} from "../store/index.ts";
import type { SigningKeys } from "./keys.ts";
import { decoyPasswordHash, verifyPassword } from "./passwords.ts";
import type { Principal } from "./roles.ts";
import type { LoginThrottle } from "./throttle.ts";
import {
  ACCESS_TOKEN_SECONDS,
  AccessTokenError,
  issueAccessToken,
  verifyAccessToken,
} from "./tokens.ts";

export const REFRESH_TOKEN_MS = 12 * 3_600_000;

export interface AuthContext {
  db: Db;
  keys: SigningKeys;
  chainId: string;
  throttle: LoginThrottle;
  events: HubEvents;
}

/** Why a login or refresh was refused: one code, one sentence for the person. */
export class AuthError extends Error {
  override readonly name = "AuthError";
  constructor(
    readonly code: "invalid_credential" | "too_many_requests",
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export interface IssuedSession {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  /** For the HttpOnly cookie only; never in a response body. */
  refreshToken: string;
  user: UserWithHotels;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function issue(
  context: AuthContext,
  user: UserWithHotels,
  familyId: string,
): Promise<IssuedSession> {
  const refreshToken = randomBytes(32).toString("base64url");
  await insertRefreshToken(context.db, {
    familyId,
    userId: user.id,
    tokenSha256: sha256(refreshToken),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_MS),
  });
  const accessToken = await issueAccessToken(context.keys, context.chainId, {
    sub: user.id,
    name: user.username,
    role: user.role,
    hotels: user.hotels,
    sid: familyId,
  });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_SECONDS,
    refreshToken,
    user,
  };
}

/**
 * A password login, throttled per user name and per address; every attempt is audit-logged.
 *
 * @example
 * const session = await login(context, { username: "ayse", password, address: "10.0.0.5" });
 */
export async function login(
  context: AuthContext,
  attempt: { username: string; password: string; address: string },
): Promise<IssuedSession> {
  const username = attempt.username.trim().toLowerCase();
  const audit = (action: "login" | "login_failed", detail: Record<string, unknown>) =>
    writeAudit(context.db, {
      actor: `user:${username}`,
      action,
      detail: { address: attempt.address, ...detail },
    });
  const waitMs = await context.throttle.lockedForMs(username, attempt.address);
  if (waitMs > 0) {
    await audit("login_failed", { reason: "locked_out", retry_after_s: Math.ceil(waitMs / 1000) });
    throw new AuthError(
      "too_many_requests",
      `too many failed logins: try again in ${Math.ceil(waitMs / 60_000)} minutes`,
      waitMs,
    );
  }
  const user = await findUserByUsername(context.db, username);
  // Verify against a decoy when there is no such user: the answer takes as long either way.
  const ok = await verifyPassword(
    attempt.password,
    user?.passwordHash ?? (await decoyPasswordHash()),
  );
  if (!user || !ok || user.disabledAt) {
    const { lockedUser } = await context.throttle.failed(username, attempt.address);
    const reason = !user ? "unknown_user" : user.disabledAt ? "disabled" : "wrong_password";
    await audit("login_failed", { reason, ...(lockedUser ? { locked_out: true } : {}) });
    throw new AuthError(
      "invalid_credential",
      "user name or password is wrong, or the account is disabled",
    );
  }
  await context.throttle.succeeded(username);
  const session = await issue(context, user, randomUUID());
  await audit("login", { session: session.user.id });
  return session;
}

/** Spend a refresh token for the next one; a spent token again ends its whole family. */
export async function refresh(context: AuthContext, refreshToken: string): Promise<IssuedSession> {
  const row = await findRefreshToken(context.db, sha256(refreshToken));
  const refused = new AuthError("invalid_credential", "the session has ended: log in again");
  if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw refused;
  if (!(await spendRefreshToken(context.db, row.id))) {
    // Spent before: a copy is in someone else's hands. End the login for both.
    await revokeRefreshFamily(context.db, row.familyId);
    const owner = await findUserById(context.db, row.userId);
    await writeAudit(context.db, {
      actor: owner ? `user:${owner.username}` : `user-id:${row.userId}`,
      action: "logout",
      detail: { reason: "refresh_token_reused", session: row.familyId },
    });
    throw refused;
  }
  const user = await findUserById(context.db, row.userId);
  if (!user || user.disabledAt) throw refused;
  return issue(context, user, row.familyId);
}

/** End the login a refresh token belongs to (no error when it is unknown). */
export async function logout(context: AuthContext, refreshToken: string): Promise<void> {
  const row = await findRefreshToken(context.db, sha256(refreshToken));
  if (!row) return;
  await revokeRefreshFamily(context.db, row.familyId);
  await writeAudit(context.db, {
    actor: `user-id:${row.userId}`,
    action: "logout",
    detail: { session: row.familyId },
  });
}

/**
 * The principal of a bearer access token, or AccessTokenError: the token
 * verifies, and its account is enabled, its sessions not ended since, its login not logged out.
 */
export async function principalOfToken(context: AuthContext, token: string): Promise<Principal> {
  const claims = await verifyAccessToken(context.keys, context.chainId, token);
  const user = await findUserById(context.db, claims.sub);
  if (!user || user.disabledAt) throw new AccessTokenError("the account is disabled");
  // `issued_ms`, not `iat` (whole seconds): a login right after "end all sessions" must work.
  if (claims.issued_ms < user.tokensValidAfter.getTime()) {
    throw new AccessTokenError(
      "the session was ended (password change, logout everywhere or an admin): log in again",
    );
  }
  if (await refreshFamilyRevoked(context.db, claims.sid)) {
    throw new AccessTokenError("this login was logged out: log in again");
  }
  return {
    kind: "user",
    userId: user.id,
    username: user.username,
    role: user.role,
    // The account's bindings now, not the token's: a change applies at once.
    hotels: user.hotels,
    sessionId: claims.sid,
  };
}
