/**
 * The audit log viewer's filters: read from the URL (a link shows the same
 * rows) and sent to the hub as the query of `GET /api/audit`, which filters
 * in the database, so the oldest row can be found as well as the newest.
 * Pure functions: the page's tests prove them.
 */
import type { AuditRecord, AuditView } from "../../api/types.ts";
import { wallToIso } from "../../data/wall-time.ts";
import type { Zone } from "../../i18n/index.ts";

/** The actions of the audit log (hub/src/store/audit.ts `AUDIT_ACTIONS`), in the order the filter offers them. */
export const AUDIT_ACTIONS = [
  "search",
  "lookup",
  "tail",
  "custody",
  "export",
  "disclose",
  "report",
  "rollup",
  "reindex",
  "purge",
  "hotel_set",
  "login",
  "login_failed",
  "logout",
  "user_change",
  "token_create",
  "agent_revoke",
  "audit",
] as const satisfies readonly AuditRecord["action"][];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** Every action of the hub is in the list: a new one fails to compile here until it is added. */
const everyAction: Exclude<AuditRecord["action"], AuditAction> extends never ? true : never = true;
void everyAction;

/** The hub's longest `actor` and `q` (hub/src/query/audit.ts). */
export const FILTER_MAX_CHARS = 200;

export interface AuditFilters {
  /** An actor exactly (`user:ayse`), or a prefix ending in `*` (`user:*`). */
  actor?: string;
  /** Rows of any of these actions. */
  actions?: AuditAction[];
  hotel?: string;
  /** Wall times in the zone shown, `YYYY-MM-DDTHH:mm` (a datetime-local input's value). */
  from?: string;
  to?: string;
  /** Text anywhere in a row's detail, any case. */
  q?: string;
}

const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const HOTEL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A filter's text as the hub takes it: trimmed, bounded, absent when empty. */
function textOf(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text.slice(0, FILTER_MAX_CHARS) : undefined;
}

/** The filters of the URL's query, the invalid ones left out (the hub would refuse them). */
export function filtersFromParams(params: Record<string, string | undefined>): AuditFilters {
  const filters: AuditFilters = {};
  const actor = textOf(params.actor);
  if (actor) filters.actor = actor;
  const actions = AUDIT_ACTIONS.filter((action) => params.action?.split(",").includes(action));
  if (actions.length > 0) filters.actions = actions;
  if (params.hotel && HOTEL_ID.test(params.hotel)) filters.hotel = params.hotel;
  if (params.from && WALL.test(params.from)) filters.from = params.from;
  if (params.to && WALL.test(params.to)) filters.to = params.to;
  const q = textOf(params.q);
  if (q) filters.q = q;
  return filters;
}

/**
 * The URL's query for the filters (absent ones cleared): what `setParams` takes.
 *
 * @example
 * paramsOfFilters({ actions: ["login", "logout"] }); // { actor: undefined, action: "login,logout", ... }
 */
export function paramsOfFilters(filters: AuditFilters): Record<string, string | undefined> {
  return {
    actor: filters.actor,
    action: filters.actions?.join(","),
    hotel: filters.hotel,
    from: filters.from,
    to: filters.to,
    q: filters.q,
  };
}

export type AuditQuery = Record<string, string | readonly string[]>;

/**
 * The hub's query for the filters: wall times as ISO 8601 with the zone's offset.
 *
 * @example
 * auditQuery({ actor: "user:denetci", from: "2026-12-03T08:00" }, "istanbul");
 * // { actor: "user:denetci", from: "2026-12-03T08:00:00+03:00" }
 */
export function auditQuery(filters: AuditFilters, zone: Zone): AuditQuery {
  const query: AuditQuery = {};
  if (filters.actor) query.actor = filters.actor;
  if (filters.actions?.length) query.action = filters.actions;
  if (filters.hotel) query.hotel = filters.hotel;
  const from = filters.from && wallToIso(filters.from, zone);
  if (from) query.from = from;
  const to = filters.to && wallToIso(filters.to, zone);
  if (to) query.to = to;
  if (filters.q) query.q = filters.q;
  return query;
}

interface RequestDetail {
  kind?: string;
  address?: string;
  scope?: string[];
  params?: Record<string, unknown>;
  rows?: number;
}

/** The request part of a row's detail (the shape `requestAuditRecord` writes; older rows may lack parts). */
export function detailOf(row: AuditView): RequestDetail {
  return row.detail !== null && typeof row.detail === "object" ? (row.detail as RequestDetail) : {};
}

const SUMMARY_CHARS = 90;
const OWN_KEYS = new Set(["kind", "address", "scope", "params", "rows"]);

/**
 * A row's parameters in one short line: `ip=10.1.1.23 · at=2026-12-03T07:15:00Z`.
 *
 * @example
 * paramsSummary(row); // "hotel=antalya-lara · hour=2026-12-03T07"
 */
export function paramsSummary(row: AuditView): string {
  const detail = detailOf(row);
  const source =
    detail.params ??
    Object.fromEntries(
      Object.entries(detail as Record<string, unknown>).filter(([key]) => !OWN_KEYS.has(key)),
    );
  const text = Object.entries(source)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => {
      const shown = Array.isArray(value)
        ? value.join(",")
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
      return `${key}=${shown}`;
    })
    .join(" · ");
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}
