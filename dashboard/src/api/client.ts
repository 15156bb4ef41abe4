/**
 * The dashboard's one door to the hub: JSON requests under `/api/` with the
 * access token, one silent refresh and retry on a 401, and every refusal
 * turned into an `ApiError` carrying the API's stable `{ code, message }`
 * (shown to people through `errorMessage`, translated for known codes).
 */
import { type MessageKey, t } from "../i18n/index.ts";
import type { ErrorBody, ErrorCode } from "./types.ts";

/** A refusal or failure of the hub, or no hub at all (`network`, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network" | "unknown",
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** How the client gets and renews the access token (the session store, ../auth/session.ts). */
export interface TokenSource {
  accessToken(): string | undefined;
  /** A new access token from the refresh cookie, or undefined when the session is over. */
  refresh(): Promise<string | undefined>;
  /** The session ended (refresh refused): the app shows the login page. */
  ended(): void;
}

let tokens: TokenSource | undefined;

/** Connect the client to the session store once, at start. */
export function useTokenSource(source: TokenSource): void {
  tokens = source;
}

type Query = Record<string, string | number | boolean | undefined | readonly string[]>;

/** `?a=1&b=x` of the defined values; arrays as comma lists (the API's list form). */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
  const code = typeof body?.code === "string" ? body.code : "unknown";
  return new ApiError(response.status, code, body?.message ?? response.statusText);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Login and refresh: no bearer, no retry. */
  anonymous?: boolean;
  /** The media type asked for (default JSON). */
  accept?: string;
}

async function send(path: string, options: RequestOptions, token: string | undefined) {
  const headers: Record<string, string> = {
    accept: options.accept ?? "application/json",
  };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(`${path}${queryString(options.query)}`, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      credentials: "same-origin",
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "network", (error as Error).message);
  }
}

/**
 * A request to the hub with the access token (one silent refresh and retry
 * on a 401), its response as is: for bodies that are not JSON (a bundle
 * download, the live tail's event stream). Rejects with an `ApiError` when
 * the hub refuses.
 *
 * @example
 * const response = await authorizedFetch("/api/export", { query: { chunk: "2026-12-03T07" } });
 */
export async function authorizedFetch(
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  let response = await send(path, options, options.anonymous ? undefined : tokens?.accessToken());
  if (response.status === 401 && !options.anonymous && tokens) {
    // The access token expired or was revoked: one silent refresh, then once more.
    const fresh = await tokens.refresh();
    if (!fresh) {
      tokens.ended();
      throw await errorOf(response);
    }
    response = await send(path, options, fresh);
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/**
 * A JSON request to the hub; the answer typed by the caller from the hub's schemas.
 *
 * @example
 * const hotels = await api<HotelOverview[]>("/api/hotels");
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await (await authorizedFetch(path, options)).json()) as T;
}

const KNOWN_CODES: Partial<Record<ApiError["code"], MessageKey>> = {
  unauthorized: "error.unauthorized",
  invalid_credential: "error.invalid_credential",
  totp_required: "error.totp_required",
  forbidden: "error.forbidden",
  not_found: "error.not_found",
  invalid_request: "error.invalid_request",
  too_many_requests: "error.too_many_requests",
  internal_error: "error.internal_error",
  network: "error.network",
};

/**
 * What to tell a person about an error, in their language: the known codes
 * translated (with the hub's detail where it helps), others with the hub's message.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const key = KNOWN_CODES[error.code];
    if (key) return t(key, { detail: error.message });
    return t("error.unknown", { detail: error.message });
  }
  return t("error.unknown", { detail: error instanceof Error ? error.message : String(error) });
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
