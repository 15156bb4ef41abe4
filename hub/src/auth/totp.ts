/**
 * The optional second factor's codes: TOTP (RFC 6238) with HMAC-SHA1, 30 s
 * steps and 6 digits, what every authenticator app does with an
 * `otpauth://totp/` URI (the `otpauth` library computes them). A code is
 * accepted one step either side of now, for clocks a little off; which step
 * it matched is returned so the account can refuse that step (and every
 * earlier one) from then on: a code seen over a shoulder or in a log cannot
 * be used again.
 *
 * The shared secret is kept in the database sealed with AES-256-GCM under a
 * key in the data dir (`auth/totp-secrets.key`, 0600), bound to its account
 * (the user id is the associated data): a copy of the database alone, or a
 * sealed secret moved to another account's row, yields no code.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { z } from "zod";

/** RFC 6238's defaults, which authenticator apps assume whatever the URI says. */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that a code may belong to (±30 s of clock drift). */
export const TOTP_WINDOW_STEPS = 1;
const TOTP_ALGORITHM = "SHA1";
/** What the authenticator app lists the account under. */
const TOTP_ISSUER = "LogMaster";
/** RFC 4226 §4: a shared secret of at least 128 bits, 160 recommended (the HMAC-SHA1 key size). */
const SECRET_BYTES = 20;

/** A code as a person types it from the app: six digits. */
export const totpCodeSchema = z
  .string()
  .regex(/^\d{6}$/, "must be the 6 digits the authenticator app shows")
  .describe("the 6-digit code the authenticator app shows now");

const totpOf = (secretBase32: string, label = "") =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  });

/** A new shared secret, base32 (what an app takes when typed by hand). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/**
 * The `otpauth://totp/…` URI an app reads from a QR code.
 *
 * @example
 * totpUri(secret, "ayse"); // "otpauth://totp/LogMaster:ayse?issuer=LogMaster&secret=…&algorithm=SHA1&digits=6&period=30"
 */
export function totpUri(secretBase32: string, username: string): string {
  return totpOf(secretBase32, username).toString();
}

/** The time step of a moment: whole periods since the Unix epoch. */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_PERIOD_S);
}

/** The code of a moment (what the app shows then). */
export function totpCode(secretBase32: string, timeMs: number = Date.now()): string {
  return totpOf(secretBase32).generate({ timestamp: timeMs });
}

/**
 * The time step a code belongs to, within one step of `timeMs`, or undefined
 * when it matches none. The caller refuses a step not later than the last one accepted.
 *
 * @example
 * const step = totpStepOfCode(secret, "287082");
 * if (step === undefined || step <= lastStep) refuse();
 */
export function totpStepOfCode(
  secretBase32: string,
  code: string,
  timeMs: number = Date.now(),
): number | undefined {
  const delta = totpOf(secretBase32).validate({
    token: code,
    timestamp: timeMs,
    window: TOTP_WINDOW_STEPS,
  });
  return delta === null ? undefined : totpStep(timeMs) + delta;
}

/** The key that seals TOTP secrets in the database, with its id (written beside each sealed secret). */
export interface TotpSecretKey {
  kid: string;
  key: Buffer;
}

export const TOTP_KEY_FILE = join("auth", "totp-secrets.key");
const KEY_BYTES = 32;

const kidOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 16);

/**
 * The data dir's key for TOTP secrets, made on first use. Every hub process
 * of a chain needs the same file (like the signing keys beside it).
 *
 * @example
 * const totpKey = loadTotpSecretKey(config.dataDir);
 */
export function loadTotpSecretKey(dataDir: string): TotpSecretKey {
  const file = join(dataDir, TOTP_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(join(dataDir, "auth"), { recursive: true, mode: 0o700 });
    text = `${randomBytes(KEY_BYTES).toString("base64")}\n`;
    // `wx`: two processes starting on one data dir keep the first one's key.
    try {
      writeFileSync(file, text, { mode: 0o600, flag: "wx" });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== "EEXIST") throw raced;
      text = readFileSync(file, "utf8");
    }
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES)
    throw new Error(`${file}: not a TOTP secret key (${KEY_BYTES} bytes of base64 expected)`);
  return { kid: kidOf(key), key };
}

const SEALED_VERSION = "v1";
const associatedData = (userId: string) => Buffer.from(`logmaster-totp:${userId}`);

/**
 * A TOTP secret sealed for one account: `v1.<kid>.<iv>.<ciphertext+tag>` (base64url).
 *
 * @example
 * await setTotpSecret(db, user.id, sealTotpSecret(context.totpKey, user.id, secret));
 */
export function sealTotpSecret(key: TotpSecretKey, userId: string, secretBase32: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(associatedData(userId));
  const sealed = Buffer.concat([
    cipher.update(secretBase32, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return [SEALED_VERSION, key.kid, iv.toString("base64url"), sealed.toString("base64url")].join(
    ".",
  );
}

/** The TOTP secret of an account from its sealed form; throws when this key did not seal it for this account. */
export function openTotpSecret(key: TotpSecretKey, userId: string, sealed: string): string {
  const [version, kid, iv, body] = sealed.split(".");
  if (version !== SEALED_VERSION || !kid || !iv || !body)
    throw new Error("a sealed TOTP secret is not in the v1 form");
  if (kid !== key.kid)
    throw new Error(
      `a TOTP secret was sealed with key ${kid}, this hub has ${key.kid}: every hub process needs the same ${TOTP_KEY_FILE} (or reset the account's second factor: logmaster-hub user reset-totp)`,
    );
  const bytes = Buffer.from(body, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
  decipher.setAAD(associatedData(userId));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - 16)),
    decipher.final(),
  ]).toString("utf8");
}
