/**
 * The RFC 3161 HTTP client (RFC 3161 §3.4): POST a TimeStampReq, check and
 * verify the TimeStampResp (nonce included) before anyone stores it, and say
 * whether a failure is worth retrying.
 */
import { certificatesFromPems, MalformedDerError } from "./der.ts";
import { checkKamusmCredentials, type KamusmCredentials, kamusmIdentity } from "./kamusm.ts";
import { buildTimestampRequest } from "./request.ts";
import { describeStatus, grantedResponse, readTimestampResponse } from "./response.ts";
import {
  type TimestampFailureReason,
  type TimestampVerification,
  verifyTimestampResponse,
} from "./verify.ts";

/** How the client authenticates to the TSA. */
export type TimestampAuth =
  | { kind: "none" }
  /** HTTP basic auth (RFC 7617, UTF-8), what most commercial TSAs use. */
  | { kind: "basic"; username: string; password: string }
  /** Kamu SM's `identity` header (see kamusm.ts; not tested against the real service). */
  | ({ kind: "kamusm" } & KamusmCredentials);

/** The part of `fetch` the client uses; tests and the in-process dev TSA pass their own. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TimestampClientOptions {
  /** The TSA's URL (http or https). */
  url: string;
  auth?: TimestampAuth;
  /** Whole request, body included; past it the attempt is a transient `timeout`. */
  timeoutMs: number;
  /** PEM texts of the TSA roots to trust (TSA_CA_FILE). */
  trustedCaPems: readonly string[];
  /** Intermediates not embedded in the TSA's responses. */
  untrustedPems?: readonly string[];
  /** A policy OID to ask for (reqPolicy) and require in the token. */
  policy?: string;
  fetchImpl?: FetchLike;
  /** Refuse bigger bodies (default 1 MiB; a token with a chain is a few KiB). */
  maxResponseBytes?: number;
}

export interface RequestTimestampOptions extends TimestampClientOptions {
  /** The bytes to time-stamp (`manifest.json`). */
  data: Uint8Array;
}

/** A verified time-stamp and what the hub keeps of it. */
export interface TimestampGrant {
  /** DER TimeStampResp: store as `manifest.tsr`. */
  tsr: Uint8Array;
  genTime: Date;
  /** Token serial, lower-case hex. */
  serialNumber: string;
  policy: string;
  tsaName: string | undefined;
  /** Signer certificate and intermediates (PEM): `tsa-chain.pem` of the evidence bundle. */
  chainPems: string[];
  /** The trusted root the chain ends at (PEM): `tsa-ca.pem`. */
  trustAnchorPem: string;
  /**
   * The HTTP body exactly as received, set only when it was not a standard
   * TimeStampResp (a bare token, which `tsr` then wraps): keep it beside
   * `manifest.tsr` so nothing the TSA sent is lost.
   */
  rawBody: Uint8Array | undefined;
  verification: Extract<TimestampVerification, { ok: true }>;
}

export type TimestampErrorKind =
  /** Network, timeout, 5xx, TSA busy: retry later with the same data. */
  | "transient"
  /** Refused, misconfigured or an invalid answer: retrying unchanged will not help. */
  | "permanent";

export type TimestampErrorReason =
  | "network"
  | "timeout"
  | `http_${number}`
  | "bad_content_type"
  | "response_too_large"
  | "status_waiting"
  | TimestampFailureReason;

/**
 * Why no time-stamp was obtained.
 *
 * @example
 * try {
 *   await client.stamp(manifestBytes);
 * } catch (error) {
 *   if (error instanceof TimestampError && error.kind === "transient") scheduleRetry();
 *   else markTimestampFailed(error);
 * }
 */
export class TimestampError extends Error {
  override readonly name = "TimestampError";
  constructor(
    readonly kind: TimestampErrorKind,
    readonly reason: TimestampErrorReason,
    message: string,
    readonly details: { httpStatus?: number; verification?: TimestampVerification } = {},
  ) {
    super(message);
  }
}

const QUERY_TYPE = "application/timestamp-query";
/** RFC 3161's type, and the older draft name some TSAs still send. */
const REPLY_TYPES = ["application/timestamp-reply", "application/timestamp-response"];
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** HTTP statuses that say "not now" rather than "never". */
function isTransientHttpStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A printable excerpt of a body, for error messages (TSAs often explain refusals in text). */
function excerpt(body: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body.subarray(0, 400));
  const printable = text
    .replace(/[^\p{L}\p{N}\p{P}\p{Zs}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return printable ? ` (body: "${printable.slice(0, 200)}")` : "";
}

/**
 * The body of a request or response, or undefined when it is longer than
 * `maxBytes` (read piece by piece, so an endless body is cut off early).
 * Shared by this client and the TSAs we serve.
 */
export async function readLimitedBody(
  message: Request | Response,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if (Number(message.headers.get("content-length")) > maxBytes) return undefined;
  const pieces: Uint8Array[] = [];
  let total = 0;
  if (message.body) {
    for await (const piece of message.body) {
      total += piece.byteLength;
      if (total > maxBytes) return undefined;
      pieces.push(piece);
    }
  }
  return new Uint8Array(Buffer.concat(pieces));
}

function authHeaders(auth: TimestampAuth, hashedMessage: Uint8Array): Record<string, string> {
  switch (auth.kind) {
    case "none":
      return {};
    case "basic":
      return {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`,
      };
    case "kamusm":
      return { identity: kamusmIdentity(auth, hashedMessage) };
  }
}

function checkOptions(options: TimestampClientOptions): void {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`the TSA URL (TSA_URL) is not a URL: "${options.url}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`the TSA URL (TSA_URL) must be http:// or https://, got "${options.url}"`);
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)
    throw new TypeError(
      `the TSA timeout must be a positive number of ms, got ${options.timeoutMs}`,
    );
  if (options.trustedCaPems.length === 0)
    throw new TypeError(
      "the TSA client needs the TSA's root certificate (TSA_CA_FILE) to verify its answers",
    );
  try {
    certificatesFromPems(options.trustedCaPems, "TSA_CA_FILE");
    certificatesFromPems(options.untrustedPems ?? [], "TSA chain PEM");
  } catch (error) {
    throw new TypeError(error instanceof Error ? error.message : String(error));
  }
  const auth = options.auth ?? { kind: "none" };
  if (auth.kind === "basic" && (auth.username.length === 0 || auth.username.includes(":")))
    throw new TypeError(
      "basic auth needs a user name (TSA_USERNAME) without ':' (RFC 7617 cannot carry one)",
    );
  if (auth.kind === "kamusm") checkKamusmCredentials(auth);
}

/** A configured TSA client; see {@link createTimestampClient}. */
export interface TimestampClient {
  /** Obtain and verify a time-stamp over `data`; throws TimestampError. */
  stamp(data: Uint8Array): Promise<TimestampGrant>;
}

/**
 * A TSA client, its configuration checked now (a bad URL, missing CA or
 * malformed credentials throw here, naming the setting), not at the first
 * seal.
 *
 * @example
 * const client = createTimestampClient({
 *   url: "https://tsa.example.com/tsr",
 *   auth: { kind: "basic", username: "hotelchain", password },
 *   timeoutMs: 10_000,
 *   trustedCaPems: [readFileSync(process.env.TSA_CA_FILE, "utf8")],
 * });
 * const { tsr, genTime } = await client.stamp(manifestBytes);
 */
export function createTimestampClient(options: TimestampClientOptions): TimestampClient {
  checkOptions(options);
  const fetchImpl: FetchLike = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const auth = options.auth ?? { kind: "none" };
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  async function post(der: Uint8Array, headers: Record<string, string>) {
    try {
      const response = await fetchImpl(options.url, {
        method: "POST",
        headers: { "content-type": QUERY_TYPE, "user-agent": "LogMaster", ...headers },
        // ArrayBuffer-backed: what a DOM BodyInit takes (the dashboard type-checks this file too).
        body: der as Uint8Array<ArrayBuffer>,
        // A redirect is reported, not followed: fetch would turn a 301/302 POST into a GET.
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const body = await readLimitedBody(response, maxBytes);
      if (!body)
        throw new TimestampError(
          "permanent",
          "response_too_large",
          `the TSA's response is larger than ${maxBytes} bytes`,
        );
      return { response, body };
    } catch (error) {
      if (error instanceof TimestampError) throw error;
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError")
        throw new TimestampError(
          "transient",
          "timeout",
          `the TSA at ${options.url} did not answer within ${options.timeoutMs} ms`,
        );
      throw new TimestampError(
        "transient",
        "network",
        `cannot reach the TSA at ${options.url}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  return {
    async stamp(data) {
      const request = buildTimestampRequest({
        data,
        ...(options.policy === undefined ? {} : { reqPolicy: options.policy }),
      });
      const { response, body } = await post(request.der, authHeaders(auth, request.digest));
      if (!response.ok) {
        const location = response.headers.get("location");
        throw new TimestampError(
          isTransientHttpStatus(response.status) ? "transient" : "permanent",
          `http_${response.status}`,
          `the TSA answered HTTP ${response.status}${location ? ` redirecting to ${location} (set TSA_URL to it)` : ""}${excerpt(body)}`,
          { httpStatus: response.status },
        );
      }
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim();
      if (!REPLY_TYPES.includes(contentType?.toLowerCase() ?? "")) {
        throw new TimestampError(
          "permanent",
          "bad_content_type",
          `the TSA answered ${contentType || "without a content type"}, not application/timestamp-reply${excerpt(body)}`,
          { httpStatus: response.status },
        );
      }

      let tsr = body;
      let rawBody: Uint8Array | undefined;
      try {
        const { status } = readTimestampResponse(body);
        // Some TSAs ask to be asked again (waiting) or say their clock or system is down.
        const busy =
          status.status === 3 ||
          status.failInfo.includes("timeNotAvailable") ||
          status.failInfo.includes("systemFailure");
        if (busy) {
          throw new TimestampError(
            "transient",
            status.status === 3
              ? "status_waiting"
              : `status_rejected:${status.text ?? status.statusName}`,
            `the TSA cannot stamp now: ${describeStatus(status)}`,
          );
        }
      } catch (error) {
        if (!(error instanceof MalformedDerError)) throw error;
        // Not a TimeStampResp: a bare token (some clients' and services' format) is wrapped,
        // and the body as received is kept beside it.
        try {
          tsr = grantedResponse(body);
          rawBody = body;
        } catch {
          throw new TimestampError(
            "permanent",
            "malformed_response",
            `the TSA's answer is neither a TimeStampResp nor a time-stamp token: ${error.message}${excerpt(body)}`,
          );
        }
      }

      const verification = await verifyTimestampResponse({
        tsr,
        data,
        trustedCaPems: options.trustedCaPems,
        expectedNonce: request.nonce,
        ...(options.policy === undefined ? {} : { expectedPolicy: options.policy }),
        ...(options.untrustedPems === undefined ? {} : { untrustedPems: options.untrustedPems }),
      });
      if (!verification.ok) {
        const failed = verification.checks.filter((check) => !check.ok);
        const refused = verification.reason.startsWith("status_rejected:");
        throw new TimestampError(
          "permanent",
          verification.reason,
          refused
            ? `the TSA refused the request: ${failed.map((check) => check.detail).join("; ")}`
            : `the TSA's answer does not verify: ${failed.map((check) => `${check.name}: ${check.detail}`).join("; ")}`,
          { verification },
        );
      }
      return {
        tsr,
        genTime: verification.token.genTime,
        serialNumber: verification.token.serialNumber,
        policy: verification.token.policy,
        tsaName: verification.token.tsaName,
        chainPems: verification.chainPems,
        trustAnchorPem: verification.trustAnchorPem,
        rawBody,
        verification,
      };
    },
  };
}

/**
 * Obtain and verify one time-stamp over `data` (a one-off
 * {@link createTimestampClient}).
 *
 * @example
 * const grant = await requestTimestamp({
 *   url: "http://127.0.0.1:8080/tsa",
 *   data: manifestBytes,
 *   timeoutMs: 10_000,
 *   trustedCaPems: [devTsa.caPem],
 * });
 * await Bun.write("manifest.tsr", grant.tsr);
 */
export function requestTimestamp(options: RequestTimestampOptions): Promise<TimestampGrant> {
  return createTimestampClient(options).stamp(options.data);
}

/**
 * The auth of the hub's TSA settings, checked: `TSA_AUTH` none|basic|kamusm
 * (default basic when a user name is set, else none), `TSA_USERNAME`,
 * `TSA_PASSWORD`. Throws a TypeError naming the setting.
 *
 * @example
 * const auth = timestampAuthFromSettings({
 *   auth: env.TSA_AUTH, username: env.TSA_USERNAME, password: env.TSA_PASSWORD,
 * });
 */
export function timestampAuthFromSettings(settings: {
  auth?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}): TimestampAuth {
  const kind = settings.auth || (settings.username ? "basic" : "none");
  const username = settings.username ?? "";
  const password = settings.password ?? "";
  switch (kind) {
    case "none":
      if (username || password)
        throw new TypeError("TSA_USERNAME/TSA_PASSWORD are set but TSA_AUTH is none");
      return { kind: "none" };
    case "basic":
      if (!username) throw new TypeError("TSA_AUTH=basic needs TSA_USERNAME");
      return { kind: "basic", username, password };
    case "kamusm":
      if (!/^\d+$/.test(username))
        throw new TypeError(
          "TSA_AUTH=kamusm needs TSA_USERNAME set to the numeric Kamu SM customer number",
        );
      if (!password) throw new TypeError("TSA_AUTH=kamusm needs TSA_PASSWORD");
      return { kind: "kamusm", customerId: Number(username), password };
    default:
      throw new TypeError(`TSA_AUTH must be none, basic or kamusm, got "${kind}"`);
  }
}
