/**
 * Attacks on the access token: each must be refused, and a good token passes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base64url, exportSPKI, SignJWT, UnsecuredJWT } from "jose";
import { loadSigningKeys, rotateSigningKey, type SigningKeys } from "./keys.ts";
import {
  ACCESS_TOKEN_AUDIENCE,
  AccessTokenError,
  issueAccessToken,
  issuerOf,
  verifyAccessToken,
} from "./tokens.ts";

const dir = mkdtempSync(join(tmpdir(), "logmaster-tokens-"));
const claims = {
  sub: "u1",
  name: "ayse",
  role: "hotel_manager" as const,
  hotels: ["grand"],
  sid: "s1",
};
let keys: SigningKeys;

beforeAll(async () => {
  keys = await loadSigningKeys(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refused = async (token: string) => {
  const error = await verifyAccessToken(keys, "chain", token).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AccessTokenError);
};

describe("access tokens", () => {
  test("a token of this hub verifies and carries its claims", async () => {
    const token = await issueAccessToken(keys, "chain", claims);
    expect(await verifyAccessToken(keys, "chain", token)).toMatchObject(claims);
  });

  test("alg none is refused", async () => {
    const token = new UnsecuredJWT({ ...claims, issued_ms: Date.now() })
      .setIssuer(issuerOf("chain"))
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject("u1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .encode();
    await refused(token);
  });

  test("HS256 signed with the public key as the secret is refused", async () => {
    const pem = await exportSPKI(keys.current.publicKey);
    const token = await new SignJWT({ ...claims, issued_ms: Date.now() })
      .setProtectedHeader({ alg: "HS256", kid: keys.current.kid })
      .setIssuer(issuerOf("chain"))
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject("u1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(pem));
    await refused(token);
  });

  test("expired, another audience, another issuer (another chain) are refused", async () => {
    await refused(await issueAccessToken(keys, "chain", claims, -10));
    const other = (change: (jwt: SignJWT) => SignJWT) =>
      change(
        new SignJWT({ ...claims, issued_ms: Date.now() })
          .setProtectedHeader({ alg: "ES256", kid: keys.current.kid })
          .setSubject("u1")
          .setIssuedAt()
          .setExpirationTime("5m"),
      ).sign(keys.current.privateKey);
    await refused(
      await other((jwt) => jwt.setIssuer(issuerOf("chain")).setAudience("another-api")),
    );
    await refused(
      await other((jwt) =>
        jwt.setIssuer(issuerOf("other-chain")).setAudience(ACCESS_TOKEN_AUDIENCE),
      ),
    );
    await refused(await issueAccessToken(keys, "other-chain", claims));
  });

  test("a changed payload (another role, more hotels) breaks the signature", async () => {
    const token = await issueAccessToken(keys, "chain", claims);
    const [header, payload, signature] = token.split(".");
    const changed = JSON.parse(new TextDecoder().decode(base64url.decode(payload as string)));
    changed.role = "chain_admin";
    changed.hotels = ["grand", "other"];
    await refused(`${header}.${base64url.encode(JSON.stringify(changed))}.${signature}`);
  });

  test("a key that is not this hub's is refused; a rotated key still verifies the old tokens", async () => {
    const foreignDir = mkdtempSync(join(tmpdir(), "logmaster-tokens-foreign-"));
    try {
      const foreign = await loadSigningKeys(foreignDir);
      await refused(await issueAccessToken(foreign, "chain", claims));
    } finally {
      rmSync(foreignDir, { recursive: true, force: true });
    }
    const old = await issueAccessToken(keys, "chain", claims);
    await rotateSigningKey(dir);
    const rotated = await loadSigningKeys(dir);
    expect(rotated.current.kid).not.toBe(keys.current.kid);
    expect(await verifyAccessToken(rotated, "chain", old)).toMatchObject(claims);
    const fresh = await issueAccessToken(rotated, "chain", claims);
    expect(
      JSON.parse(new TextDecoder().decode(base64url.decode(fresh.split(".")[0] as string))).kid,
    ).toBe(rotated.current.kid);
  });
});
