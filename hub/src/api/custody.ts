/**
 * The custody routes of the `--http` listener: the development TSA
 * (`POST /tsa`, zero-setup only), evidence export, compliance reports,
 * roll-ups, retention and the audit log. Mounted by apiRoutes, behind its
 * admin bearer for `/api/*` and `/admin/*` (users and roles come later).
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  type AdminContext,
  exportContextOf,
  type HubAdmin,
  hotelSettingsSchema,
  renderComplianceReport,
  rollupRequestSchema,
} from "../admin/index.ts";
import { actorName } from "../auth/roles.ts";
import { ExportError, exportEvidenceTarGz, exportRequestSchema } from "../export/index.ts";
import { listAudit } from "../store/index.ts";
import type { DevTsa } from "../timestamp/dev-tsa.ts";
import { principalOf, requireChainWide } from "./authenticate.ts";

export interface CustodyRoutesContext {
  admin: HubAdmin;
  adminContext: AdminContext;
  /** Zero-setup mode: served at `POST /tsa`. */
  devTsa: DevTsa | undefined;
}

/**
 * @example
 * app.route("/", custodyRoutes({ admin, adminContext, devTsa }));
 */
export function custodyRoutes(context: CustodyRoutesContext): Hono {
  const app = new Hono();
  const { admin } = context;

  if (context.devTsa) {
    const devTsa = context.devTsa;
    app.post("/tsa", (c) => devTsa.handler(c.req.raw));
  }

  app.get("/api/export", requireChainWide("read_custody"), async (c) => {
    const { format = "tar.gz", ...query } = c.req.query();
    if (format !== "tar.gz") throw new ExportError("format must be tar.gz", 400);
    const request = exportRequestSchema.parse(query);
    const { tarGz, summary } = await exportEvidenceTarGz(
      exportContextOf(context.adminContext),
      request,
      actorName(principalOf(c)),
    );
    const name = `logmaster-export-${summary.hotel_id}-${request.hour ?? request.day ?? request.chunk}.tar.gz`;
    return c.body(tarGz as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${name}"`,
      // The summary for the CLI (the body is the archive).
      "x-logmaster-export": JSON.stringify(summary),
    });
  });

  app.get("/api/reports/compliance", requireChainWide("read_custody"), async (c) => {
    const query = c.req.query();
    const rendered = await renderComplianceReport(context.adminContext, {
      hotel: query.hotel ?? "",
      month: query.month ?? "",
      format: (query.format ?? "csv") as "csv",
      ...(query.skew_ms ? { skew_ms: Number(query.skew_ms) } : {}),
      actor: actorName(principalOf(c)),
    });
    return c.body(rendered.body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": rendered.contentType,
    });
  });

  app.get("/api/audit", requireChainWide("read_audit"), async (c) =>
    c.json(
      (await listAudit(context.adminContext.db, 200)).map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        actor: row.actor,
        action: row.action,
        hotel_id: row.hotelId,
        detail: row.detail,
        chunks: row.chunks,
      })),
    ),
  );

  app.patch("/admin/hotels/:hotel", async (c) =>
    c.json(
      await admin.setHotel({
        ...hotelSettingsSchema.parse({ ...(await c.req.json()), hotel: c.req.param("hotel") }),
        actor: actorName(principalOf(c)),
      }),
    ),
  );
  app.post("/admin/rollups", async (c) =>
    c.json(
      await admin.rollup({
        ...rollupRequestSchema.parse(await c.req.json()),
        actor: actorName(principalOf(c)),
      }),
      201,
    ),
  );
  app.post("/admin/purge", async (c) => {
    const body = z.object({ dry_run: z.boolean().default(false) }).parse(await c.req.json());
    return c.json(await admin.purge({ ...body, actor: actorName(principalOf(c)) }));
  });
  return app;
}
