/**
 * Logging in and staying logged in: a password login gives a short-lived
 * access token and a refresh token (one family per login); refreshing spends
 * the refresh token and gives the next; a spent one used again ends the
 * family (someone else holds a copy). Every request's access token is
 * checked against the account (disabled, sessions ended since it was issued,
 * its login logged out), so revocation holds at once on every hub process.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { RefusedRequestError } from "../errors.ts";
import type { HubEvents } from "../events/index.ts";
import {
  claimTotpStep,
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
import { openTotpSecret, type TotpSecretKey, totpStepOfCode } from "./totp.ts";

export const REFRESH_TOKEN_MS = 12 * 3_600_000;

export interface AuthContext {
  db: Db;
  keys: SigningKeys;
  chainId: string;
  throttle: LoginThrottle;
  events: HubEvents;
  /** Seals the accounts' TOTP secrets in the database (`loadTotpSecretKey`). */
  totpKey: TotpSecretKey;
}

/**
 * Why a login, a refresh or a check of the password or code was refused: one
 * code, one sentence for the person. The API answers it as it is (429 for a
 * lockout, else 401 with the code).
 */
export class AuthError extends RefusedRequestError {
  override readonly name = "AuthError";
  declare readonly code: "invalid_credential" | "too_many_requests" | "totp_required";
  constructor(
    /** `totp_required`: the password was right; send it again with the code of the authenticator app. */
    code: "invalid_credential" | "too_many_requests" | "totp_required",
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message, code === "too_many_requests" ? 429 : 401, code);
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

/** Who gave a secret from where: at login, or for a change that asks for the password (and code) again. */
export interface Attempt {
  username: string;
  address: string;
  during?: "password_change" | "totp_setup" | "totp_confirm" | "totp_disable";
}

const auditAttempt = (
  context: AuthContext,
  attempt: Attempt,
  action: "login" | "login_failed",
  detail: Record<string, unknown>,
) =>
  writeAudit(context.db, {
    actor: `user:${attempt.username}`,
    action,
    detail: {
      address: attempt.address,
      ...(attempt.during ? { during: attempt.during } : {}),
      ...detail,
    },
  });

/** Refuse while the user or the address is locked out (audit-logged): 429 with when to try again. */
export async function refuseWhileLocked(context: AuthContext, attempt: Attempt): Promise<void> {
  const waitMs = await context.throttle.lockedForMs(attempt.username, attempt.address);
  if (waitMs <= 0) return;
  await auditAttempt(context, attempt, "login_failed", {
    reason: "locked_out",
    retry_after_s: Math.ceil(waitMs / 1000),
  });
  throw new AuthError(
    "too_many_requests",
    `too many failed ${attempt.during ? "attempts" : "logins"}: try again in ${Math.ceil(waitMs / 60_000)} minutes`,
    waitMs,
  );
}

/** Count a wrong secret towards the user's and the address's lockout, audit it, refuse it (401). */
async function failAttempt(
  context: AuthContext,
  attempt: Attempt,
  reason: string,
  message: string,
): Promise<never> {
  const { lockedUser } = await context.throttle.failed(attempt.username, attempt.address);
  await auditAttempt(context, attempt, "login_failed", {
    reason,
    ...(lockedUser ? { locked_out: true } : {}),
  });
  throw new AuthError("invalid_credential", message);
}

/**
 * The time step of a TOTP code for an account's sealed secret; a code that
 * matches no step near now counts as a failed attempt (401).
 */
export async function totpStepOfAttempt(
  context: AuthContext,
  user: { id: string; totpSecretSealed: string },
  code: string,
  attempt: Attempt,
): Promise<number> {
  const secret = openTotpSecret(context.totpKey, user.id, user.totpSecretSealed);
  return (
    totpStepOfCode(secret, code) ??
    failAttempt(context, attempt, "wrong_totp", "the one-time code is wrong")
  );
}

/**
 * Check the TOTP code of an account with an enabled second factor, and spend
 * its time step: a wrong code or a step already spent (a replay) counts as a
 * failed attempt. No code: `totp_required` (audit-logged, not counted: the
 * password was right and the client asks the person for the code).
 */
export async function checkTotpCode(
  context: AuthContext,
  user: UserWithHotels,
  code: string | undefined,
  attempt: Attempt,
): Promise<void> {
  if (!user.totpSecretSealed || !user.totpEnabledAt) return;
  if (code === undefined) {
    await auditAttempt(context, attempt, "login_failed", { reason: "totp_required" });
    throw new AuthError(
      "totp_required",
      "this account has a second factor: send the 6-digit code of its authenticator app as `totp`",
    );
  }
  const step = await totpStepOfAttempt(
    context,
    { id: user.id, totpSecretSealed: user.totpSecretSealed },
    code,
    attempt,
  );
  if (!(await claimTotpStep(context.db, user.id, step)))
    await failAttempt(
      context,
      attempt,
      "totp_replayed",
      "this one-time code was used already: wait for the next one",
    );
}

/**
 * The password of a signed-in account, asked again before a change (password,
 * second factor): throttled and counted like a login, so a stolen access
 * token is no way to guess it.
 *
 * @example
 * const user = await checkCurrentPassword(context, principal, body.current_password, { address, during: "password_change" });
 */
export async function checkCurrentPassword(
  context: AuthContext,
  principal: { userId: string; username: string },
  password: string,
  attempt: { address: string; during: NonNullable<Attempt["during"]> },
): Promise<UserWithHotels> {
  const full = { ...attempt, username: principal.username };
  await refuseWhileLocked(context, full);
  const user = await findUserById(context.db, principal.userId);
  if (!user || !(await verifyPassword(password, user.passwordHash)))
    return failAttempt(context, full, "wrong_current_password", "the current password is wrong");
  return user;
}

/**
 * A password login (and the TOTP code, when the account has a second
 * factor), throttled per user name and per address; every attempt is audit-logged.
 *
 * @example
 * const session = await login(context, { username: "ayse", password, address: "10.0.0.5" });
 */
export async function login(
  context: AuthContext,
  given: { username: string; password: string; totp?: string | undefined; address: string },
): Promise<IssuedSession> {
  const attempt = { username: given.username.trim().toLowerCase(), address: given.address };
  await refuseWhileLocked(context, attempt);
  const user = await findUserByUsername(context.db, attempt.username);
  // Verify against a decoy when there is no such user: the answer takes as long either way.
  const ok = await verifyPassword(
    given.password,
    user?.passwordHash ?? (await decoyPasswordHash()),
  );
  if (!user || !ok || user.disabledAt) {
    const reason = !user ? "unknown_user" : user.disabledAt ? "disabled" : "wrong_password";
    return failAttempt(
      context,
      attempt,
      reason,
      "user name or password is wrong, or the account is disabled",
    );
  }
  await checkTotpCode(context, user, given.totp, attempt);
  await context.throttle.succeeded(attempt.username);
  const session = await issue(context, user, randomUUID());
  await auditAttempt(context, attempt, "login", {
    session: session.user.id,
    ...(user.totpEnabledAt ? { second_factor: "totp" } : {}),
  });
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
