/**
 * The audit log over HTTP: chain admins and auditors read it (JSON or CSV)
 * and check its hash chain under `/api/audit`; the CLI does the same under
 * `/admin/audit` with the admin credential.
 */
import { Hono } from "hono";
import { z } from "zod";
import { auditCsv, auditListSchema } from "../admin/audit.ts";
import type { HubAdmin } from "../admin/index.ts";
import { requireChainWide } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

const auditQuerySchema = auditListSchema.extend({
  format: z.enum(["json", "csv"], { message: "format must be json or csv" }).default("json"),
});

/**
 * @example
 * app.route("/", auditRoutes(admin));
 */
export function auditRoutes(admin: HubAdmin): Hono {
  const app = new Hono();
  const list = async (query: Record<string, string>) => {
    const { limit, format } = auditQuerySchema.parse(query);
    return { rows: await admin.auditLog({ limit }), format };
  };

  const verifyAnswer =
    "`{rows, unchained, broken?: {id, reason}}`: the first row where the hash chain breaks";
  app.get(
    "/api/audit",
    describeRoute({
      summary: "The audit log, newest first (JSON or CSV)",
      description:
        "Every search, lookup, live tail, export, login and user change: who, when, from where, the scope, the parameters, the rows.",
      tag: "custody",
      permission: "read_audit",
      chainWide: true,
      query: auditQuerySchema,
      answer: "The newest `limit` rows",
      media: ["application/json", "text/csv"],
    }),
    requireChainWide("read_audit"),
    async (c) => {
      const { rows, format } = await list(c.req.query());
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
      tag: "custody",
      permission: "read_audit",
      chainWide: true,
      answer: verifyAnswer,
    }),
    requireChainWide("read_audit"),
    async (c) => c.json(await admin.verifyAudit()),
  );
  app.get(
    "/admin/audit",
    describeRoute({
      summary: "The audit log (the CLI)",
      tag: "admin",
      query: auditListSchema,
      answer: "The newest `limit` rows",
    }),
    async (c) => c.json((await list(c.req.query())).rows),
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
