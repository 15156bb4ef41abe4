/**
 * The audit log as a caller may read it: every row for a chain-wide caller
 * (as the hub's own user); for one bound to hotels, the rows about those
 * hotels, read as the read role (migration 0008's row-level security) and
 * with the code's hotel condition too. A row about no hotel (a login, an
 * account change) matches no scope: it is the chain-wide accounts' only.
 * The filters of the audit viewer (action, actor, hotel, time, text, the
 * "older than" cursor) are conditions of the same query: they narrow what
 * the scope admits, never widen it.
 */
import { and, eq, gte, ilike, inArray, isNull, like, lt, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { AUDIT_ACTIONS, type AuditEntry, type Db, listAudit, tables } from "../store/index.ts";
import { hotelIdSchema, isoTimeSchema } from "./request.ts";
import { hotelCondition, narrowScope, type ReadScope, readScope, scopedRead } from "./scope.ts";

/** Longest `actor` and `q`: a name or a phrase, not a document. */
const FILTER_MAX_CHARS = 200;

/**
 * What a reader of the audit log may ask (`GET /api/audit`, `/admin/audit`,
 * `logmaster-hub audit list`): the newest `limit` rows older than `before`
 * that pass every filter given.
 */
export const auditListSchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, "--limit must be 1 or more")
    .max(10_000, "--limit must be at most 10000")
    .default(100),
  action: z
    .preprocess(
      (value) => (typeof value === "string" ? value.split(",").filter(Boolean) : value),
      z
        .array(
          z.enum(AUDIT_ACTIONS, { message: `action must be one of ${AUDIT_ACTIONS.join(", ")}` }),
        )
        .max(AUDIT_ACTIONS.length),
    )
    .optional()
    .describe("rows of these actions (a comma list, or the key repeated)"),
  actor: z
    .string()
    .min(1, "actor must not be empty")
    .max(FILTER_MAX_CHARS, `actor must be at most ${FILTER_MAX_CHARS} characters`)
    .optional()
    .describe("rows of this actor exactly (`user:ayse`), or of every actor starting so (`user:*`)"),
  hotel: hotelIdSchema
    .optional()
    .describe(
      "one of the caller's hotels: rows about it, and requests of no one hotel whose scope held it",
    ),
  from: isoTimeSchema.optional().describe("rows at or after this time (ISO 8601 with a zone)"),
  to: isoTimeSchema.optional().describe("rows before this time (ISO 8601 with a zone)"),
  q: z
    .string()
    .max(FILTER_MAX_CHARS, `q must be at most ${FILTER_MAX_CHARS} characters`)
    .optional()
    .describe("text anywhere in the row's detail (its parameters, address, kind), any case"),
  before: z.coerce
    .number()
    .int()
    .min(1, "before must be a row id")
    .optional()
    .describe("rows older than this id: the last id of a page, for the page after it"),
});
export type AuditListRequest = z.infer<typeof auditListSchema>;
export type AuditFilter = Omit<AuditListRequest, "limit">;

/** `%`, `_` and `\` stand for themselves in a LIKE pattern (backslash is its escape). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/**
 * The filters as one SQL condition (undefined when there are none).
 *
 * @example
 * auditFilterCondition({ action: ["export"], actor: "user:*", before: 5000 });
 */
export function auditFilterCondition(filter: AuditFilter): SQL | undefined {
  const { auditLog } = tables;
  const text = filter.q?.trim();
  return and(
    filter.action?.length ? inArray(auditLog.action, filter.action) : undefined,
    filter.actor === undefined
      ? undefined
      : filter.actor.endsWith("*")
        ? like(auditLog.actor, `${likeLiteral(filter.actor.slice(0, -1))}%`)
        : eq(auditLog.actor, filter.actor),
    filter.hotel
      ? or(
          eq(auditLog.hotelId, filter.hotel),
          // A request over several hotels is about none: it reached this one if its scope held it.
          and(
            isNull(auditLog.hotelId),
            sql`${auditLog.detail} -> 'scope' @> ${JSON.stringify([filter.hotel])}::jsonb`,
          ),
        )
      : undefined,
    filter.from ? gte(auditLog.at, filter.from) : undefined,
    filter.to ? lt(auditLog.at, filter.to) : undefined,
    text ? ilike(sql`${auditLog.detail}::text`, `%${likeLiteral(text)}%`) : undefined,
    filter.before ? lt(auditLog.id, filter.before) : undefined,
  );
}

/**
 * The request in its query-string form (times in UTC, actions a comma list,
 * only what was given): what the CLI sends a running hub, and the parameters
 * the audit row of the read records.
 *
 * @example
 * auditListParams({ limit: 100, action: ["login", "logout"] }); // { limit: "100", action: "login,logout" }
 */
export function auditListParams(request: AuditListRequest): Record<string, string> {
  const params: Record<string, string> = { limit: String(request.limit) };
  if (request.action?.length) params.action = request.action.join(",");
  if (request.actor !== undefined) params.actor = request.actor;
  if (request.hotel) params.hotel = request.hotel;
  if (request.from) params.from = request.from.toISOString();
  if (request.to) params.to = request.to.toISOString();
  if (request.q?.trim()) params.q = request.q.trim();
  if (request.before) params.before = String(request.before);
  return params;
}

/**
 * The newest `limit` rows the caller may read that pass the filters, newest
 * first. A `hotel` outside a bound caller's scope is refused (a 404
 * ScopeError); the caller checks it against a chain-wide caller's hotels.
 *
 * @example
 * const rows = await auditInScope(db, scope, { limit: 100, action: ["export"] }); // scope undefined: the whole chain
 */
export function auditInScope(
  db: Db,
  scope: ReadScope | undefined,
  request: AuditListRequest,
): Promise<AuditEntry[]> {
  const { limit, ...filter } = request;
  const narrowed = scope && filter.hotel ? readScope(narrowScope(scope, [filter.hotel])) : scope;
  return scopedRead(db, narrowed, (tx) =>
    listAudit(
      tx,
      limit,
      and(hotelCondition(tables.auditLog.hotelId, narrowed), auditFilterCondition(filter)),
    ),
  );
}
