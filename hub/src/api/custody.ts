/**
 * The custody routes of the `--http` listener: the development TSA
 * (`POST /tsa`, zero-setup only), chunks with their verdicts, a month of
 * hours with their custody state, evidence export and compliance reports
 * (each in the caller's scope: another hotel's hotel or chunk answers 404),
 * and the CLI's roll-ups, retention and purge under `/admin/`.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  type AdminContext,
  chunkView,
  chunkViewSchema,
  exportContextOf,
  type HubAdmin,
  hotelSettingsSchema,
  rollupRequestSchema,
} from "../admin/index.ts";
import { actorName } from "../auth/roles.ts";
import { ExportError, exportEvidenceTarGz, exportRequestSchema } from "../export/index.ts";
import { chunksInScope } from "../query/hotels.ts";
import { custodyMonth, custodyMonthSchema } from "../report/month.ts";
import { renderComplianceReport, reportRequestSchema } from "../report/render.ts";
import type { Db } from "../store/index.ts";
import type { DevTsa } from "../timestamp/dev-tsa.ts";
import { auditRequest } from "./audit-trail.ts";
import { type CallerScope, principalOf } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

/** `POST /admin/purge`. */
const purgeRequestSchema = z.object({ dry_run: z.boolean().default(false) });

export interface CustodyRoutesContext {
  admin: HubAdmin;
  adminContext: AdminContext;
  /** Zero-setup mode: served at `POST /tsa`. */
  devTsa: DevTsa | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const chunkLimitSchema = z.coerce.number().int().min(1).max(1000).default(100);
export const chunksQuerySchema = z.object({
  hotel: z.string().min(1).optional().describe("one hotel of the caller's"),
  day: z
    .string()
    .regex(DAY, "day must be a UTC day like 2026-11-22")
    .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), "day is not a real day")
    .optional()
    .describe("a UTC day: the chunks whose hour starts in it"),
  limit: chunkLimitSchema,
});

const monthQuerySchema = reportRequestSchema.pick({ hotel: true, month: true });

/**
 * @example
 * app.route("/", custodyRoutes({ admin, adminContext, devTsa, db, ...callerScope(allHotelIds) }));
 */
export function custodyRoutes(context: CustodyRoutesContext & CallerScope & { db: Db }): Hono {
  const app = new Hono();
  const { admin, db } = context;

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
    "/api/chunks",
    describeRoute({
      summary: "Chunks with their verdicts, newest first",
      description:
        "Of the caller's hotels, or of one (`hotel`), of one UTC day (`day`) or the newest `limit`; each with its seal verdict and time-stamp state. Audit-logged.",
      tag: "custody",
      permission: "read_custody",
      query: chunksQuerySchema,
      answer: "The chunks with their seal and time-stamp verdicts",
      response: z.array(chunkViewSchema),
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_custody");
      const query = chunksQuerySchema.parse(c.req.query());
      const rows = await chunksInScope(db, scope, query);
      await auditRequest(c, db, {
        action: "custody",
        kind: "chunks",
        scope: scope.hotels,
        rows: rows.length,
        ...(query.hotel ? { hotelId: query.hotel } : {}),
      });
      return c.json(rows.map(chunkView));
    },
  );

  app.get(
    "/api/custody/month",
    describeRoute({
      summary: "A hotel's month, hour by hour",
      description:
        "Every UTC hour of the month up to the last ended one with its custody state (verified, awaiting timestamp, failed, missing, gap, no agent), overall and per agent: the compliance report's numbers, hour by hour. Audit-logged.",
      tag: "custody",
      permission: "read_custody",
      query: monthQuerySchema,
      answer: "The hours with their states, and how many hours each state has",
      response: custodyMonthSchema,
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_custody");
      const query = monthQuerySchema.parse(c.req.query());
      const month = await custodyMonth(db, { ...query, scope });
      await auditRequest(c, db, {
        action: "custody",
        kind: "month",
        scope: scope.hotels,
        hotelId: month.hotel_id,
        rows: month.hours.length,
      });
      return c.json(month);
    },
  );

  app.get(
    "/api/export",
    describeRoute({
      summary: "Download an evidence bundle",
      description:
        "Exactly one of `hour`, `day` (both with `hotel`) or `chunk`, of the caller's hotels. The summary is in the `x-logmaster-export` header. Audit-logged before the bundle leaves the hub.",
      tag: "custody",
      permission: "read_custody",
      query: exportRequestSchema.and(z.object({ format: z.literal("tar.gz").default("tar.gz") })),
      answer: "The bundle: records, manifests, time-stamp tokens, certificates and VERIFY.md",
      media: ["application/gzip"],
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_custody");
      const { format = "tar.gz", ...query } = c.req.query();
      if (format !== "tar.gz") throw new ExportError("format must be tar.gz", 400);
      const request = exportRequestSchema.parse(query);
      const { tarGz, summary } = await exportEvidenceTarGz(
        exportContextOf(context.adminContext),
        request,
        actorName(principalOf(c)),
        scope,
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
      description:
        "Of one of the caller's hotels: every hour of the month with its custody state; the download is audit-logged.",
      tag: "custody",
      permission: "read_custody",
      query: reportRequestSchema,
      answer: "The report in the asked format",
      media: ["text/csv; charset=utf-8", "application/pdf", "application/json"],
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_custody");
      const rendered = await renderComplianceReport(db, {
        ...reportRequestSchema.parse(c.req.query()),
        actor: actorName(principalOf(c)),
        scope,
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
