/**
 * Access tokens: short-lived JWTs (ES256), sent as `Authorization: Bearer`.
 * Verification pins the algorithm, the issuer (this chain's hub), the
 * audience (the API) and requires an expiry; the key is chosen by `kid` among
 * this hub's keys only (never from the token: no `jwk`/`jku` headers).
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { userRoles } from "../store/schema.ts";
import { type SigningKeys, TOKEN_ALGORITHM } from "./keys.ts";

export const ACCESS_TOKEN_AUDIENCE = "logmaster-api";
/** Five minutes: the refresh cookie renews it; a revocation is checked on every request anyway. */
export const ACCESS_TOKEN_SECONDS = 300;

export const issuerOf = (chainId: string) => `logmaster-hub:${chainId}`;

const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(userRoles),
  hotels: z.array(z.string()),
  sid: z.string().min(1),
  /** When it was issued, in ms (iat has whole seconds). */
  issued_ms: z.number(),
  iat: z.number(),
  exp: z.number(),
});
export type AccessClaims = z.infer<typeof claimsSchema>;

/** The token was not made by this hub for this API, or is no longer valid. */
export class AccessTokenError extends Error {
  override readonly name = "AccessTokenError";
}

/**
 * @example
 * const token = await issueAccessToken(keys, chainId, { sub: user.id, name, role, hotels, sid });
 */
export async function issueAccessToken(
  keys: SigningKeys,
  chainId: string,
  claims: Omit<AccessClaims, "iat" | "exp" | "issued_ms">,
  seconds = ACCESS_TOKEN_SECONDS,
): Promise<string> {
  return new SignJWT({
    name: claims.name,
    role: claims.role,
    hotels: claims.hotels,
    sid: claims.sid,
    issued_ms: Date.now(),
  })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.current.kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(issuerOf(chainId))
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`)
    .sign(keys.current.privateKey);
}

/**
 * The claims of a valid token; AccessTokenError otherwise (alg none, another
 * algorithm, an unknown key, a changed payload, expired, another issuer or audience).
 */
export async function verifyAccessToken(
  keys: SigningKeys,
  chainId: string,
  token: string,
): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? keys.byKid.get(header.kid) : undefined;
        if (!key) throw new AccessTokenError("the token's key is not one of this hub's");
        return key.publicKey;
      },
      {
        algorithms: [TOKEN_ALGORITHM],
        issuer: issuerOf(chainId),
        audience: ACCESS_TOKEN_AUDIENCE,
        requiredClaims: ["exp", "iat", "sub"],
      },
    );
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AccessTokenError(
        `the token's claims are not this hub's: ${claims.error.issues[0]?.path.join(".")}`,
      );
    }
    return claims.data;
  } catch (error) {
    if (error instanceof AccessTokenError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new AccessTokenError("the access token has expired: refresh it");
    if (error instanceof errors.JOSEError)
      throw new AccessTokenError(`the access token is not valid: ${error.code}`);
    throw error;
  }
}
