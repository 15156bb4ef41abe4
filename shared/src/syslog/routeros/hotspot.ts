/**
 * Hotspot (captive portal) lines, topic `hotspot`: `<user> (<ip>): <event>`, e.g.
 *
 *   oda-412 (10.20.4.17): trying to log in by http-chap
 *   oda-412 (10.20.4.17): logged in
 *   oda-412 (10.20.4.17): logged out: keepalive timeout
 *   oda-412 (10.20.4.17): login failed: invalid username or password
 *
 * With MAC authentication the user name is the client's MAC, and trial users are
 * named `T-<MAC>`; both give `client.mac` as well as `user.name`.
 */

import { normalizeIp, normalizeMac } from "../address.ts";
import type { RouterOsFields } from "../event.ts";

const TRIAL_USER_PREFIX = "T-";

/**
 * Writes the fields of a hotspot user line into `out`; false, writing nothing, when
 * `body` is not one.
 * @example parseHotspot("oda-412 (10.20.4.17): logged out: keepalive timeout", fields)
 */
export function parseHotspot(body: string, out: RouterOsFields): boolean {
  const colon = body.indexOf("): ");
  if (colon < 0) return false;
  const open = body.lastIndexOf(" (", colon);
  if (open <= 0) return false;
  const ip = normalizeIp(body.slice(open + 2, colon));
  if (ip === undefined) return false;
  const user = body.slice(0, open);
  // "identity: user (ip): ..." when the header left the identity in: not a user name.
  if (user.includes(": ")) return false;
  out["event.dataset"] = "routeros.hotspot";
  out["user.name"] = user;
  out["client.ip"] = ip;
  const mac =
    normalizeMac(user) ??
    (user.startsWith(TRIAL_USER_PREFIX)
      ? normalizeMac(user.slice(TRIAL_USER_PREFIX.length))
      : undefined);
  if (mac !== undefined) out["client.mac"] = mac;
  readEvent(body.slice(colon + 3).trim(), out);
  return true;
}

function readEvent(text: string, out: RouterOsFields): void {
  if (text === "logged in") {
    out["event.action"] = "logged-in";
    out["event.outcome"] = "success";
  } else if (text.startsWith("logged out")) {
    out["event.action"] = "logged-out";
    out["event.outcome"] = "success";
    setReason(text.slice("logged out".length), out);
  } else if (text.startsWith("login failed")) {
    out["event.action"] = "login-failed";
    out["event.outcome"] = "failure";
    setReason(text.slice("login failed".length), out);
  } else if (text.startsWith("trying to log in by ")) {
    out["event.action"] = "login-attempt";
    out["event.outcome"] = "unknown";
    out["routeros.hotspot.login_method"] = text.slice("trying to log in by ".length).trim();
  } else if (text.length > 0) {
    // An event we have no name for: keep its words rather than lose them.
    out["event.reason"] = text;
  }
}

/** `: keepalive timeout` -> `keepalive timeout`. */
function setReason(text: string, out: RouterOsFields): void {
  const reason = text.startsWith(":") ? text.slice(1).trim() : text.trim();
  if (reason.length > 0) out["event.reason"] = reason;
}
