import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import {
  type Db,
  type EnrollmentTokenRow,
  findEnrollmentToken,
  insertEnrollmentToken,
} from "../store/index.ts";

const TOKEN_PREFIX = "lm1.";

/** The token's JSON, as docs/agent-hub-protocol.md fixes it. */
export const enrollmentTokenSchema = z.strictObject({
  v: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "secret must be 32 bytes base64url"),
  ca_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  hub: z.url(),
});
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;

/** Why a token was refused: the protocol's 401 `error` values. */
export type TokenProblem = "token_invalid" | "token_expired" | "token_used";

export class TokenError extends Error {
  override readonly name = "TokenError";
  constructor(readonly code: TokenProblem) {
    super(code);
  }
}

function secretSha256(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function randomBase64url(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

/** Parse `lm1.<base64url(JSON)>`; throws TokenError("token_invalid") on any malformation. */
export function decodeEnrollmentToken(text: string): EnrollmentToken {
  if (!text.startsWith(TOKEN_PREFIX)) throw new TokenError("token_invalid");
  try {
    const json = Buffer.from(text.slice(TOKEN_PREFIX.length), "base64url").toString("utf8");
    return enrollmentTokenSchema.parse(JSON.parse(json));
  } catch {
    throw new TokenError("token_invalid");
  }
}

export function encodeEnrollmentToken(token: EnrollmentToken): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(token)).toString("base64url");
}

/**
 * Make a one-time enrollment token for a hotel. Only a hash of its secret is
 * stored: the printed token is the only copy that can enroll.
 *
 * @example
 * const { token } = await createEnrollmentToken(db, {
 *   hotelId: "grand", ttlMs: 86_400_000, caSha256: ca.sha256, hubUrl: "https://hub:8443",
 * });
 */
export async function createEnrollmentToken(
  db: Db,
  options: { hotelId: string; ttlMs: number; caSha256: string; hubUrl: string; now?: Date },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const id = randomBase64url(12);
  const secret = randomBase64url(32);
  const expiresAt = new Date((options.now ?? new Date()).getTime() + options.ttlMs);
  await insertEnrollmentToken(db, {
    id,
    secretSha256: secretSha256(secret),
    hotelId: options.hotelId,
    expiresAt,
  });
  const token = encodeEnrollmentToken({
    v: 1,
    id,
    secret,
    ca_sha256: options.caSha256,
    hub: options.hubUrl,
  });
  return { token, id, expiresAt };
}

/** Where docs/install-agent.md puts the agent's state on a site box. */
const AGENT_DATA_DIR = "/var/lib/logmaster-agent";

/**
 * The line hotel IT pastes on the site box (docs/install-agent.md §2). The
 * token carries the hub's address and the CA to pin, so nothing else is needed.
 *
 * @example
 * enrollCommandLine("lm1.eyJ2Ijox…"); // "sudo -u logmaster logmaster-agent enroll --token 'lm1.eyJ2Ijox…' --data-dir /var/lib/logmaster-agent"
 */
export function enrollCommandLine(token: string): string {
  // lm1. + base64url: nothing a shell would read inside single quotes.
  if (!/^lm1\.[A-Za-z0-9_-]+$/.test(token)) throw new Error("not an enrollment token");
  return `sudo -u logmaster logmaster-agent enroll --token '${token}' --data-dir ${AGENT_DATA_DIR}`;
}

/**
 * The stored token a presented one names, if its secret matches and it is
 * neither used nor expired. Spending it is a separate, locked step
 * (`spendEnrollmentToken`), done together with registering the agent.
 */
export async function checkEnrollmentToken(
  db: Db,
  text: string,
  now = new Date(),
): Promise<EnrollmentTokenRow> {
  const token = decodeEnrollmentToken(text);
  const row = await findEnrollmentToken(db, token.id);
  if (!row) throw new TokenError("token_invalid");
  const presented = Buffer.from(secretSha256(token.secret), "hex");
  const stored = Buffer.from(row.secretSha256, "hex");
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) {
    throw new TokenError("token_invalid");
  }
  if (row.usedAt) throw new TokenError("token_used");
  if (row.expiresAt.getTime() <= now.getTime()) throw new TokenError("token_expired");
  return row;
}
