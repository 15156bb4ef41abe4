/**
 * The chain admin's user operations: add an account with its role and
 * hotels, list accounts, disable one, reset a password, clear a lost second
 * factor. Every change ends the account's sessions where it must and is
 * audit-logged (`user_change`) with the actor. Passwords are shown once (generated ones) and kept only as
 * argon2id hashes; no view carries the hash, nor the sealed TOTP secret.
 */
import { z } from "zod";
import { generatePassword, hashPassword, passwordSchema } from "../auth/passwords.ts";
import { RefusedRequestError } from "../errors.ts";
import {
  clearTotp,
  type Db,
  findHotel,
  findUserByUsername,
  insertUser,
  listUsers,
  revokeUserSessions,
  type UserWithHotels,
  writeAudit,
} from "../store/index.ts";
import { type UserRole, userRoles } from "../store/schema.ts";
import type { Actor } from "./requests.ts";

/** Lower case, as login folds it; no spaces, so it reads the same in the audit log. */
export const usernameSchema = z
  .string({ message: "is required" })
  .regex(
    /^[a-z0-9._-]{2,64}$/,
    "must be 2 to 64 characters of a-z, 0-9, '.', '_' and '-' (lower case)",
  );

/** Which roles are bound to hotels: chain admins see every hotel, managers and IT need theirs. */
const HOTEL_BINDING: Record<UserRole, "none" | "some" | "any"> = {
  chain_admin: "none",
  hotel_manager: "some",
  hotel_it: "some",
  // Zero hotels: a chain-wide auditor; some: that hotels' auditor.
  auditor: "any",
};

/** `POST /admin/users`: a new account. `hotels` are hotel ids (or exact names) that must exist. */
export const userRequestSchema = z
  .object({
    username: usernameSchema,
    role: z.enum(userRoles, { message: `must be one of ${userRoles.join(", ")}` }),
    hotels: z.array(z.string().min(1, "must name a hotel (id or name)")).default([]),
    /** Absent: the hub generates one and answers it once. */
    password: passwordSchema.optional(),
  })
  .superRefine((request, check) => {
    const binding = HOTEL_BINDING[request.role];
    if (binding === "none" && request.hotels.length > 0)
      check.addIssue({
        code: "custom",
        path: ["hotels"],
        message: `a ${request.role} sees every hotel and takes no hotels (--hotel)`,
      });
    if (binding === "some" && request.hotels.length === 0)
      check.addIssue({
        code: "custom",
        path: ["hotels"],
        message: `a ${request.role} needs at least one hotel (--hotel)`,
      });
  });
export type UserRequest = z.input<typeof userRequestSchema>;

/** `POST /admin/users/:username/password`: a new password, generated when absent. */
export const passwordResetSchema = z.object({
  username: usernameSchema,
  password: passwordSchema.optional(),
});
export type PasswordResetRequest = z.input<typeof passwordResetSchema>;

/** An account as the API and the CLI show it: never its password hash. */
export const userViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(userRoles),
  /** Bound hotels; none for a chain admin or a chain-wide auditor (every hotel). */
  hotels: z.array(z.string()),
  created_at: z.string(),
  password_changed_at: z.string(),
  disabled_at: z.string().nullable(),
  /** When its TOTP second factor was confirmed; null: login asks for none. Never the secret. */
  totp_enabled_at: z.string().nullable(),
});
export type UserView = z.infer<typeof userViewSchema>;

/** An added account or a reset password: the generated password, shown this once, or null. */
export const userPasswordAnswerSchema = z.object({
  user: userViewSchema,
  generated_password: z.string().nullable(),
});
export type UserPasswordAnswer = z.infer<typeof userPasswordAnswerSchema>;

export const userView = (user: UserWithHotels): UserView => ({
  id: user.id,
  username: user.username,
  role: user.role,
  hotels: [...user.hotels],
  created_at: user.createdAt.toISOString(),
  password_changed_at: user.passwordChangedAt.toISOString(),
  disabled_at: user.disabledAt?.toISOString() ?? null,
  totp_enabled_at: user.totpEnabledAt?.toISOString() ?? null,
});

export interface UserAdmin {
  addUser(input: UserRequest & Actor): Promise<UserPasswordAnswer>;
  /** Every account, by user name. */
  listUsers(): Promise<UserView[]>;
  /** The account cannot log in again, and every session of it ends now. */
  disableUser(input: { username: string } & Actor): Promise<UserView>;
  /** A new password (generated when absent); every session of the account ends now. */
  resetPassword(input: PasswordResetRequest & Actor): Promise<UserPasswordAnswer>;
  /**
   * Clear the account's second factor (a lost authenticator): it logs in with
   * its password alone until it sets up a new one; every session of it ends now.
   */
  resetTotp(input: { username: string } & Actor): Promise<UserView>;
}

/** The database refused a duplicate (PostgreSQL and PGlite: SQLSTATE 23505), maybe wrapped by drizzle. */
function isUniqueViolation(error: unknown): boolean {
  const codeOf = (value: unknown) => (value as { code?: unknown } | null)?.code;
  return codeOf(error) === "23505" || codeOf((error as { cause?: unknown }).cause) === "23505";
}

const exists = (username: string) =>
  new RefusedRequestError(`a user named "${username}" exists already: choose another name`, 409);

async function requireUser(db: Db, username: string): Promise<UserWithHotels> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new RefusedRequestError(`no user named "${username}"`, 404);
  return user;
}

/** Hotel ids of what an admin typed (ids or exact names), each once; an unknown one is a 400 naming it. */
async function resolveHotels(db: Db, typed: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of typed) {
    const hotel = await findHotel(db, name);
    if (!hotel) throw new RefusedRequestError(`no hotel with id or name "${name}"`, 400);
    if (!ids.includes(hotel.id)) ids.push(hotel.id);
  }
  return ids;
}

/**
 * The user operations on an open database.
 *
 * @example
 * const users = localUserAdmin(db);
 * const { user, generated_password } = await users.addUser({ username: "ayse", role: "hotel_manager", hotels: ["grand"], actor: "cli:root" });
 */
export function localUserAdmin(db: Db): UserAdmin {
  return {
    async addUser({ actor, ...input }) {
      const request = userRequestSchema.parse(input);
      if (await findUserByUsername(db, request.username)) throw exists(request.username);
      const hotels = await resolveHotels(db, request.hotels);
      const password = request.password ?? generatePassword();
      let user: UserWithHotels;
      try {
        user = await insertUser(db, {
          username: request.username,
          role: request.role,
          hotels,
          passwordHash: await hashPassword(password),
        });
      } catch (error) {
        // Another admin added the same name between the check and the insert.
        if (isUniqueViolation(error)) throw exists(request.username);
        throw error;
      }
      await writeAudit(db, {
        actor,
        action: "user_change",
        detail: { change: "add", user: user.username, role: user.role, hotels: user.hotels },
      });
      return {
        user: userView(user),
        generated_password: request.password === undefined ? password : null,
      };
    },

    listUsers: async () => (await listUsers(db)).map(userView),

    async disableUser({ actor, username }) {
      const user = await requireUser(db, username);
      // Locking yourself out is never what was meant; another chain admin (or the CLI) can.
      if (actor === `user:${user.username}`)
        throw new RefusedRequestError(
          `you cannot disable your own account "${username}"; another chain admin or "logmaster-hub user disable" can`,
          409,
        );
      if (user.disabledAt)
        throw new RefusedRequestError(
          `user "${username}" is disabled already (since ${user.disabledAt.toISOString()})`,
          409,
        );
      await revokeUserSessions(db, user.id, { disable: true });
      await writeAudit(db, {
        actor,
        action: "user_change",
        detail: { change: "disable", user: user.username, role: user.role },
      });
      return userView(await requireUser(db, username));
    },

    async resetPassword({ actor, ...input }) {
      const request = passwordResetSchema.parse(input);
      const user = await requireUser(db, request.username);
      const password = request.password ?? generatePassword();
      await revokeUserSessions(db, user.id, { passwordHash: await hashPassword(password) });
      await writeAudit(db, {
        actor,
        action: "user_change",
        detail: {
          change: "reset_password",
          user: user.username,
          generated: request.password === undefined,
        },
      });
      return {
        user: userView(await requireUser(db, request.username)),
        generated_password: request.password === undefined ? password : null,
      };
    },

    async resetTotp({ actor, username }) {
      const user = await requireUser(db, username);
      if (!(await clearTotp(db, user.id)))
        throw new RefusedRequestError(`user "${username}" has no second factor`, 409);
      // Recovery, often after a device was lost or stolen: the account starts over from a fresh login.
      await revokeUserSessions(db, user.id);
      await writeAudit(db, {
        actor,
        action: "user_change",
        detail: {
          change: "reset_totp",
          user: user.username,
          was: user.totpEnabledAt ? "enabled" : "pending",
        },
      });
      return userView(await requireUser(db, username));
    },
  };
}

/** How the remote door calls the hub's `/admin` API (remoteAdmin's `call`). */
export type AdminCall = <T>(
  method: string,
  path: string,
  body?: unknown,
  actor?: string,
) => Promise<T>;

/**
 * The user operations through a running hub's `/admin/users` routes.
 *
 * @example
 * const users = remoteUserAdmin(call);
 * await users.disableUser({ username: "ayse", actor: "cli:root" });
 */
export function remoteUserAdmin(call: AdminCall): UserAdmin {
  const userPath = (username: string) => `/users/${encodeURIComponent(username)}`;
  return {
    addUser: ({ actor, ...input }) => call("POST", "/users", input, actor),
    listUsers: () => call("GET", "/users"),
    disableUser: ({ actor, username }) => call("POST", `${userPath(username)}/disable`, {}, actor),
    resetPassword: ({ actor, username, ...input }) =>
      call("POST", `${userPath(username)}/password`, input, actor),
    resetTotp: ({ actor, username }) => call("POST", `${userPath(username)}/totp/reset`, {}, actor),
  };
}
