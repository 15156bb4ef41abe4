/**
 * The one way tests open a browser: Debian's Chromium through playwright-core
 * (no bundled browsers; `.ci/run` installs it from apt), pages whose console
 * problems are collected, and the directory their screenshots go to.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoRoot } from "./pipeline.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

/**
 * Start headless Chromium; close it when done.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
}

/**
 * What a person would see go wrong in `page`, in order: uncaught exceptions
 * and console messages of `types`. The browser's own log (CSP violations,
 * failed loads) arrives as console messages too; `ignore` drops expected ones.
 *
 * @example
 * const problems = collectProblems(page, { types: ["error"] });
 * // ... drive the page
 * expect(problems).toEqual([]);
 */
export function collectProblems(
  page: Page,
  {
    types = ["error", "warning", "assert"],
    ignore = () => false,
  }: { types?: string[]; ignore?: (text: string) => boolean } = {},
): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (types.includes(message.type()) && !ignore(message.text()))
      problems.push(`console.${message.type()}: ${message.text()}`);
  });
  return problems;
}

/**
 * Where a test keeps what it produces for a person to look at (screenshots):
 * `.tmp/test-output/<name>/`, or `$TEST_OUTPUT_DIR/<name>/`; made if missing.
 */
export function testOutputDir(name: string): string {
  const path = join(process.env.TEST_OUTPUT_DIR ?? join(repoRoot, ".tmp", "test-output"), name);
  mkdirSync(path, { recursive: true });
  return path;
}
