/**
 * Accounts, their hotels and their refresh tokens (hub/src/auth/ decides;
 * this file only reads and writes rows).
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./db.ts";
import { refreshTokens, type UserRole, userHotels, users } from "./schema.ts";

export type UserRow = typeof users.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export interface UserWithHotels extends UserRow {
  hotels: string[];
}

async function withHotels(db: Db, rows: UserRow[]): Promise<UserWithHotels[]> {
  if (rows.length === 0) return [];
  const bindings = await db
    .select()
    .from(userHotels)
    .where(
      inArray(
        userHotels.userId,
        rows.map((row) => row.id),
      ),
    )
    .orderBy(asc(userHotels.hotelId));
  return rows.map((row) => ({
    ...row,
    hotels: bindings.filter((b) => b.userId === row.id).map((b) => b.hotelId),
  }));
}

/**
 * @example
 * const user = await insertUser(db, { username: "ayse", role: "hotel_manager", hotels: ["grand"], passwordHash });
 */
export async function insertUser(
  db: Db,
  input: { username: string; role: UserRole; hotels: readonly string[]; passwordHash: string },
): Promise<UserWithHotels> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(users).values({
      id,
      username: input.username,
      role: input.role,
      passwordHash: input.passwordHash,
    });
    if (input.hotels.length > 0) {
      await tx.insert(userHotels).values(input.hotels.map((hotelId) => ({ userId: id, hotelId })));
    }
  });
  const user = await findUserById(db, id);
  if (!user) throw new Error("user insert returned nothing");
  return user;
}

export async function findUserByUsername(
  db: Db,
  username: string,
): Promise<UserWithHotels | undefined> {
  const rows = await db.select().from(users).where(eq(users.username, username));
  return (await withHotels(db, rows))[0];
}

export async function findUserById(db: Db, id: string): Promise<UserWithHotels | undefined> {
  const rows = await db.select().from(users).where(eq(users.id, id));
  return (await withHotels(db, rows))[0];
}

export async function listUsers(db: Db): Promise<UserWithHotels[]> {
  return withHotels(db, await db.select().from(users).orderBy(asc(users.username)));
}

/**
 * End every session of a user now: access tokens issued before are refused
 * (checked per request), refresh families revoked. With `disable`, the
 * account cannot log in again; with `passwordHash`, the password changes.
 */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  change: { disable?: boolean; passwordHash?: string } = {},
): Promise<void> {
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({
        tokensValidAfter: now,
        ...(change.disable ? { disabledAt: now } : {}),
        ...(change.passwordHash
          ? { passwordHash: change.passwordHash, passwordChangedAt: now }
          : {}),
      })
      .where(eq(users.id, userId));
    await tx
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
  });
}

/**
 * Keep a new, unconfirmed TOTP secret (sealed) for an account without a
 * confirmed one; false when a second factor is enabled (disable it first).
 */
export async function setPendingTotp(db: Db, userId: string, sealed: string): Promise<boolean> {
  const set = await db
    .update(users)
    .set({ totpSecretSealed: sealed, totpEnabledAt: null, totpLastStep: null })
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  return set.length === 1;
}

/**
 * Enable the pending secret the code was checked against (not one a later
 * setup put in its place), with the code's step as the last one used.
 */
export async function enableTotp(
  db: Db,
  userId: string,
  sealed: string,
  step: number,
): Promise<Date | undefined> {
  const [enabled] = await db
    .update(users)
    .set({ totpEnabledAt: new Date(), totpLastStep: step })
    .where(
      and(eq(users.id, userId), eq(users.totpSecretSealed, sealed), isNull(users.totpEnabledAt)),
    )
    .returning({ enabledAt: users.totpEnabledAt });
  return enabled?.enabledAt ?? undefined;
}

/**
 * Spend a TOTP time step: true when it is later than the last one spent (and
 * is now the last), false for a replay. One statement, so two hub processes
 * given the same code at once cannot both take it.
 */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const claimed = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(users.id, userId),
        isNotNull(users.totpEnabledAt),
        or(isNull(users.totpLastStep), lt(users.totpLastStep, step)),
      ),
    )
    .returning({ id: users.id });
  return claimed.length === 1;
}

/** Remove an account's second factor, pending or enabled; false when it had none. */
export async function clearTotp(db: Db, userId: string): Promise<boolean> {
  const cleared = await db
    .update(users)
    .set({ totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null })
    .where(and(eq(users.id, userId), isNotNull(users.totpSecretSealed)))
    .returning({ id: users.id });
  return cleared.length === 1;
}

export async function insertRefreshToken(
  db: Db,
  row: { familyId: string; userId: string; tokenSha256: string; expiresAt: Date },
): Promise<void> {
  await db.insert(refreshTokens).values({ id: randomUUID(), ...row });
}

export async function findRefreshToken(
  db: Db,
  tokenSha256: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenSha256, tokenSha256));
  return row;
}

/** Spend a refresh token: true when this call spent it (it was unused and not revoked). */
export async function spendRefreshToken(db: Db, id: string): Promise<boolean> {
  const spent = await db
    .update(refreshTokens)
    .set({ usedAt: new Date() })
    .where(
      and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)),
    )
    .returning({ id: refreshTokens.id });
  return spent.length === 1;
}

export async function revokeRefreshFamily(db: Db, familyId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Whether a login (refresh family) was ended (logout, reuse, revocation). */
export async function refreshFamilyRevoked(db: Db, familyId: string): Promise<boolean> {
  const rows = await db
    .select({ revokedAt: refreshTokens.revokedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, familyId))
    .limit(1);
  return rows.length === 0 || rows[0]?.revokedAt !== null;
}
