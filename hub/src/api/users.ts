/**
 * Accounts over HTTP, through two doors with one set of handlers: `/api/users`
 * for chain admins signed in as themselves, `/admin/users` for the CLI with
 * the admin credential. The actor in the audit log is the principal either
 * way (`user:ayse`, `admin-credential (cli:root)`).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import {
  passwordResetSchema,
  type UserAdmin,
  usernameSchema,
  userPasswordAnswerSchema,
  userRequestSchema,
  userViewSchema,
} from "../admin/users.ts";
import { actorName } from "../auth/roles.ts";
import { principalOf, requireChainWide } from "./authenticate.ts";
import { describeRoute, type RouteDescription } from "./openapi.ts";

/** Which door: its path prefix, how it is described and what guards it beyond the bearer. */
interface UserDoor {
  prefix: "/api/users" | "/admin/users";
  describe: Pick<RouteDescription, "tag" | "permission" | "chainWide">;
  guard: MiddlewareHandler[];
}

const DOORS = {
  /** Accounts are the whole chain's: chain admins only, never an account bound to hotels. */
  api: {
    prefix: "/api/users",
    describe: { tag: "users", permission: "manage_users", chainWide: true },
    guard: [requireChainWide("manage_users")],
  },
  /** The CLI's door (apiRoutes puts the admin credential check in front of `/admin/*`). */
  admin: { prefix: "/admin/users", describe: { tag: "admin" }, guard: [] },
} satisfies Record<string, UserDoor>;

const passwordAnswer =
  "The account, and the generated password (shown this once) when none was given";

/**
 * @example
 * app.route("/", userRoutes(admin, "api")); // GET /api/users, POST /api/users, …
 */
export function userRoutes(admin: UserAdmin, door: keyof typeof DOORS): Hono {
  const app = new Hono();
  const { prefix, describe, guard } = DOORS[door] as UserDoor;
  const actor = (c: Parameters<MiddlewareHandler>[0]) => actorName(principalOf(c));
  const body = async (c: Parameters<MiddlewareHandler>[0]) =>
    (await c.req.json().catch(() => ({}))) as Record<string, unknown>;

  app.get(
    prefix,
    describeRoute({
      ...describe,
      summary: "Accounts",
      answer: "Every account with its role and hotels (never a password hash)",
      response: z.array(userViewSchema),
    }),
    ...guard,
    async (c) => c.json(await admin.listUsers()),
  );
  app.post(
    prefix,
    describeRoute({
      ...describe,
      summary: "Add an account",
      description: "Audit-logged with the actor.",
      body: userRequestSchema,
      status: 201,
      answer: passwordAnswer,
      response: userPasswordAnswerSchema,
      refusals: [409],
    }),
    ...guard,
    async (c) =>
      c.json(
        await admin.addUser({ ...userRequestSchema.parse(await body(c)), actor: actor(c) }),
        201,
      ),
  );
  app.post(
    `${prefix}/:username/disable`,
    describeRoute({
      ...describe,
      summary: "Disable an account",
      description: "Every session of the account ends now. Audit-logged with the actor.",
      params: { username: usernameSchema },
      answer: "The disabled account",
      response: userViewSchema,
      refusals: [409],
    }),
    ...guard,
    async (c) =>
      c.json(
        await admin.disableUser({
          username: usernameSchema.parse(c.req.param("username")),
          actor: actor(c),
        }),
      ),
  );
  app.post(
    `${prefix}/:username/password`,
    describeRoute({
      ...describe,
      summary: "Reset an account's password",
      description: "Every session of the account ends now. Audit-logged with the actor.",
      params: { username: usernameSchema },
      body: passwordResetSchema.omit({ username: true }),
      answer: passwordAnswer,
      response: userPasswordAnswerSchema,
    }),
    ...guard,
    async (c) =>
      c.json(
        await admin.resetPassword({
          ...passwordResetSchema.parse({ ...(await body(c)), username: c.req.param("username") }),
          actor: actor(c),
        }),
      ),
  );
  return app;
}
