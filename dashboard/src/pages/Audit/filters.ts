/**
 * The audit log viewer's filters: read from the URL (a link shows the same
 * rows), sent to the hub as the query of `GET /api/audit`, and applied to
 * the rows that come back too (a hub that does not filter yet still shows
 * only what was asked). Pure functions: the page's tests prove them.
 */
import type { AuditRecord, AuditView } from "../../api/types.ts";
import type { Zone } from "../../i18n/index.ts";

/** The actions of the audit log (hub/src/store/audit.ts `AuditRecord["action"]`). */
export const AUDIT_ACTIONS = [
  "search",
  "lookup",
  "tail",
  "custody",
  "export",
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

/** The newest rows asked of the hub at once; the table pages through them. */
export const FETCH_LIMIT = 1000;
export const PAGE_SIZE = 50;

export interface AuditFilters {
  /** Part of the actor's name (`user:ayse`), any case. */
  actor?: string;
  action?: AuditAction;
  hotel?: string;
  /** Wall times in the zone shown, `YYYY-MM-DDTHH:mm` (a datetime-local input's value). */
  from?: string;
  to?: string;
}

const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const ZONE_OFFSET: Record<Zone, string> = { istanbul: "+03:00", utc: "Z" };

/** The instant of a wall time in the zone (Türkiye has kept UTC+3 all year since 2016). */
export function wallToIso(wall: string, zone: Zone): string {
  return new Date(`${wall}:00${ZONE_OFFSET[zone]}`).toISOString();
}

/** The filters of the URL's query, the invalid ones left out. */
export function filtersFromParams(params: Record<string, string | undefined>): AuditFilters {
  const filters: AuditFilters = {};
  const actor = params.actor?.trim();
  if (actor) filters.actor = actor;
  if (AUDIT_ACTIONS.includes(params.action as AuditAction))
    filters.action = params.action as AuditAction;
  if (params.hotel) filters.hotel = params.hotel;
  if (params.from && WALL.test(params.from)) filters.from = params.from;
  if (params.to && WALL.test(params.to)) filters.to = params.to;
  return filters;
}

/**
 * The hub's query for the filters: instants as ISO strings, the newest `limit` rows.
 *
 * @example
 * auditQuery({ actor: "denetci", from: "2026-12-03T08:00" }, "istanbul");
 * // { limit: 1000, actor: "denetci", from: "2026-12-03T05:00:00.000Z" }
 */
export function auditQuery(
  filters: AuditFilters,
  zone: Zone,
  limit = FETCH_LIMIT,
): Record<string, string | number> {
  const query: Record<string, string | number> = { limit };
  if (filters.actor) query.actor = filters.actor;
  if (filters.action) query.action = filters.action;
  if (filters.hotel) query.hotel = filters.hotel;
  if (filters.from) query.from = wallToIso(filters.from, zone);
  if (filters.to) query.to = wallToIso(filters.to, zone);
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

/** Whether a row passes the filters. */
export function matches(row: AuditView, filters: AuditFilters, zone: Zone): boolean {
  if (filters.actor && !row.actor.toLowerCase().includes(filters.actor.toLowerCase())) return false;
  if (filters.action && row.action !== filters.action) return false;
  if (filters.hotel) {
    const scope = detailOf(row).scope;
    if (
      row.hotel_id !== filters.hotel &&
      !(row.hotel_id === null && scope?.includes(filters.hotel))
    )
      return false;
  }
  const atMs = Date.parse(row.at);
  if (filters.from && atMs < Date.parse(wallToIso(filters.from, zone))) return false;
  if (filters.to && atMs >= Date.parse(wallToIso(filters.to, zone))) return false;
  return true;
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
