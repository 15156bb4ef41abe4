/**
 * One error shape for every listener of the hub (ingest and `--http`):
 * `{ "code": "...", "message": "..." }`. The code is stable and from the
 * catalog below, so a client (the agent, the CLI, the dashboard) acts on it;
 * the message is for a person and may carry details.
 */

/** Every error code the hub answers, with the message used when there is no detail. */
export const ERROR_CODES = {
  // Who is asking (401) and whether they may (403).
  unauthorized: "sign in first: this route needs credentials (Authorization: Bearer …)",
  invalid_credential: "the credential is wrong, expired or revoked",
  totp_required:
    "this account has a second factor: log in again with the code of its authenticator app (`totp`)",
  forbidden: "you may not do this",
  client_certificate_required: "this route needs the agent's client certificate (mutual TLS)",
  client_certificate_invalid: "the client certificate is not valid for this hub",
  agent_revoked: "this agent was revoked by a chain admin: enroll it again with a new token",
  token_invalid: "the enrollment token is not one this hub made",
  token_used: "the enrollment token was used already: create a new one",
  token_expired: "the enrollment token has expired: create a new one",
  token_revoked: "the enrollment token was revoked: create a new one",
  reenroll_refused: "this agent cannot be re-enrolled with this token",
  // What was asked.
  invalid_request: "the request is not valid",
  invalid_batch: "the batch is not valid",
  invalid_manifest: "the manifest is not valid",
  not_found: "no such thing here",
  conflict: "this conflicts with what the hub holds",
  too_large: "the request body is over the size limit",
  too_many_requests: "too many requests in flight: retry after the ones under way end",
  // A disclosure pack (hub/src/disclose/): why its lines cannot go out.
  chunk_not_sealed:
    "a chunk the answer needs is not sealed and verified yet: ask again after its seal",
  chunk_failed: "a chunk the answer needs failed verification at the hub: its lines prove nothing",
  index_mismatch: "the index names a line the archived chunk does not hold: rebuild the index",
  too_many_lines: "the query finds more lines than one disclosure holds: narrow it",
  // The hub itself.
  internal_error: "the hub failed to answer this request; the failure is in its log and /metrics",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of an error answer. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * The body of an error answer: the code and a message (the catalog's when no detail is given).
 *
 * @example
 * return c.json(errorBody("invalid_batch", "x-lm-offset: must be a decimal byte count"), 400);
 */
export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { code, message: message || ERROR_CODES[code] };
}

/** The code of a 4xx status when nothing more precise is known (a thrown refusal). */
export function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "too_large";
    case 429:
      return "too_many_requests";
    default:
      return "invalid_request";
  }
}

/**
 * A request the hub refuses for a reason the asker can act on (an unknown
 * hotel, a day that has not ended, a duplicate name): the API answers its
 * status with `{ code, message }`, the CLI prints the message. Anything else
 * thrown is an internal error.
 *
 * @example
 * throw new RefusedRequestError(`no hotel with id or name "${name}"`, 404);
 */
export class RefusedRequestError extends Error {
  override readonly name: string = "RefusedRequestError";
  readonly code: ErrorCode;
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 = 400,
    /** A code more precise than the status's (`invalid_credential`, `totp_required`). */
    code?: ErrorCode,
  ) {
    super(message);
    this.code = code ?? codeOfStatus(status);
  }
}
