/**
 * The audit log over HTTP: chain admins and auditors read it (JSON or CSV,
 * filtered and paged in the database) under `/api/audit`, a hotel-bound
 * auditor the rows of their hotels only; chain-wide accounts check its hash
 * chain; the CLI does the same under `/admin/audit` with the admin credential.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { auditCsv, auditView } from "../admin/audit.ts";
import type { HubAdmin } from "../admin/index.ts";
import { isChainWide, requirePermission } from "../auth/roles.ts";
import { auditInScope, auditListParams, auditListSchema } from "../query/audit.ts";
import { type ReadScope, ScopeError } from "../query/scope.ts";
import type { Db } from "../store/index.ts";
import { auditRequest } from "./audit-trail.ts";
import { type CallerScope, principalOf, requireChainWide } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

const auditQuerySchema = auditListSchema.extend({
  format: z.enum(["json", "csv"], { message: "format must be json or csv" }).default("json"),
});

/** The query string, `action` repeated or a comma list alike. */
const askedOf = (c: Context) => ({
  ...c.req.query(),
  action: c.req.queries("action")?.join(","),
});

export interface AuditRoutesContext extends CallerScope {
  admin: HubAdmin;
  db: Db;
}

/**
 * @example
 * app.route("/", auditRoutes({ admin, db, ...callerScope(allHotelIds) }));
 */
export function auditRoutes(context: AuditRoutesContext): Hono {
  const app = new Hono();
  const { admin, db } = context;

  /**
   * Whose rows the caller reads: every row when chain-wide (no scope), else
   * those of its hotels (403 without `read_audit`).
   */
  const readerOf = async (
    c: Context,
  ): Promise<{ scope: ReadScope | undefined; hotels: string[] }> => {
    const principal = principalOf(c);
    requirePermission(principal, "read_audit");
    if (isChainWide(principal)) return { scope: undefined, hotels: await context.hotelsOf(c) };
    const scope = await context.scopeOf(c, "read_audit");
    return { scope, hotels: [...scope.hotels] };
  };

  const verifyAnswer =
    "`{rows, unchained, broken?: {id, reason}}`: the first row where the hash chain breaks";
  app.get(
    "/api/audit",
    describeRoute({
      summary: "The audit log, newest first (JSON or CSV)",
      description:
        "Every search, lookup, live tail, export, login and user change: who, when, from where, the scope, the parameters, the rows. A chain-wide account reads every row; an account bound to hotels (an auditor of some hotels) reads the rows about its hotels only: rows about no hotel (logins, account changes) are the chain-wide accounts' alone. The filters narrow that, never widen it; a `hotel` not the caller's answers 404. Older rows page by `before` (the last id of a page). The CSV export takes the same filters. Audit-logged with the filters.",
      tag: "custody",
      permission: "read_audit",
      query: auditQuerySchema,
      answer: "The newest `limit` rows the caller may read that pass the filters",
      media: ["application/json", "text/csv"],
    }),
    async (c) => {
      const { format, ...request } = auditQuerySchema.parse(askedOf(c));
      const { scope, hotels } = await readerOf(c);
      if (request.hotel && !hotels.includes(request.hotel))
        throw new ScopeError(`no hotel "${request.hotel}" in your scope`);
      const rows = (await auditInScope(db, scope, request)).map(auditView);
      await auditRequest(c, db, {
        action: "audit",
        kind: format === "csv" ? "audit_export" : "audit_log",
        scope: hotels,
        params: { ...auditListParams(request), format },
        rows: rows.length,
        ...(request.hotel ? { hotelId: request.hotel } : {}),
      });
      if (format === "json") return c.json(rows);
      return c.body(auditCsv(rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="logmaster-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      });
    },
  );
  app.get(
    "/api/audit/verify",
    describeRoute({
      summary: "Check the audit log's hash chain",
      description:
        "Chain-wide accounts only: the chain runs through every hotel's rows and the rows of no hotel, so the walk reads them all and a verdict names a row (and counts rows) that an account bound to hotels may not see. Audit-logged.",
      tag: "custody",
      permission: "read_audit",
      chainWide: true,
      answer: verifyAnswer,
    }),
    requireChainWide("read_audit"),
    async (c) => {
      const verdict = await admin.verifyAudit();
      await auditRequest(c, db, {
        action: "audit",
        kind: "audit_verify",
        scope: await context.hotelsOf(c),
        rows: verdict.rows,
      });
      return c.json(verdict);
    },
  );
  app.get(
    "/admin/audit",
    describeRoute({
      summary: "The audit log (the CLI)",
      tag: "admin",
      query: auditListSchema,
      answer: "The newest `limit` rows that pass the filters",
    }),
    async (c) => c.json(await admin.auditLog(auditListSchema.parse(askedOf(c)))),
  );
  app.get(
    "/admin/audit/verify",
    describeRoute({
      summary: "Check the audit log's hash chain (the CLI)",
      tag: "admin",
      answer: verifyAnswer,
    }),
    async (c) => c.json(await admin.verifyAudit()),
  );
  return app;
}
