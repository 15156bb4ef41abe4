/**
 * Router user accounts (topics `system,info,account`, `system,error,critical`): who
 * logged in to the router, from where and how, and who changed its configuration.
 *
 *   user admin logged in from 10.1.101.212 via winbox
 *   user admin logged out from 10.1.101.212 via telnet
 *   user restapi logged out via api
 *   login failure for user root from 1.2.3.4 via ssh
 *   user admin logged in from 64:D1:54:0A:0B:0C via winbox   (MAC-Winbox)
 *   filter rule changed by admin
 *   filter rule changed by winbox-3.41/tcp-msg(winbox):admin@10.0.0.5 (/ip firewall ...)
 */

import { normalizeIp, normalizeMac } from "../address.ts";
import type { RouterOsFields } from "../event.ts";

const USER_PREFIX = "user ";
const FAILURE_PREFIX = "login failure for user ";
const CONFIG_VERBS = ["added", "changed", "removed", "moved", "enabled", "disabled"] as const;

/**
 * Writes the fields of a login, logout or configuration-change line into `out`;
 * false, writing nothing, when `body` is none of these.
 * @example parseAccount("login failure for user root from 85.105.1.2 via ssh", fields)
 */
export function parseAccount(body: string, out: RouterOsFields): boolean {
  if (body.startsWith(FAILURE_PREFIX)) {
    const [name = "", ...tail] = body.slice(FAILURE_PREFIX.length).split(" ");
    return readSession(name, tail, "login-failed", "failure", out);
  }
  if (body.startsWith(USER_PREFIX)) {
    const [name = "", logged, direction, ...tail] = body.slice(USER_PREFIX.length).split(" ");
    if (logged !== "logged" || (direction !== "in" && direction !== "out")) return false;
    const action = direction === "in" ? "logged-in" : "logged-out";
    return readSession(name, tail, action, "success", out);
  }
  return parseConfigChange(body, out);
}

/** `name` and the `[from <ip-or-mac>] [via <service>]` words after the verb. */
function readSession(
  name: string,
  tail: readonly string[],
  action: string,
  outcome: "success" | "failure",
  out: RouterOsFields,
): boolean {
  if (name.length === 0 || !isSessionTail(tail)) return false;
  out["event.dataset"] = "routeros.account";
  out["event.action"] = action;
  out["event.outcome"] = outcome;
  out["user.name"] = name;
  for (let i = 0; i < tail.length; i += 2) {
    const value = tail[i + 1] ?? "";
    if (tail[i] === "from") setPeer(value, out);
    else out["routeros.login.via"] = value;
  }
  return true;
}

/** Pairs of `from <peer>` and `via <service>`, nothing else. */
function isSessionTail(tail: readonly string[]): boolean {
  if (tail.length % 2 !== 0) return false;
  for (let i = 0; i < tail.length; i += 2) {
    if (tail[i] !== "from" && tail[i] !== "via") return false;
  }
  return true;
}

function setPeer(value: string, out: RouterOsFields): void {
  const ip = normalizeIp(value);
  if (ip !== undefined) {
    out["source.ip"] = ip;
    return;
  }
  const mac = normalizeMac(value);
  if (mac !== undefined) out["source.mac"] = mac;
}

/**
 * `<what> <verb> by <actor>[ (<command>)]`. The actor is a plain user name, or in
 * RouterOS v7 `<client>:<user>@<address>`; a scheduler or script actor has no user.
 */
function parseConfigChange(body: string, out: RouterOsFields): boolean {
  for (const verb of CONFIG_VERBS) {
    const marker = ` ${verb} by `;
    const at = body.indexOf(marker);
    if (at <= 0) continue;
    const afterBy = body.slice(at + marker.length);
    const space = afterBy.indexOf(" ");
    const actor = space < 0 ? afterBy : afterBy.slice(0, space);
    out["event.dataset"] = "routeros.account";
    out["event.action"] = `config-${verb}`;
    out["event.outcome"] = "success";
    readActor(actor, out);
    return true;
  }
  return false;
}

function readActor(actor: string, out: RouterOsFields): void {
  const colon = actor.indexOf(":");
  if (colon < 0) {
    if (actor.length > 0 && !actor.includes("/") && !actor.includes("(")) out["user.name"] = actor;
    return;
  }
  const client = actor.slice(0, colon);
  const service = /\(([^)]*)\)/.exec(client)?.[1];
  if (service) out["routeros.login.via"] = service;
  const login = actor.slice(colon + 1);
  const at = login.indexOf("@");
  if (at <= 0) return;
  out["user.name"] = login.slice(0, at);
  const slash = login.indexOf("/", at);
  setPeer(login.slice(at + 1, slash < 0 ? login.length : slash), out);
}
