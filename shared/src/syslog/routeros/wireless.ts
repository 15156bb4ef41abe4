/**
 * Wireless registrations (topics `wireless`, `caps`, `wifi`): which device joined
 * which access point, and when it left.
 *
 *   00:80:48:41:AF:2A@wlan1: connected, signal strength -62          (wireless, v6)
 *   00:80:48:41:AF:2A@wlan1: disconnected, extensive data loss, signal strength -66
 *   0C:7A:15:F5:D2:AF@wifi-5ghz connected, signal strength -70        (wifi/CAPsMAN, v7)
 *   F8:4D:89:92:04:06@AP1 roamed to F8:4D:89:92:04:06@AP2, signal strength -77
 *   wlan1: 00:80:48:41:AF:2A not in local ACL, by default accept      (access list)
 */

import { normalizeMacIn } from "../address.ts";
import type { RouterOsFields } from "../event.ts";
import { parseSignedInteger } from "./number.ts";

const MAC_LENGTH = 17;
const SIGNAL_MARKER = "signal strength ";
const ROAMED_MARKER = "roamed to ";

/**
 * Writes the fields of a wireless registration line into `out`; false, writing
 * nothing, when `body` is not one.
 * @example parseWireless("3C:22:FB:11:22:33@wifi-guest-5g: connected, signal strength -61", fields)
 */
export function parseWireless(body: string, out: RouterOsFields): boolean {
  return parseStation(body, out) || parseAccessList(body, out);
}

/** `<MAC>@<interface>[:] <event>[, <reason>][, signal strength <dBm>]`. */
function parseStation(body: string, out: RouterOsFields): boolean {
  if (body.charCodeAt(MAC_LENGTH) !== 64 /* @ */) return false;
  const mac = normalizeMacIn(body, 0, MAC_LENGTH);
  if (mac === undefined) return false;
  const space = body.indexOf(" ", MAC_LENGTH);
  if (space < 0) return false;
  let interfaceName = body.slice(MAC_LENGTH + 1, space);
  if (interfaceName.endsWith(":")) interfaceName = interfaceName.slice(0, -1);
  out["event.dataset"] = "routeros.wireless";
  out["client.mac"] = mac;
  out["observer.ingress.interface.name"] = interfaceName;
  let text = body.slice(space + 1).trim();
  const signalAt = text.lastIndexOf(SIGNAL_MARKER);
  if (signalAt >= 0) {
    const signal = parseSignedInteger(text.slice(signalAt + SIGNAL_MARKER.length).trim());
    if (signal !== undefined) out["routeros.wireless.signal_dbm"] = signal;
    text = text.slice(0, signalAt).trim();
    if (text.endsWith(",")) text = text.slice(0, -1);
  }
  if (text.startsWith(ROAMED_MARKER)) {
    out["event.action"] = "roamed";
    const target = text.slice(ROAMED_MARKER.length);
    const at = target.indexOf("@");
    if (at >= 0) out["routeros.wireless.roamed_to_interface"] = target.slice(at + 1).trim();
    return true;
  }
  // "connected" / "disconnected, <reason>" / "rejected, <reason>": the first word is what happened.
  const comma = text.indexOf(",");
  const action = (comma < 0 ? text : text.slice(0, comma)).trim();
  if (ACTION_WORD.test(action)) out["event.action"] = action;
  else if (text.length > 0) out["event.reason"] = text;
  const reason = comma < 0 ? "" : text.slice(comma + 1).trim();
  if (reason.length > 0) out["event.reason"] = reason;
  return true;
}

const ACTION_WORD = /^[a-z][a-z-]*$/;

/** `<interface>: <MAC> <what the access list did>`. */
function parseAccessList(body: string, out: RouterOsFields): boolean {
  const colon = body.indexOf(": ");
  if (colon <= 0) return false;
  const macStart = colon + 2;
  const mac = normalizeMacIn(body, macStart, macStart + MAC_LENGTH);
  if (mac === undefined || body.charCodeAt(macStart + MAC_LENGTH) !== 32) return false;
  out["event.dataset"] = "routeros.wireless";
  out["client.mac"] = mac;
  out["observer.ingress.interface.name"] = body.slice(0, colon);
  const reason = body.slice(macStart + MAC_LENGTH + 1).trim();
  if (reason.length > 0) out["event.reason"] = reason;
  return true;
}
