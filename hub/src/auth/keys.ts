/**
 * The access tokens' signing keys: ES256 key pairs in `<data-dir>/auth/`
 * (0600), one file per key named by its id (the JWK thumbprint). The newest
 * signs; every key in the folder verifies, so a key can rotate: add one
 * (`rotateSigningKey`), and remove the old file once its tokens expired.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

export const TOKEN_ALGORITHM = "ES256";

export interface SigningKey {
  kid: string;
  createdAt: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export interface SigningKeys {
  /** The key new tokens are signed with. */
  current: SigningKey;
  byKid: Map<string, SigningKey>;
}

interface KeyFile {
  kid: string;
  created_at: string;
  private_jwk: JWK;
}

const keysDir = (dataDir: string) => join(dataDir, "auth");

async function readKey(file: KeyFile): Promise<SigningKey> {
  const privateKey = (await importJWK(file.private_jwk, TOKEN_ALGORITHM)) as CryptoKey;
  const { d: _private, ...publicJwk } = file.private_jwk;
  const publicKey = (await importJWK(publicJwk, TOKEN_ALGORITHM)) as CryptoKey;
  return { kid: file.kid, createdAt: file.created_at, privateKey, publicKey };
}

/** Make a new key and write it; it signs from the next load on. */
export async function rotateSigningKey(dataDir: string): Promise<string> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  mkdirSync(keysDir(dataDir), { recursive: true, mode: 0o700 });
  const file: KeyFile = {
    kid,
    created_at: new Date().toISOString(),
    private_jwk: { ...jwk, kid, alg: TOKEN_ALGORITHM },
  };
  writeFileSync(join(keysDir(dataDir), `${kid}.jwk.json`), `${JSON.stringify(file)}\n`, {
    mode: 0o600,
  });
  return kid;
}

/**
 * The keys of a data dir, made on first use.
 *
 * @example
 * const keys = await loadSigningKeys(config.dataDir);
 */
export async function loadSigningKeys(dataDir: string): Promise<SigningKeys> {
  const dir = keysDir(dataDir);
  const list = () => {
    try {
      return readdirSync(dir).filter((name) => name.endsWith(".jwk.json"));
    } catch {
      return [];
    }
  };
  if (list().length === 0) await rotateSigningKey(dataDir);
  const keys = await Promise.all(
    list().map((name) => readKey(JSON.parse(readFileSync(join(dir, name), "utf8")) as KeyFile)),
  );
  keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const current = keys.at(-1) as SigningKey;
  return { current, byKid: new Map(keys.map((key) => [key.kid, key])) };
}
