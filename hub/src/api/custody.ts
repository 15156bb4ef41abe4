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
  reportRequestSchema,
  rollupRequestSchema,
} from "../admin/index.ts";
import { actorName } from "../auth/roles.ts";
import { ExportError, exportEvidenceTarGz, exportRequestSchema } from "../export/index.ts";
import type { DevTsa } from "../timestamp/dev-tsa.ts";
import { principalOf, requireChainWide } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

/** `POST /admin/purge`. */
const purgeRequestSchema = z.object({ dry_run: z.boolean().default(false) });

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
    app.post(
      "/tsa",
      describeRoute({
        summary: "Development time-stamp authority (RFC 3161)",
        description:
          "Zero-setup mode only: the hub's own TSA, not a qualified one. The body is a DER TimeStampReq.",
        tag: "hub",
        answer: "A DER TimeStampResp",
        media: ["application/timestamp-reply"],
      }),
      (c) => devTsa.handler(c.req.raw),
    );
  }

  app.get(
    "/api/export",
    describeRoute({
      summary: "Download an evidence bundle",
      description:
        "Exactly one of `hour`, `day` (both with `hotel`) or `chunk`. The summary is in the `x-logmaster-export` header.",
      tag: "custody",
      permission: "read_custody",
      chainWide: true,
      query: exportRequestSchema.and(z.object({ format: z.literal("tar.gz").default("tar.gz") })),
      answer: "The bundle: records, manifests, time-stamp tokens, certificates and VERIFY.md",
      media: ["application/gzip"],
    }),
    requireChainWide("read_custody"),
    async (c) => {
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
    },
  );

  app.get(
    "/api/reports/compliance",
    describeRoute({
      summary: "A hotel's compliance report for a month",
      description: "Every hour of the month with its custody state; the download is audit-logged.",
      tag: "custody",
      permission: "read_custody",
      chainWide: true,
      query: reportRequestSchema,
      answer: "The report in the asked format",
      media: ["text/csv; charset=utf-8", "application/pdf", "application/json"],
    }),
    requireChainWide("read_custody"),
    async (c) => {
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
    },
  );

  app.patch(
    "/admin/hotels/:hotel",
    describeRoute({
      summary: "A hotel's retention and legal hold",
      tag: "admin",
      params: { hotel: hotelSettingsSchema.shape.hotel },
      body: hotelSettingsSchema.omit({ hotel: true }),
      answer: "The hotel",
    }),
    async (c) =>
      c.json(
        await admin.setHotel({
          ...hotelSettingsSchema.parse({ ...(await c.req.json()), hotel: c.req.param("hotel") }),
          actor: actorName(principalOf(c)),
        }),
      ),
  );
  app.post(
    "/admin/rollups",
    describeRoute({
      summary: "Sign and time-stamp a hotel's ended UTC day",
      tag: "admin",
      body: rollupRequestSchema,
      status: 201,
      answer: "The day roll-up",
      refusals: [404],
    }),
    async (c) =>
      c.json(
        await admin.rollup({
          ...rollupRequestSchema.parse(await c.req.json()),
          actor: actorName(principalOf(c)),
        }),
        201,
      ),
  );
  app.post(
    "/admin/purge",
    describeRoute({
      summary: "Delete chunks past their hotel's retention",
      description: "Hotels under legal hold keep theirs. `dry_run` lists without deleting.",
      tag: "admin",
      body: purgeRequestSchema,
      answer: "What was (or would be) deleted",
    }),
    async (c) => {
      const body = purgeRequestSchema.parse(await c.req.json());
      return c.json(await admin.purge({ ...body, actor: actorName(principalOf(c)) }));
    },
  );
  return app;
}
