/**
 * The OpenAPI document of the `--http` listener: valid OpenAPI 3.1 (by
 * swagger-parser), one operation for each route the app serves and none
 * more, public without a bearer, and its schemas the ones the routes parse
 * with. A real hub on PGlite.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { type RunningHub, startHub } from "../hub.ts";
import { PUBLIC_AUTH_PATHS } from "./auth.ts";
import { DOCS_ASSET_ROUTE, DOCS_PATH } from "./docs/index.ts";
import { apiRoutes } from "./index.ts";
import { OPENAPI_PATH, type OpenApiDocument, openApiPath } from "./openapi.ts";

const dir = mkdtempSync(join(tmpdir(), "logmaster-openapi-"));
let hub: RunningHub;
let document: OpenApiDocument;

beforeAll(async () => {
  hub = await startHub({
    dataDir: join(dir, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    quiet: true,
  });
  const answer = await fetch(`${hub.httpUrl}${OPENAPI_PATH}`);
  expect(answer.status).toBe(200);
  document = (await answer.json()) as OpenApiDocument;
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** "GET /api/devices/{agent}/{address}" for every route Hono serves (middleware of app.use aside). */
function servedRoutes(): string[] {
  const app = apiRoutes(hub.apiContext);
  const routes = app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${openApiPath(route.path)}`);
  return [...new Set(routes)].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

const underApiOrAdmin = (route: string) => /^\w+ \/(api|admin)\//.test(route);

describe("the OpenAPI document", () => {
  test("is valid OpenAPI 3.1", async () => {
    expect(document.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(document) as never);
    // Not checked by the validator for 3.1: each `{param}` of a path is a path parameter.
    for (const [path, operations] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => String(match[1]));
      for (const operation of Object.values(operations)) {
        const inPath = (operation.parameters ?? []).filter((p) => p.in === "path");
        expect([path, inPath.map((p) => p.name)]).toEqual([path, names]);
      }
    }
  });

  test("every /api and /admin route the app serves is in it, and it holds no other", () => {
    const served = servedRoutes().filter(underApiOrAdmin);
    expect(served.length).toBeGreaterThan(25);
    expect(documentedRoutes().filter(underApiOrAdmin)).toEqual(served);
    // The other routes (health, metrics, the development TSA) too.
    expect(documentedRoutes()).toEqual(servedRoutes());
  });

  test("every operation is described beside its route", () => {
    const undescribed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation["x-undescribed"])
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undescribed).toEqual([]);
  });

  test("only login, refresh, logout, the description and its docs take no bearer under /api/", () => {
    const open = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/api/") || path.startsWith("/admin/"))
      .flatMap(([path, operations]) =>
        Object.values(operations)
          .filter((operation) => operation.security.length === 0)
          .map(() => path),
      );
    expect(open.sort()).toEqual([...PUBLIC_AUTH_PATHS].map(openApiPath).sort());
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
  });
});

describe("the description is public", () => {
  test(`${OPENAPI_PATH}, ${DOCS_PATH} and its assets answer 200 without a bearer`, async () => {
    const json = await fetch(`${hub.httpUrl}${OPENAPI_PATH}`);
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toContain("application/json");
    const page = await fetch(`${hub.httpUrl}${DOCS_PATH}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // Every asset the page loads (hub/src/api/docs/index.test.ts checks them closely).
    const assets = [...(await page.text()).matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => String(match[1]))
      .filter((url) => url.startsWith(`${DOCS_PATH}/assets/`));
    expect(assets.length).toBe(5);
    for (const url of assets) {
      expect([url, (await fetch(`${hub.httpUrl}${url}`)).status]).toEqual([url, 200]);
    }
    expect(DOCS_ASSET_ROUTE).toBe(`${DOCS_PATH}/assets/:file`);
  });

  test("a route beside them still needs one", async () => {
    const answer = await fetch(`${hub.httpUrl}/api/auth/me`);
    expect(answer.status).toBe(401);
  });
});

describe("the schemas are the ones the routes parse with", () => {
  type Schema = { required?: string[]; properties?: Record<string, { type?: unknown }> };
  const bodyOf = (path: string, method: string) =>
    (
      document.paths[path]?.[method]?.requestBody?.content["application/json"] as
        | { schema: Schema }
        | undefined
    )?.schema;

  test("POST /api/auth/login takes username and password, as the route does", async () => {
    const body = bodyOf("/api/auth/login", "post");
    expect(body?.required?.sort()).toEqual(["password", "username"]);
    const login = (json: unknown) =>
      fetch(`${hub.httpUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(json),
      });
    const missing = await login({ username: "nobody" });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { message: string }).message).toContain("password");
    // Both given: past validation, refused as a wrong login.
    expect((await login({ username: "nobody", password: "not-the-password" })).status).toBe(401);
    const answer = document.paths["/api/auth/login"]?.post?.responses["200"] as {
      content: Record<string, { schema: Schema }>;
    };
    expect(answer.content["application/json"]?.schema.required).toEqual([
      "access_token",
      "token_type",
      "expires_in",
    ]);
  });

  test("query parameters are described in their input form (times are strings)", () => {
    const parameters = document.paths["/api/search"]?.get?.parameters ?? [];
    const from = parameters.find((parameter) => parameter.name === "from");
    expect(from).toMatchObject({ in: "query", required: true, schema: { type: "string" } });
    const limit = parameters.find((parameter) => parameter.name === "limit");
    expect(limit).toMatchObject({ required: false, schema: { type: "integer", default: 100 } });
  });

  test("path parameters, refusals and streaming answers", () => {
    const rename = document.paths["/api/devices/{agent}/{address}"]?.put;
    expect(rename?.parameters?.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ["agent", "path"],
      ["address", "path"],
    ]);
    expect(rename?.responses["403"]).toEqual({ $ref: "#/components/responses/Forbidden" });
    const media = (path: string, method: string) =>
      Object.keys(
        (document.paths[path]?.[method]?.responses["200"] as { content?: object } | undefined)
          ?.content ?? {},
      );
    expect(media("/api/tail", "get")).toEqual(["text/event-stream"]);
    expect(media("/api/search/export", "get")).toEqual([
      "application/x-ndjson",
      "text/csv; charset=utf-8",
    ]);
    expect(media("/api/export", "get")).toEqual(["application/gzip"]);
    expect(media("/api/reports/compliance", "get")).toContain("application/pdf");
  });
});
