/**
 * The API's interactive docs at `GET /api/docs`: Swagger UI (the
 * `swagger-ui-dist` package, served from the hub itself: hubs run offline)
 * on the document at `/api/openapi.json`, with "try it out" and the bearer
 * token kept across reloads. The page holds no inline script: Swagger UI and
 * `init.js` beside this file are served from `/api/docs/assets/`, so the
 * listener's CSP (`script-src 'self'`) covers them as it is
 * (docs/decisions.md, "Interactive API docs").
 */
import { join } from "node:path";
import { Hono } from "hono";
import { compress } from "hono/compress";
import { etag } from "hono/etag";
import { z } from "zod";
import { RefusedRequestError } from "../../errors.ts";
import { describeRoute, OPENAPI_PATH } from "../openapi.ts";

export const DOCS_PATH = "/api/docs";
/** The route of the page's scripts, styles and icon (the Hono path: `publicPaths` holds it). */
export const DOCS_ASSET_ROUTE = `${DOCS_PATH}/assets/:file`;
const assetUrl = (name: DocsAsset) => `${DOCS_PATH}/assets/${name}`;

const fromSwaggerUi = (name: string) => Bun.resolveSync(`swagger-ui-dist/${name}`, import.meta.dir);

/** What the page loads, by the name it is served under: a fixed list, nothing else of the package. */
const ASSETS = {
  "swagger-ui-bundle.js": fromSwaggerUi("swagger-ui-bundle.js"),
  "swagger-ui.css": fromSwaggerUi("swagger-ui.css"),
  "index.css": fromSwaggerUi("index.css"),
  "favicon-32x32.png": fromSwaggerUi("favicon-32x32.png"),
  "init.js": join(import.meta.dir, "init.js"),
} as const;
type DocsAsset = keyof typeof ASSETS;
const assetSchema = z.enum(Object.keys(ASSETS) as [DocsAsset, ...DocsAsset[]]);

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  png: "image/png",
};
const contentTypeOf = (name: string) =>
  CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";

/** Swagger UI mounts into `#swagger-ui`; `init.js` reads the document's address from it. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LogMaster hub API</title>
<link rel="stylesheet" href="${assetUrl("swagger-ui.css")}">
<link rel="stylesheet" href="${assetUrl("index.css")}">
<link rel="icon" type="image/png" href="${assetUrl("favicon-32x32.png")}">
</head><body>
<noscript><p>These docs need JavaScript. The API's description is <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a> (OpenAPI 3.1).</p></noscript>
<div id="swagger-ui" data-openapi-url="${OPENAPI_PATH}"></div>
<script src="${assetUrl("swagger-ui-bundle.js")}"></script>
<script src="${assetUrl("init.js")}"></script>
</body></html>
`;

/**
 * The docs page and its assets. Public: mount them where no bearer is asked
 * (`DOCS_PATH` and `DOCS_ASSET_ROUTE` in `publicPaths`). A missing
 * `swagger-ui-dist` fails when this module loads, not at the first reader.
 *
 * @example
 * app.route("/", docsRoutes());
 * await app.request("/api/docs/assets/swagger-ui-bundle.js"); // 200 text/javascript
 */
export function docsRoutes(): Hono {
  const app = new Hono();
  app.get(
    DOCS_PATH,
    describeRoute({
      summary: "These docs (Swagger UI)",
      description: `Every operation of \`${OPENAPI_PATH}\`, with "try it out": log in with \`POST /api/auth/login\` and the token it answers is used for the next calls.`,
      tag: "hub",
      answer: "The page; its scripts and styles are the assets below",
      media: ["text/html"],
    }),
    (c) => c.html(PAGE),
  );
  app.get(
    DOCS_ASSET_ROUTE,
    describeRoute({
      summary: "A script, style sheet or icon of the docs page",
      description:
        "Swagger UI from the `swagger-ui-dist` package, and the script that starts it on this document.",
      tag: "hub",
      params: { file: assetSchema },
      answer: "The file",
      media: [...new Set(Object.keys(ASSETS).map(contentTypeOf))],
    }),
    // Gzip: the bundle is 1.7 MB, 450 kB gzipped. No-cache with an ETag: a browser asks again
    // (304) and so never keeps a bundle of an older hub.
    compress(),
    etag(),
    async (c) => {
      const name = assetSchema.safeParse(c.req.param("file"));
      if (!name.success) throw new RefusedRequestError("no such docs asset", 404);
      return c.body(await Bun.file(ASSETS[name.data]).bytes(), 200, {
        "content-type": contentTypeOf(name.data),
        "cache-control": "no-cache",
      });
    },
  );
  return app;
}
