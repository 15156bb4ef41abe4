/**
 * The search page in a real browser against the shared dashboard world (a
 * zero-setup hub fed by two real agents and the simulator): a line sent over
 * UDP seconds earlier is found by a word of it, its detail shows the lines
 * the same agent received around it and the chunk that proves it, a share
 * link reopens the same results in a new page, a disclosure pack of the
 * fresh line is refused in plain words (its hour is not sealed yet) and one
 * with a filter a pack cannot apply is offered with the reason only, and
 * the Turkish page has no English left. Screenshots (tr and en, 1280 and 375 px) go to
 * `.tmp/test-output/dashboard-search/`.
 */
import { describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import type { Page } from "playwright-core";
import { HOTELS, useDashboardWorld } from "./support/dashboard-world.ts";

const world = useDashboardWorld("dashboard-search");

/**
 * English left on the Turkish search page: this page's texts and the
 * shell's (other pages' keys are their tests' business; some are words
 * Turkish uses too, such as "UTC" or "Hotspot").
 */
async function untranslated(page: Page): Promise<string[]> {
  const mine = /^(search|nav|app|zone|lang|user|scope|state|error)\./;
  return (await world.untranslated(page)).filter((entry) => mine.test(entry));
}

/** A letters-only word no simulated line has (the free text matches words). */
const WORD = `zebrafinch${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;

async function sendLine(port: number, line: string): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) =>
    socket.send(line, port, "127.0.0.1", (error) => (error ? reject(error) : resolve())),
  );
  socket.close();
}

/** Run the search until the row with WORD shows (the hub indexes in the background), bounded. */
async function searchUntilFound(page: Page, labels: { text: string; run: string }) {
  await page.getByLabel(labels.text).fill(WORD);
  const deadline = Date.now() + 45_000;
  for (;;) {
    await page.getByLabel(labels.text).press("Enter");
    try {
      await page
        .locator(".result-body .result-row", { hasText: WORD })
        .first()
        .waitFor({ timeout: 3_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.getByRole("button", { name: labels.run, exact: true }).click();
    }
  }
}

describe("search in Chromium", () => {
  test("a line sent over UDP is found, with the lines around it, its chunk and a share link", async () => {
    const { page, errors } = await world.openPage({ locale: "en-US" });
    await page.goto(`${world.hub().httpUrl}/search`);
    await world.signIn(page, "en", "zincir");
    await page.getByRole("heading", { name: "Search", level: 1 }).waitFor();

    const line = `<134>Dec  3 10:15:00 otel-gw firewall,info forward: in:bridge out:ether1, proto TCP (SYN), 10.1.1.77:52345->8.8.8.8:443, len 60 ${WORD}`;
    await sendLine(world.agent(0).udpPort, line);
    await searchUntilFound(page, { text: "Words to find", run: "Search" });
    expect(await page.locator(".result-body .result-row").count()).toBe(1);
    expect(page.url()).toContain(`q=${WORD}`);

    // The detail: the raw line, the lines around it with the hit marked, the chunk.
    await page.locator(".result-body .result-row", { hasText: WORD }).first().click();
    const detail = page.getByRole("dialog", { name: "Log line detail" });
    await detail.waitFor();
    await detail.locator(".context-line.current", { hasText: WORD }).waitFor({ timeout: 15_000 });
    expect(await detail.locator(".context-line").count()).toBeGreaterThan(1);
    const download = detail.getByRole("button", { name: /Download evidence bundle/ });
    expect(await download.getAttribute("data-chunk-path")).toMatch(
      /^\/api\/export\?chunk=\d{4}-\d{2}-\d{2}T\d{2}/,
    );
    await world.shot(page, "search-detail-en-1280");
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });

    // A disclosure pack of the line: its hour is still open, so the hub refuses, in plain words.
    await page.getByRole("button", { name: "Disclosure pack (court)" }).click();
    const pack = page.getByRole("form", { name: "Disclosure pack (court)" });
    await pack
      .getByText("In the pack: the lines this search finds in that hotel (at most 10,000).")
      .waitFor();
    await pack.getByLabel("Hotel of the pack").selectOption(HOTELS[0].id);
    await pack.getByLabel("Case reference").fill("2026/77 Soruşturma");
    await world.shot(page, "search-disclose-form-en-1280");
    await pack.getByRole("button", { name: /Make and download the pack/ }).click();
    // (Unless the hour ended and was sealed since the line was sent: then the pack is made.)
    await pack
      .getByText(/^The hour of these lines is not sealed yet\.|^Pack saved to your downloads:/)
      .waitFor({ timeout: 20_000 });
    await world.shot(page, "search-disclose-refused-en-1280");
    await pack.getByRole("button", { name: "Cancel" }).click();
    await pack.waitFor({ state: "detached" });

    // The share link reopens the same search in a new page.
    await page.getByRole("button", { name: "Share link" }).click();
    const url = await page.locator(".share-url").inputValue();
    expect(url).toContain(`q=${WORD}`);
    expect(url).toMatch(/from=.*&to=/);
    await page.getByRole("button", { name: "Close" }).click();
    const other = await page.context().newPage();
    await other.goto(url);
    await other
      .locator(".result-body .result-row", { hasText: WORD })
      .first()
      .waitFor({ timeout: 20_000 });
    expect(await other.getByLabel("Words to find").inputValue()).toBe(WORD);
    await other.close();

    // A search of everything: the histogram, the frequent values, many rows.
    await page.getByLabel("Words to find").fill("");
    await page.getByLabel("Words to find").press("Enter");
    await page.locator(".top-value").first().waitFor({ timeout: 15_000 });
    await page.locator(".result-body .result-row").nth(5).waitFor();
    await world.shot(page, "search-en-1280");

    // In Turkish: nothing left in English; at phone width the sidebar folds away.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("heading", { name: "Arama", level: 1 }).waitFor();
    expect(await untranslated(page)).toEqual([]);
    await world.shot(page, "search-tr-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await page.locator(".result-body .result-row").first().waitFor();
    expect(await page.locator(".field-sidebar").isVisible()).toBe(false);
    await world.shot(page, "search-tr-375");
    await page.getByRole("button", { name: "Sık değerleri göster" }).click();
    expect(await page.locator(".field-sidebar").isVisible()).toBe(true);
    await page.locator(".result-body .result-row").first().click();
    await page.getByRole("dialog", { name: "Log satırının ayrıntısı" }).waitFor();
    expect(await untranslated(page)).toEqual([]);
    await world.shot(page, "search-detail-tr-375");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "English" }).click();
    await world.shot(page, "search-en-375");

    // A filter a pack cannot apply (it would hold other lines too): the button says why.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${world.hub().httpUrl}/search?q=${WORD}&severity=info&range=24h`);
    await page.getByRole("button", { name: "Türkçe" }).click();
    const offered = page.getByRole("button", { name: "Adli makam için kayıt paketi" });
    await offered.waitFor();
    expect(await offered.getAttribute("aria-disabled")).toBe("true");
    // Still focusable (aria-disabled): Enter shows the reason.
    await offered.focus();
    await page.keyboard.press("Enter");
    await page.getByText(/^Paket şu süzgeçleri uygulayamaz: Önem derecesi\./).waitFor();
    await world.shot(page, "search-disclose-unavailable-tr-1280");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 150_000);

  test("a saved search outlives a reload and opens from the list", async () => {
    const { page, errors } = await world.openPage({ locale: "en-US" });
    await page.goto(`${world.hub().httpUrl}/search`);
    await world.signIn(page, "en", "zincir");
    await page.getByRole("heading", { name: "Search", level: 1 }).waitFor();
    await page.goto(`${world.hub().httpUrl}/search?q=${WORD}&range=24h`);
    await page.getByLabel("Words to find").waitFor();
    const name = `Zebra ${WORD}`;
    await page.getByRole("button", { name: "Save search" }).click();
    await page.getByLabel("Name of this search").fill(name);
    await page.getByLabel("Name of this search").press("Enter");
    await page.getByText(`Saved as “${name}”.`).waitFor();

    // A reload signs back in with the cookie; the list comes from the hub.
    await page.goto(`${world.hub().httpUrl}/search`);
    await page.getByRole("button", { name: "Saved searches" }).click();
    await page.getByRole("link", { name }).click();
    await page.waitForURL((url) => url.search.includes(`q=${WORD}`));
    expect(await page.getByLabel("Words to find").inputValue()).toBe(WORD);
    await page.getByRole("button", { name: "Saved searches" }).click();
    await page.getByRole("button", { name: `Delete the saved search “${name}”` }).click();
    await page.getByRole("link", { name }).waitFor({ state: "detached" });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
