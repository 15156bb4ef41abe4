/** Passwords: argon2id through Bun.password, and the policy a new one must meet. */
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const passwordSchema = z
  .string()
  .min(12, "password must be at least 12 characters")
  .max(200, "password must be at most 200 characters");

/** argon2id, Bun's defaults (64 MiB, t=2): ~50 ms here, slow enough for a stolen table. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash).catch(() => false);
}

/** A password for a new or reset account, shown once: 20 characters of base64url (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

/** A hash to verify against when the user does not exist, so timing does not tell. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(generatePassword());
  return decoyHash;
}
