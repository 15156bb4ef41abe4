/**
 * `/api/auth/*`: log in with a password (and a TOTP code), refresh with the
 * HttpOnly cookie, log out, who am I, change my password, my second factor
 * (./totp.ts). The refresh token lives only in the cookie (`HttpOnly; Secure;
 * SameSite=Strict`, path `/api/auth`), never in a body; the access token only
 * in bodies and `Authorization` headers.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { hashPassword, passwordSchema } from "../auth/passwords.ts";
import type { Principal } from "../auth/roles.ts";
import {
  type AuthContext,
  checkCurrentPassword,
  type IssuedSession,
  login,
  logout,
  REFRESH_TOKEN_MS,
  refresh,
} from "../auth/sessions.ts";
import { totpCodeSchema } from "../auth/totp.ts";
import { RefusedRequestError } from "../errors.ts";
import { revokeUserSessions, writeAudit } from "../store/index.ts";
import { clientAddress, principalOf } from "./authenticate.ts";
import { DOCS_ASSET_ROUTE, DOCS_PATH } from "./docs/index.ts";
import { describeRoute, OPENAPI_PATH } from "./openapi.ts";
import { totpRoutes } from "./totp.ts";

export const REFRESH_COOKIE = "lm_refresh";

export const loginRequestSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  totp: totpCodeSchema
    .optional()
    .describe(
      "the authenticator app's 6-digit code, for an account with a second factor (without it: 401 `totp_required`)",
    ),
});

export const passwordChangeSchema = z.object({
  current_password: z.string().min(1).max(200),
  new_password: passwordSchema,
});

/** The body of a login or refresh answer; the refresh token goes in the cookie only. */
export const sessionAnswerSchema = z.object({
  access_token: z.string().describe("send as `Authorization: Bearer …`"),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().describe("seconds until the access token expires"),
});

/** What the client sees of its own session. */
export function meOf(principal: Principal) {
  return principal.kind === "admin_credential"
    ? {
        kind: "admin_credential" as const,
        actor: principal.actor,
        role: "chain_admin" as const,
        hotels: [],
      }
    : {
        kind: "user" as const,
        username: principal.username,
        role: principal.role,
        hotels: [...principal.hotels],
      };
}

/** `GET /api/auth/me` (the dashboard's type too). */
export type Me = ReturnType<typeof meOf>;
/** The body of `POST /api/auth/login` and `/refresh`. */
export type SessionAnswer = z.infer<typeof sessionAnswerSchema>;
export type LoginRequest = z.input<typeof loginRequestSchema>;

function sessionAnswer(c: Context, session: IssuedSession) {
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/api/auth",
    maxAge: Math.floor(REFRESH_TOKEN_MS / 1000),
  });
  return c.json({
    access_token: session.access_token,
    token_type: session.token_type,
    expires_in: session.expires_in,
  } satisfies z.infer<typeof sessionAnswerSchema>);
}

/**
 * @example
 * app.route("/", authRoutes(authContext));
 */
export function authRoutes(context: AuthContext): Hono {
  const app = new Hono();

  const refreshCookie = `Sets the \`${REFRESH_COOKIE}\` refresh cookie (HttpOnly; Secure; SameSite=Strict; path /api/auth).`;

  app.post(
    "/api/auth/login",
    describeRoute({
      summary: "Log in with a password",
      description: `${refreshCookie} An account with a second factor also needs \`totp\`: without it the answer is 401 \`totp_required\` (the password was right: ask the person for the code and send both again); a wrong or already used code is 401 \`invalid_credential\`. Failed attempts (wrong passwords and codes alike) are throttled per user and per address, then the account locks for a while.`,
      tag: "auth",
      body: loginRequestSchema,
      answer: "An access token",
      response: sessionAnswerSchema,
      refusals: [401, 429],
    }),
    async (c) => {
      const body = loginRequestSchema.parse(await c.req.json().catch(() => ({})));
      const session = await login(context, { ...body, address: clientAddress(c) });
      return sessionAnswer(c, session);
    },
  );

  app.post(
    "/api/auth/refresh",
    describeRoute({
      summary: "A new access token for the refresh cookie",
      description: `Takes the \`${REFRESH_COOKIE}\` cookie and rotates it. ${refreshCookie} A refresh token used twice ends its whole login.`,
      tag: "auth",
      answer: "An access token",
      response: sessionAnswerSchema,
      refusals: [401, 429],
    }),
    async (c) => {
      const token = getCookie(c, REFRESH_COOKIE);
      if (!token) throw new RefusedRequestError("no session: log in", 401);
      const session = await refresh(context, token).catch((error: unknown) => {
        deleteCookie(c, REFRESH_COOKIE, { path: "/api/auth", secure: true });
        throw error;
      });
      return sessionAnswer(c, session);
    },
  );

  app.post(
    "/api/auth/logout",
    describeRoute({
      summary: "Log out",
      description: `Ends the login of the \`${REFRESH_COOKIE}\` cookie, if any, and clears the cookie.`,
      tag: "auth",
      answer: '`{ "status": "logged_out" }`',
    }),
    async (c) => {
      const token = getCookie(c, REFRESH_COOKIE);
      if (token) await logout(context, token);
      deleteCookie(c, REFRESH_COOKIE, { path: "/api/auth", secure: true });
      return c.json({ status: "logged_out" });
    },
  );

  app.get(
    "/api/auth/me",
    describeRoute({
      summary: "Who am I",
      tag: "auth",
      answer: "The caller's kind, username, role and bound hotels (none: every hotel)",
    }),
    (c) => c.json(meOf(principalOf(c))),
  );

  app.post(
    "/api/auth/password",
    describeRoute({
      summary: "Change my password",
      description:
        "Every session of the account ends, this one too: log in again with the new password. Wrong current passwords are throttled like logins.",
      tag: "auth",
      body: passwordChangeSchema,
      answer: '`{ "status": "password_changed" }`',
      refusals: [401, 429],
    }),
    async (c) => {
      const principal = principalOf(c);
      if (principal.kind !== "user")
        throw new RefusedRequestError("the admin credential has no password", 400);
      const body = passwordChangeSchema.parse(await c.req.json().catch(() => ({})));
      const address = clientAddress(c);
      // Guessing the current password with a stolen access token is throttled like a login.
      const user = await checkCurrentPassword(context, principal, body.current_password, {
        address,
        during: "password_change",
      });
      // Every session ends, this one too: the client logs in again with the new password.
      await revokeUserSessions(context.db, user.id, {
        passwordHash: await hashPassword(body.new_password),
      });
      await writeAudit(context.db, {
        actor: `user:${user.username}`,
        action: "user_change",
        detail: { change: "password", user: user.username, address },
      });
      deleteCookie(c, REFRESH_COOKIE, { path: "/api/auth", secure: true });
      return c.json({ status: "password_changed" });
    },
  );

  app.route("/", totpRoutes(context));
  return app;
}

/**
 * The `/api/` routes that take no bearer, as the app registers them (Hono
 * paths, matched against the route a request reaches): login, refresh and
 * logout (the password or the cookie is the credential), the API's
 * description and its docs page with the page's assets.
 */
export const PUBLIC_AUTH_PATHS: ReadonlySet<string> = new Set([
  "/api/auth/login",
  "/api/auth/refresh",
  "/api/auth/logout",
  OPENAPI_PATH,
  DOCS_PATH,
  DOCS_ASSET_ROUTE,
]);
