/**
 * Accessibility and translation of every page in a real browser against the
 * shared world: the chain admin walks the sign-in page, each page of the
 * navigation (all of dashboard/src/app/pages.ts), a hotel's page and "not found",
 * in Turkish and in English. On each, axe-core (WCAG 2 A and AA rules) must
 * find no serious or critical violation, and in Turkish no English message
 * of the catalogue may be visible. Screenshots go to
 * `.tmp/test-output/dashboard-a11y/`.
 */
import { describe, expect, test } from "bun:test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { en } from "../dashboard/src/i18n/en.ts";
import { tr } from "../dashboard/src/i18n/tr.ts";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";

const world = useDashboardWorld("dashboard-a11y");

/** Pages the navigation does not link to: a hotel's page and a made-up path. */
const OFF_NAVIGATION = [
  { name: "hotel", path: `/hotels/${HOTELS[0].id}` },
  { name: "not-found", path: "/no-such-page" },
];

/** The pages the navigation links to, named for screenshots and reports by their path's last part. */
async function navigationPages(page: Page): Promise<{ name: string; path: string }[]> {
  const links = page.getByRole("navigation").first().getByRole("link");
  const paths: string[] = [];
  for (let index = 0; index < (await links.count()); index++)
    paths.push((await links.nth(index).getAttribute("href")) ?? "");
  return paths.map((path) => ({
    name: path === "/" ? "overview" : (path.split("/").pop() ?? path),
    path,
  }));
}

/**
 * What opens on a page, checked too: the hour's chunks in custody, an audit
 * row's full entry, a search row's detail, the account menu.
 */
const OPENED: Partial<Record<string, (page: Page) => Promise<void>>> = {
  overview: (page) => page.locator(".user-button").click(),
  search: async (page) => {
    await page.locator(".result-body .result-row").first().click();
    await page.locator(".row-detail").waitFor();
  },
  custody: async (page) => {
    await page.locator('button[data-state="running"]').click();
    await page.locator(".chunk-card").first().waitFor({ timeout: 30_000 });
  },
  audit: (page) => page.locator('button[aria-controls^="audit-row-"]').first().click(),
};

/** Wait for the page's heading, and for its first data (no loading state left). */
async function settled(page: Page): Promise<void> {
  await page.locator("h1").first().waitFor();
  await page.locator(".state-loading").first().waitFor({ state: "detached", timeout: 30_000 });
}

/**
 * The serious and critical WCAG 2 A/AA violations axe-core finds on the page
 * as it is now, one readable line each: rule, impact, help, first targets.
 */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => {
      const targets = violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(" "))
        .join(" | ");
      return `${where}: ${violation.id} (${violation.impact}) ${violation.help} [${violation.nodes.length}×: ${targets}]`;
    });
}

describe("every page is accessible and translated", () => {
  for (const language of ["tr", "en"] as const) {
    test(`the chain admin's pages in ${language === "tr" ? "Turkish" : "English"}`, async () => {
      const { page, errors } = await world.openPage({
        locale: language === "tr" ? "tr-TR" : "en-US",
      });
      const words = language === "tr" ? tr : en;
      const violations: string[] = [];
      const untranslated: string[] = [];
      const check = async (name: string) => {
        await settled(page);
        violations.push(...(await seriousViolations(page, `${language} ${name}`)));
        if (language === "tr")
          untranslated.push(...(await world.untranslated(page)).map((text) => `${name}: ${text}`));
        await world.shot(page, `${name}-${language}`);
      };

      // A sealed chunk of this hour, for custody's chunk cards.
      await world.agent(0).seal();
      await page.goto(world.hub().httpUrl);
      await page.getByRole("heading", { name: words["login.title"] }).waitFor();
      await check("login");
      await world.signIn(page, language, "zincir");
      await page.getByRole("heading", { name: words["overview.title"], level: 1 }).waitFor();

      // The chain admin's navigation: every page of dashboard/src/app/pages.ts (ten).
      const stops = [...(await navigationPages(page)), ...OFF_NAVIGATION];
      expect(stops.length).toBeGreaterThanOrEqual(10 + OFF_NAVIGATION.length);
      const notFound = words["state.notFound"];
      for (const stop of stops) {
        await page.goto(`${world.hub().httpUrl}${stop.path}`);
        await settled(page);
        // The chain admin sees every page; only the made-up path is not found.
        expect({
          stop: stop.name,
          notFound: (await page.locator("h1").first().textContent()) === notFound,
        }).toEqual({
          stop: stop.name,
          notFound: stop.name === "not-found",
        });
        await check(stop.name);
        const open = OPENED[stop.name];
        if (open) {
          await open(page);
          await check(`${stop.name}-opened`);
        }
      }

      expect(violations).toEqual([]);
      expect(untranslated).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }, 240_000);
  }
});
