/**
 * A person's own second factor: set up (a new secret, shown once, pending),
 * confirm with a code from the app (enabled: login asks for a code from now
 * on), disable with the password and a code. Setting up and disabling ask
 * for the password again, so a stolen access token can neither put the
 * thief's authenticator on an account nor take the owner's off. Every step
 * is audit-logged; wrong passwords and codes count towards the lockout like
 * a login's. A chain admin clears a lost factor with `logmaster-hub user
 * reset-totp` (hub/src/admin/users.ts).
 */
import { z } from "zod";
import { RefusedRequestError } from "../errors.ts";
import {
  clearTotp,
  enableTotp,
  findUserById,
  setPendingTotp,
  type UserWithHotels,
  writeAudit,
} from "../store/index.ts";
import {
  type Attempt,
  type AuthContext,
  checkCurrentPassword,
  checkTotpCode,
  refuseWhileLocked,
  totpStepOfAttempt,
} from "./sessions.ts";
import {
  newTotpSecret,
  sealTotpSecret,
  TOTP_DIGITS,
  TOTP_PERIOD_S,
  totpCodeSchema,
  totpUri,
} from "./totp.ts";

/** Who asks: a signed-in account (the admin credential has no second factor). */
export interface TotpCaller {
  userId: string;
  username: string;
  address: string;
}

export const totpStateSchema = z.object({
  state: z
    .enum(["off", "pending", "enabled"])
    .describe("pending: set up, not confirmed yet (login does not ask for a code)"),
  enabled_at: z.iso.datetime().nullable(),
});
export type TotpState = z.infer<typeof totpStateSchema>;

export const totpSetupRequestSchema = z.object({
  password: z.string().min(1).max(200).describe("the account's password, asked again"),
});

/** The new secret, answered this once (the hub keeps it sealed and never shows it again). */
export const totpSetupAnswerSchema = z.object({
  otpauth_uri: z.string().describe("`otpauth://totp/…`: show it as a QR code for the app"),
  secret: z.string().describe("the same secret in base32, for typing into the app by hand"),
  algorithm: z.literal("SHA1"),
  digits: z.literal(TOTP_DIGITS),
  period: z.literal(TOTP_PERIOD_S),
});

export const totpConfirmRequestSchema = z.object({ code: totpCodeSchema });

export const totpDisableRequestSchema = z.object({
  password: z.string().min(1).max(200).describe("the account's password, asked again"),
  code: totpCodeSchema,
});

/**
 * @example
 * totpStateOf(user); // { state: "enabled", enabled_at: "2026-03-12T11:30:00.000Z" }
 */
export function totpStateOf(user: UserWithHotels): TotpState {
  return {
    state: user.totpEnabledAt ? "enabled" : user.totpSecretSealed ? "pending" : "off",
    enabled_at: user.totpEnabledAt?.toISOString() ?? null,
  };
}

const enabledAlready = () =>
  new RefusedRequestError(
    "a second factor is enabled already: disable it first (or have a chain admin reset it)",
    409,
  );

const auditChange = (
  context: AuthContext,
  caller: TotpCaller,
  change: string,
  detail: Record<string, unknown> = {},
) =>
  writeAudit(context.db, {
    actor: `user:${caller.username}`,
    action: "user_change",
    detail: { change, user: caller.username, address: caller.address, ...detail },
  });

async function currentUser(context: AuthContext, caller: TotpCaller): Promise<UserWithHotels> {
  const user = await findUserById(context.db, caller.userId);
  if (!user) throw new RefusedRequestError("this account no longer exists", 404);
  return user;
}

/** Whether the caller's account has a second factor. */
export async function totpState(context: AuthContext, caller: TotpCaller): Promise<TotpState> {
  return totpStateOf(await currentUser(context, caller));
}

/**
 * A new secret for the caller's account, pending until confirmed; a pending
 * one before it is replaced. Refused (409) while one is enabled.
 *
 * @example
 * const { otpauth_uri } = await setupTotp(context, caller, "the password");
 */
export async function setupTotp(
  context: AuthContext,
  caller: TotpCaller,
  password: string,
): Promise<z.infer<typeof totpSetupAnswerSchema>> {
  const user = await checkCurrentPassword(context, caller, password, {
    address: caller.address,
    during: "totp_setup",
  });
  if (user.totpEnabledAt) throw enabledAlready();
  const secret = newTotpSecret();
  if (
    !(await setPendingTotp(context.db, user.id, sealTotpSecret(context.totpKey, user.id, secret)))
  )
    throw enabledAlready();
  await auditChange(context, caller, "totp_setup");
  return {
    otpauth_uri: totpUri(secret, user.username),
    secret,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  };
}

/**
 * Enable the pending secret with a code from the app (which proves the app
 * holds it); from now on login asks for a code.
 */
export async function confirmTotp(
  context: AuthContext,
  caller: TotpCaller,
  code: string,
): Promise<TotpState> {
  const attempt: Attempt = {
    username: caller.username,
    address: caller.address,
    during: "totp_confirm",
  };
  await refuseWhileLocked(context, attempt);
  const user = await currentUser(context, caller);
  if (user.totpEnabledAt) throw enabledAlready();
  if (!user.totpSecretSealed)
    throw new RefusedRequestError(
      "no second factor is being set up: POST /api/auth/totp/setup first",
      409,
    );
  const sealed = user.totpSecretSealed;
  const step = await totpStepOfAttempt(
    context,
    { id: user.id, totpSecretSealed: sealed },
    code,
    attempt,
  );
  const enabledAt = await enableTotp(context.db, user.id, sealed, step);
  if (!enabledAt)
    throw new RefusedRequestError(
      "the setup changed meanwhile (set up again, or enabled elsewhere): check the account's state",
      409,
    );
  await auditChange(context, caller, "totp_enabled");
  return { state: "enabled", enabled_at: enabledAt.toISOString() };
}

/** Remove the caller's second factor: the password and a code of the moment, both checked and counted. */
export async function disableTotp(
  context: AuthContext,
  caller: TotpCaller,
  given: z.infer<typeof totpDisableRequestSchema>,
): Promise<TotpState> {
  const attempt = { address: caller.address, during: "totp_disable" } as const;
  const user = await checkCurrentPassword(context, caller, given.password, attempt);
  if (!user.totpEnabledAt)
    throw new RefusedRequestError("this account has no second factor enabled", 409);
  await checkTotpCode(context, user, given.code, { ...attempt, username: caller.username });
  await clearTotp(context.db, user.id);
  await auditChange(context, caller, "totp_disabled");
  return { state: "off", enabled_at: null };
}
