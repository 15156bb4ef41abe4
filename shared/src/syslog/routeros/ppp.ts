/**
 * PPP lines (topics `ppp`, `pppoe`, `l2tp`, `pptp`, `sstp`, `ovpn`), both the
 * router's own uplink (`pppoe-out1`) and its PPP server's subscribers.
 *
 *   pppoe-out1: connected                         (client interface state)
 *   <pppoe-oda-412>: authenticated                (server: <service-user> interface)
 *   <pppoe-oda-412>: terminating... - peer is not responding
 *   oda-412 logged in, 10.30.0.12                 (server accounting)
 *   oda-412 logged out, 3605 1043812 20981733 9120 16877
 *   PPPoE connection established from 00:0C:42:04:4C:EE
 */

import { normalizeIp, normalizeMac } from "../address.ts";
import type { RouterOsFields } from "../event.ts";
import { pppServerUserOf } from "../interface-name.ts";

/** Interface states RouterOS logs as `<interface>: <state>`. */
const INTERFACE_STATES = [
  "initializing",
  "dialing",
  "connecting",
  "waiting for packets",
  "authenticated",
  "connected",
  "disconnected",
  "terminating",
] as const;

const ESTABLISHED_PREFIX = "PPPoE connection established from ";

/**
 * Writes the fields of a PPP interface, session or PPPoE discovery line into `out`;
 * false, writing nothing, when `body` is none of these.
 * @example parsePpp("<pppoe-oda-412>: authenticated", fields)
 */
export function parsePpp(body: string, out: RouterOsFields): boolean {
  if (body.startsWith(ESTABLISHED_PREFIX)) {
    const mac = normalizeMac(body.slice(ESTABLISHED_PREFIX.length).trim());
    if (mac === undefined) return false;
    out["event.dataset"] = "routeros.ppp";
    out["event.action"] = "connection-established";
    out["event.outcome"] = "success";
    out["client.mac"] = mac;
    return true;
  }
  return parseInterfaceState(body, out) || parseSession(body, out);
}

/** `<interface>: <state>[...][ - <reason>]`. */
function parseInterfaceState(body: string, out: RouterOsFields): boolean {
  const colon = body.indexOf(": ");
  if (colon <= 0) return false;
  const interfaceName = body.slice(0, colon);
  if (interfaceName.includes(" ")) return false;
  const text = body.slice(colon + 2).trim();
  const state = INTERFACE_STATES.find(
    (candidate) =>
      text.startsWith(candidate) &&
      (text.length === candidate.length || " .,".includes(text.charAt(candidate.length))),
  );
  if (state === undefined) return false;
  out["event.dataset"] = "routeros.ppp";
  out["event.action"] = state.replaceAll(" ", "-");
  out["routeros.ppp.interface"] = interfaceName;
  if (state === "authenticated" || state === "connected") out["event.outcome"] = "success";
  const user = pppServerUserOf(interfaceName);
  if (user !== undefined) out["user.name"] = user;
  const dash = text.indexOf(" - ");
  if (dash >= 0) {
    const reason = text.slice(dash + 3).trim();
    if (reason.length > 0) out["event.reason"] = reason;
  }
  return true;
}

/** `<user> logged in, <ip>[ from <mac-or-ip>]` / `<user> logged out, <counters>`. */
function parseSession(body: string, out: RouterOsFields): boolean {
  const loggedIn = body.indexOf(" logged in, ");
  const loggedOut = loggedIn < 0 ? body.indexOf(" logged out, ") : -1;
  const at = loggedIn >= 0 ? loggedIn : loggedOut;
  if (at <= 0) return false;
  const user = body.slice(0, at);
  if (user.includes(" ")) return false;
  out["event.dataset"] = "routeros.ppp";
  out["event.action"] = loggedIn >= 0 ? "logged-in" : "logged-out";
  out["event.outcome"] = "success";
  out["user.name"] = user;
  if (loggedIn >= 0) {
    const [address, from, peer] = body
      .slice(at + " logged in, ".length)
      .trim()
      .split(" ");
    const ip = address === undefined ? undefined : normalizeIp(address);
    if (ip !== undefined) out["client.ip"] = ip;
    if (from === "from" && peer !== undefined) {
      const mac = normalizeMac(peer);
      const peerIp = mac === undefined ? normalizeIp(peer) : undefined;
      if (mac !== undefined) out["client.mac"] = mac;
      else if (peerIp !== undefined) out["source.ip"] = peerIp;
    }
  }
  return true;
}
