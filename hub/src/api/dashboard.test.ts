/**
 * The dashboard's files on the `--http` listener: content types, a year's
 * cache for hashed assets and none for index.html, client routes answered
 * with index.html, and never a page for the hub's own paths or a missing file.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { dashboardRoutes } from "./dashboard.ts";

const dist = mkdtempSync(join(tmpdir(), "logmaster-dashboard-dist-"));
mkdirSync(join(dist, "assets"));
const INDEX = '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>';
writeFileSync(join(dist, "index.html"), INDEX);
writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log('dashboard');".repeat(100));
writeFileSync(join(dist, "assets", "index-abc123.css"), "body{color:#111}");
writeFileSync(join(dist, "favicon.svg"), "<svg/>");
afterAll(() => rmSync(dist, { recursive: true, force: true }));

/** As apiRoutes mounts it: after the API's routes, with the API's JSON 404 behind it. */
function app(distDir = dist): Hono {
  const hub = new Hono();
  hub.get("/api/hotels", (c) => c.json([]));
  hub.get("/metrics", (c) => c.text("# metrics"));
  hub.route("/", dashboardRoutes({ distDir }));
  hub.get("/api/openapi.json", (c) => c.json({ openapi: "3.1.0" }));
  hub.notFound((c) => c.json({ code: "not_found", message: "no route" }, 404));
  return hub;
}

describe("the dashboard's files", () => {
  test("/ and client routes answer index.html, never cached without asking", async () => {
    for (const path of ["/", "/search", "/hotels/antalya-lara", "/manage/users"]) {
      const answer = await app().request(path);
      expect([path, answer.status]).toEqual([path, 200]);
      expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(answer.headers.get("cache-control")).toBe("no-cache");
      expect(await answer.text()).toBe(INDEX);
    }
  });

  test("an unchanged index.html is a 304 for its ETag", async () => {
    const first = await app().request("/");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toStartWith('W/"');
    const again = await app().request("/", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  test("hashed assets are cached for a year, with their content type, compressed", async () => {
    const script = await app().request("/assets/index-abc123.js", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.headers.get("content-encoding")).toBe("gzip");
    const style = await app().request("/assets/index-abc123.css");
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const icon = await app().request("/favicon.svg");
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  test("a missing file is a JSON 404, not index.html", async () => {
    for (const path of ["/assets/index-old.js", "/assets/..%2Findex.html", "/nope.js"]) {
      const answer = await app().request(path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.headers.get("content-type")).toContain("application/json");
    }
  });

  test("the hub's paths are never the dashboard's", async () => {
    expect(await (await app().request("/api/hotels")).json()).toEqual([]);
    expect(await (await app().request("/api/openapi.json")).json()).toEqual({ openapi: "3.1.0" });
    expect(await (await app().request("/metrics")).text()).toBe("# metrics");
    for (const path of ["/api/nope", "/admin/nope", "/healthz/x", "/tsa"]) {
      const answer = await app().request(path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(await answer.json()).toMatchObject({ code: "not_found" });
    }
  });

  test("before the dashboard is built, / says how to build it", async () => {
    const answer = await app(join(dist, "missing")).request("/hotels/x");
    expect(answer.status).toBe(503);
    expect(await answer.text()).toContain("bun run --cwd dashboard build");
  });
});
