/**
 * The interactive docs: the page and Swagger UI's files served from the hub
 * under the listener's CSP, without a bearer; and in headless Chromium
 * (playwright-core) the page lists the operations, logs in through "try it
 * out", calls a bearer route with the token it got, and the console stays
 * clean. A real hub on PGlite. Screenshots go to `.tmp/test-output/api-docs/`
 * (or `$TEST_OUTPUT_DIR/…`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CHROMIUM,
  chromiumAvailable,
  collectProblems,
  launchChromium,
  testOutputDir,
} from "../../../../tests/support/browser.ts";
import { hashPassword } from "../../auth/passwords.ts";
import { type RunningHub, startHub } from "../../hub.ts";
import { insertUser } from "../../store/index.ts";
import { OPENAPI_PATH, type OpenApiDocument } from "../openapi.ts";
import { DOCS_PATH } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "logmaster-api-docs-"));
const USERNAME = "docs-reader";
const PASSWORD = "correct horse battery staple";
let hub: RunningHub;

/** The listener's policy (hub/src/api/index.ts): the docs page needs nothing beyond it. */
const LISTENER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

beforeAll(async () => {
  hub = await startHub({
    dataDir: join(dir, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    quiet: true,
  });
  await insertUser(hub.db, {
    username: USERNAME,
    role: "chain_admin",
    hotels: [],
    passwordHash: await hashPassword(PASSWORD),
  });
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("served from the hub, without a bearer", () => {
  test("the page: HTML under the listener's CSP, its scripts from 'self' and none inline", async () => {
    const page = await fetch(`${hub.httpUrl}${DOCS_PATH}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(page.headers.get("content-security-policy")).toBe(LISTENER_CSP);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes]) => attributes)).toEqual([
      ' src="/api/docs/assets/swagger-ui-bundle.js"',
      ' src="/api/docs/assets/init.js"',
    ]);
    expect(scripts.every(([, , body]) => body === "")).toBe(true);
    expect(html).toContain(`data-openapi-url="${OPENAPI_PATH}"`);
  });

  test.each([
    ["swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"],
    ["init.js", "text/javascript; charset=utf-8", "persistAuthorization"],
    ["swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"],
    ["index.css", "text/css; charset=utf-8", "box-sizing"],
    ["favicon-32x32.png", "image/png", "PNG"],
  ])("%s: %s under the same CSP, revalidated by its ETag", async (name, type, content) => {
    const url = `${hub.httpUrl}${DOCS_PATH}/assets/${name}`;
    const asset = await fetch(url);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe(type);
    expect(asset.headers.get("content-security-policy")).toBe(LISTENER_CSP);
    expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
    expect(asset.headers.get("cache-control")).toBe("no-cache");
    expect(await asset.text()).toContain(content);
    if (type !== "image/png") expect(asset.headers.get("content-encoding")).toBe("gzip");
    const etag = asset.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    const again = await fetch(url, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  test("nothing else of the package, nor a file beside it", async () => {
    for (const name of [
      "index.html",
      "swagger-ui-bundle.js.map",
      "package.json",
      "..%2Findex.ts",
    ]) {
      const answer = await fetch(`${hub.httpUrl}${DOCS_PATH}/assets/${name}`);
      expect([name, answer.status]).toEqual([name, 404]);
      expect(((await answer.json()) as { code: string }).code).toBe("not_found");
    }
    // Only GET is public there: anything else asks for a bearer first.
    const post = await fetch(`${hub.httpUrl}${DOCS_PATH}/assets/init.js`, { method: "POST" });
    expect(post.status).toBe(401);
  });

  test("the document describes the asset route with the files it serves", async () => {
    const document = (await (
      await fetch(`${hub.httpUrl}${OPENAPI_PATH}`)
    ).json()) as OpenApiDocument;
    const assets = document.paths["/api/docs/assets/{file}"]?.get;
    expect(assets?.security).toEqual([]);
    expect(assets?.parameters?.[0]?.schema).toMatchObject({
      enum: ["swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png", "init.js"],
    });
  });
});

describe.skipIf(!chromiumAvailable())(`in headless Chromium (skipped without ${CHROMIUM})`, () => {
  test("lists the operations, tries login and a bearer route, with a clean console", async () => {
    const outputDir = testOutputDir("api-docs");
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const problems = collectProblems(page);
      await page.goto(`${hub.httpUrl}${DOCS_PATH}`);
      const summaryPaths = page.locator(".opblock-summary-path");
      await summaryPaths.first().waitFor();
      const paths = (await summaryPaths.allTextContents()).map((path) =>
        path.replace(/\u200b/g, ""),
      );
      expect(paths).toContain("/api/auth/login");
      expect(paths).toContain("/api/search");
      expect(paths.length).toBeGreaterThan(40);
      await page.screenshot({ path: join(outputDir, "api-docs.png") });

      // Try it out: the login's body, Execute; the token it answers becomes the bearer.
      const status = async (operation: string) => {
        const cell = page.locator(
          `#${operation} .live-responses-table tr.response .response-col_status`,
        );
        await cell.waitFor();
        return (await cell.textContent())?.trim();
      };
      const login = page.locator("#operations-auth-postApiAuthLogin");
      await login.locator(".opblock-summary-control").click();
      await login
        .locator("textarea.body-param__text")
        .fill(JSON.stringify({ username: USERNAME, password: PASSWORD }));
      await login.locator("button.execute").click();
      expect(await status("operations-auth-postApiAuthLogin")).toBe("200");
      const authorized = await page.evaluate<Record<string, { value?: string }>>(
        "window.ui.authSelectors.authorized().toJS()",
      );
      expect(authorized.bearerAuth?.value).toMatch(/^ey/);

      const me = page.locator("#operations-auth-getApiAuthMe");
      await me.locator(".opblock-summary-control").click();
      await me.locator("button.execute").click();
      expect(await status("operations-auth-getApiAuthMe")).toBe("200");
      expect(
        await me
          .locator(".live-responses-table tr.response .response-col_description")
          .textContent(),
      ).toContain(USERNAME);
      await me.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(outputDir, "api-docs-tried.png") });

      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
