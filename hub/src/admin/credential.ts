import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ADMIN_CREDENTIAL_FILE = "admin-credential";

/**
 * The local admin credential: a random bearer secret in `<data-dir>/admin-credential`
 * (0600). Whoever can read the data dir administers the hub, no more.
 *
 * @example
 * const secret = ensureAdminCredential("data/hub");
 */
export function ensureAdminCredential(dataDir: string): string {
  const path = join(dataDir, ADMIN_CREDENTIAL_FILE);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

/** The credential, if a hub ever ran on this data dir. */
export function readAdminCredential(dataDir: string): string | undefined {
  const path = join(dataDir, ADMIN_CREDENTIAL_FILE);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}
