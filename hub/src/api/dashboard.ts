/**
 * The dashboard on the `--http` listener: the files Vite built into
 * `dashboard/dist`, served at `/` beside the API.
 *
 * - `GET /assets/:file`: the hashed bundles, cached for a year (`immutable`):
 *   a new build has new names. A missing one is a JSON 404, never index.html.
 * - `GET /` and every client route (`/search`, `/hotels/antalya-lara`…):
 *   `index.html` with `no-cache`, so a browser always learns the current
 *   bundles' names (an ETag saves the transfer when nothing changed).
 * - Other files at the top of dist (`favicon.svg`): cached for an hour.
 * - `/api/`, `/admin/`, `/metrics`, `/healthz` and `/tsa` are never the
 *   dashboard's: those fall through to their routes or the JSON 404.
 *
 * Files are read at request time, so a rebuild shows without a restart. The
 * listener's CSP (hub/src/api/index.ts) holds: Vite's index.html loads its
 * module from `/assets/` and inlines no script.
 */
import { existsSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { type Context, Hono } from "hono";
import { compress } from "hono/compress";
import { errorBody } from "../errors.ts";
import { describeRoute } from "./openapi.ts";

/** Where `bun run --cwd dashboard build` writes (dashboard/vite.config.ts). */
export const DASHBOARD_DIST = resolve(import.meta.dir, "../../../dashboard/dist");

/** First path segments that belong to the hub, never to the dashboard's client routes. */
const HUB_PREFIXES = new Set(["api", "admin", "metrics", "healthz", "tsa"]);

const YEAR_SECONDS = 31_536_000;
const IMMUTABLE = `public, max-age=${YEAR_SECONDS}, immutable`;
/** A file name at one level: no slash, no `..` (nothing outside dist can be named). */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface DashboardOptions {
  /** The built dashboard (default: the repository's dashboard/dist). */
  distDir?: string;
}

/** A file of dist as an answer, or undefined when it is not there. */
function fileAnswer(c: Context, path: string, cacheControl: string): Response | undefined {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isFile()) return undefined;
  const etag = `W/"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const headers = {
    "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    "cache-control": cacheControl,
    etag,
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  return c.body(Bun.file(path).stream(), 200, headers);
}

/** What `/` answers before the dashboard is built: how to build it. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LogMaster</title></head>
<body><h1>LogMaster</h1><p>The dashboard is not built yet. Build it with
<code>bun run --cwd dashboard build</code> (<code>bun run start</code> does it for you);
the API is at <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

/**
 * The dashboard's routes; mount them after the API's and before
 * `serveApiDescription`, so that the document describes them.
 *
 * @example
 * app.route("/", dashboardRoutes());
 */
export function dashboardRoutes(options: DashboardOptions = {}): Hono {
  const dist = options.distDir ?? DASHBOARD_DIST;
  const app = new Hono();
  const indexHtml = (c: Context) =>
    fileAnswer(c, join(dist, "index.html"), "no-cache") ??
    c.html(NOT_BUILT_PAGE, 503, { "cache-control": "no-store" });

  app.use("/assets/*", compress());
  app.get(
    "/assets/:file",
    describeRoute({
      summary: "Dashboard assets",
      description:
        "The dashboard's hashed bundles (JavaScript, CSS), cached for a year: a new build has new names.",
      tag: "hub",
      answer: "The file",
      media: ["text/javascript", "text/css"],
    }),
    (c) => {
      const file = c.req.param("file");
      const answer = FILE_NAME.test(file)
        ? fileAnswer(c, join(dist, "assets", file), IMMUTABLE)
        : undefined;
      return answer ?? c.json(errorBody("not_found", `no dashboard asset ${file}`), 404);
    },
  );
  app.get(
    "/",
    describeRoute({
      summary: "The dashboard",
      description:
        "The SolidJS dashboard (dashboard/): sign in, then the overview of your hotels. 503 with how to build it when it is not built.",
      tag: "hub",
      answer: "The dashboard's page",
      media: ["text/html"],
    }),
    indexHtml,
  );
  app.get(
    "/:path{.+}",
    describeRoute({
      summary: "A dashboard page",
      description:
        "Any other path outside `/api/`, `/admin/`, `/metrics`, `/healthz` and `/tsa`: a file at the top of the build (the icon), or the dashboard's page, whose router shows the path (`/search`, `/hotels/{id}`).",
      tag: "hub",
      answer: "The dashboard's page, or the file",
      media: ["text/html", "image/svg+xml"],
    }),
    async (c, next) => {
      const path = c.req.param("path");
      const first = path.split("/")[0] ?? "";
      if (HUB_PREFIXES.has(first)) return next();
      if (FILE_NAME.test(path) && extname(path) !== "") {
        const file = fileAnswer(c, join(dist, path), "public, max-age=3600");
        if (file) return file;
      }
      // A missing file (`/x.js`) is not a page: a JSON 404 rather than index.html with 200.
      if (extname(path) !== "") return next();
      return indexHtml(c);
    },
  );
  return app;
}
