/**
 * `POST /api/disclose`: a disclosure pack (docs/custody-format.md §17) of one
 * of the caller's hotels, as a gzip'd tar with its summary in a header, like
 * `/api/export`. Another hotel answers 404; the pack is audit-logged before
 * it leaves the hub.
 */
import { Hono } from "hono";
import { type AdminContext, exportContextOf } from "../admin/index.ts";
import { actorName, requirePermission } from "../auth/roles.ts";
import {
  DISCLOSURE_SUMMARY_HEADER,
  discloseRequestSchema,
  discloseTarGz,
} from "../disclose/index.ts";
import type { ReadSide } from "../query/index.ts";
import { type CallerScope, principalOf } from "./authenticate.ts";
import { describeRoute } from "./openapi.ts";

/** JSON with every non-ASCII character escaped (`\u015f`): a header holds ASCII only, a case reference may be Turkish. */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * @example
 * app.route("/", discloseRoutes({ adminContext, read, ...callerScope(allHotelIds) }));
 */
export function discloseRoutes(
  context: { adminContext: AdminContext; read: ReadSide } & CallerScope,
): Hono {
  const app = new Hono();
  app.post(
    "/api/disclose",
    describeRoute({
      summary: "Download a disclosure pack: only the lines a case asks for",
      description: [
        "One of the caller's hotels, a case reference and a question (`ip`, `mac` or `nat` lookup, or a search of at most 10,000 lines).",
        "Every line comes with its Merkle audit path up to the root its agent signed; format-1 chunks go whole.",
        "Needs guest events (`read_events`) besides custody. Only sealed, verified chunks: an unsealed one answers 409.",
        `The summary is in the \`${DISCLOSURE_SUMMARY_HEADER}\` header. Audit-logged (\`disclose\`, with the case) before the pack leaves the hub.`,
      ].join(" "),
      tag: "custody",
      permission: "read_custody",
      body: discloseRequestSchema,
      answer:
        "The pack: disclosure.json, per chunk manifest, signature, time-stamp, certificates and lines.jsonl, VERIFY.md, verify_disclosure.py, summary.pdf",
      media: ["application/gzip"],
      refusals: [404, 409],
    }),
    async (c) => {
      const scope = await context.scopeOf(c, "read_custody");
      const principal = principalOf(c);
      requirePermission(principal, "read_events");
      const request = discloseRequestSchema.parse(await c.req.json());
      const { adminContext } = context;
      const { tarGz, summary } = await discloseTarGz(
        { ...exportContextOf(adminContext), read: context.read },
        request,
        actorName(principal),
        scope,
      );
      const name = `logmaster-disclosure-${summary.hotel_id}-${summary.audit_id}.tar.gz`;
      return c.body(tarGz as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="${name}"`,
        [DISCLOSURE_SUMMARY_HEADER]: asciiJson(summary),
      });
    },
  );
  return app;
}
