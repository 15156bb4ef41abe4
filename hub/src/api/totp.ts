/**
 * `/api/auth/totp/*`: a signed-in person's own second factor (state, set up,
 * confirm, disable; hub/src/auth/second-factor.ts), and the CLI's door for a
 * chain admin to clear a lost one (`/admin/users/:username/totp/reset`).
 */
import { type Context, Hono } from "hono";
import { ACTOR_HEADER } from "../admin/pinned-fetch.ts";
import { type UserAdmin, usernameSchema, userViewSchema } from "../admin/users.ts";
import {
  confirmTotp,
  disableTotp,
  setupTotp,
  type TotpCaller,
  totpConfirmRequestSchema,
  totpDisableRequestSchema,
  totpSetupAnswerSchema,
  totpSetupRequestSchema,
  totpState,
  totpStateSchema,
} from "../auth/second-factor.ts";
import type { AuthContext } from "../auth/sessions.ts";
import { RefusedRequestError } from "../errors.ts";
import { actorOf, clientAddress, principalOf } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

/** The signed-in account asking; the admin credential has no second factor (400). */
function callerOf(c: Context): TotpCaller {
  const principal = principalOf(c);
  if (principal.kind !== "user")
    throw new RefusedRequestError("the admin credential has no second factor", 400);
  return { userId: principal.userId, username: principal.username, address: clientAddress(c) };
}

const body = async (c: Context) => c.req.json().catch(() => ({}));

/**
 * @example
 * app.route("/", totpRoutes(authContext)); // inside authRoutes, behind the bearer
 */
export function totpRoutes(context: AuthContext): Hono {
  const app = new Hono();

  app.get(
    "/api/auth/totp",
    describeRoute({
      summary: "My second factor",
      description:
        "Whether the account has a TOTP second factor: off, pending (set up, not confirmed) or enabled. Never the secret.",
      tag: "auth",
      answer: "The state of the account's second factor",
      response: totpStateSchema,
    }),
    async (c) => c.json(await totpState(context, callerOf(c))),
  );

  app.post(
    "/api/auth/totp/setup",
    describeRoute({
      summary: "Set up a second factor (TOTP)",
      description:
        "Asks for the password again. Answers a new secret as an `otpauth://` URI (for a QR code) and in base32, this once: the hub keeps it sealed and never shows it again. It stays pending, and login does not ask for a code, until `POST /api/auth/totp/confirm`; a new setup replaces a pending one. A wrong password counts towards the lockout like a failed login.",
      tag: "auth",
      body: totpSetupRequestSchema,
      answer: "The new secret, shown once",
      response: totpSetupAnswerSchema,
      refusals: [409, 429],
    }),
    async (c) => {
      const caller = callerOf(c);
      const request = totpSetupRequestSchema.parse(await body(c));
      return c.json(await setupTotp(context, caller, request.password));
    },
  );

  app.post(
    "/api/auth/totp/confirm",
    describeRoute({
      summary: "Confirm the second factor",
      description:
        "A code from the authenticator app proves it holds the pending secret; from now on login needs a code (`totp`). A wrong code is 401 `invalid_credential` and counts towards the lockout.",
      tag: "auth",
      body: totpConfirmRequestSchema,
      answer: "The second factor, enabled",
      response: totpStateSchema,
      refusals: [409, 429],
    }),
    async (c) => {
      const caller = callerOf(c);
      const request = totpConfirmRequestSchema.parse(await body(c));
      return c.json(await confirmTotp(context, caller, request.code));
    },
  );

  app.post(
    "/api/auth/totp/disable",
    describeRoute({
      summary: "Disable the second factor",
      description:
        "Needs the password and a code of the moment (a code used before is refused); wrong ones count towards the lockout. Lost the device? A chain admin runs `logmaster-hub user reset-totp U`.",
      tag: "auth",
      body: totpDisableRequestSchema,
      answer: "The second factor, off",
      response: totpStateSchema,
      refusals: [409, 429],
    }),
    async (c) => {
      const caller = callerOf(c);
      const request = totpDisableRequestSchema.parse(await body(c));
      return c.json(await disableTotp(context, caller, request));
    },
  );

  return app;
}

/**
 * The admin credential's route for `logmaster-hub user reset-totp U`; mount
 * it behind the admin-only middleware of `/admin/*`.
 *
 * @example
 * app.use("/admin/*", adminOnly);
 * app.route("/", adminTotpRoutes(context.admin));
 */
export function adminTotpRoutes(admin: UserAdmin): Hono {
  const app = new Hono();
  app.post(
    "/admin/users/:username/totp/reset",
    describeRoute({
      summary: "Clear an account's second factor",
      description:
        "For a lost authenticator: the account logs in with its password alone until it sets up a new one. Every session of the account ends now.",
      tag: "admin",
      params: { username: usernameSchema },
      answer: "The account",
      response: userViewSchema,
      refusals: [409],
    }),
    async (c) =>
      c.json(
        await admin.resetTotp({
          username: usernameSchema.parse(c.req.param("username")),
          actor: actorOf(c.req.header(ACTOR_HEADER)),
        }),
      ),
  );
  return app;
}
