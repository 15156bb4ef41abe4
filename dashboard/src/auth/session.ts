/**
 * The signed-in session: the access token lives in memory only (never in
 * storage a script could read later); the refresh token is the hub's
 * HttpOnly cookie, which this code never sees. The token is renewed a
 * minute before it expires and on a 401 (../api/client.ts), one refresh at a
 * time; a refused refresh ends the session.
 */
import { createRoot, createSignal } from "solid-js";
import { ApiError, api, useTokenSource } from "../api/client.ts";
import type { LoginRequest, Me, SessionAnswer } from "../api/types.ts";

/** Renew this long before the access token's end (the hub gives 5 minutes). */
const RENEW_BEFORE_MS = 60_000;
const MIN_RENEW_DELAY_MS = 5_000;

export type SessionState =
  /** At start: trying the refresh cookie. */
  | { status: "restoring" }
  | { status: "signed_out"; reason?: "ended" }
  | { status: "signed_in"; me: Me };

const store = createRoot(() => {
  const [state, setState] = createSignal<SessionState>({ status: "restoring" });
  return { state, setState };
});

/**
 * Whether this browser signed in and did not sign out: only then is a
 * refresh cookie worth trying at start (a visitor without one would get a
 * 401 for nothing). Not a secret: the cookie itself is HttpOnly.
 */
const SIGNED_IN_KEY = "logmaster.signedIn";
function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) globalThis.localStorage?.setItem(SIGNED_IN_KEY, "1");
    else globalThis.localStorage?.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage disabled: every start tries the cookie
  }
}
function maybeSignedIn(): boolean {
  try {
    return globalThis.localStorage?.getItem(SIGNED_IN_KEY) !== null;
  } catch {
    return true;
  }
}

let accessToken: string | undefined;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<string | undefined> | undefined;

/** The session (a signal). */
export const session = store.state;

/** The signed-in person, or undefined. */
export function me(): Me | undefined {
  const current = store.state();
  return current.status === "signed_in" ? current.me : undefined;
}

function keep(answer: SessionAnswer): string {
  accessToken = answer.access_token;
  clearTimeout(renewTimer);
  const delay = Math.max(MIN_RENEW_DELAY_MS, answer.expires_in * 1000 - RENEW_BEFORE_MS);
  renewTimer = setTimeout(() => void refreshAccessToken(), delay);
  return answer.access_token;
}

function forget(reason?: "ended"): void {
  accessToken = undefined;
  rememberSignedIn(false);
  clearTimeout(renewTimer);
  store.setState(reason ? { status: "signed_out", reason } : { status: "signed_out" });
}

/**
 * A new access token from the refresh cookie (one request however many ask
 * at once), or undefined when there is no session to renew.
 */
export function refreshAccessToken(): Promise<string | undefined> {
  refreshing ??= api<SessionAnswer>("/api/auth/refresh", { method: "POST", anonymous: true })
    .then(keep)
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

useTokenSource({
  accessToken: () => accessToken,
  refresh: () => refreshAccessToken().catch(() => undefined),
  ended: () => {
    if (store.state().status === "signed_in") forget("ended");
  },
});

async function loadMe(): Promise<void> {
  rememberSignedIn(true);
  store.setState({ status: "signed_in", me: await api<Me>("/api/auth/me") });
}

/** At start: a session from the refresh cookie, if the browser holds one. */
export async function restoreSession(): Promise<void> {
  try {
    if (maybeSignedIn() && (await refreshAccessToken())) return await loadMe();
  } catch {
    // no hub or no cookie: the login page says what happens next
  }
  forget();
}

/**
 * Sign in. Rejects with the API's error: `totp_required` (401) means the
 * password was right and the account wants its authenticator code too.
 */
export async function login(request: LoginRequest): Promise<void> {
  keep(await api<SessionAnswer>("/api/auth/login", { body: request, anonymous: true }));
  await loadMe();
}

export async function logout(): Promise<void> {
  try {
    await api("/api/auth/logout", { method: "POST", anonymous: true });
  } finally {
    forget();
  }
}
