/**
 * docs/install-hub.md lists every setting the hub reads: a new flag or
 * environment variable without its line there fails here.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hubConfigFlags } from "./index.ts";

const doc = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "install-hub.md"), "utf8");
const loader = readFileSync(join(import.meta.dir, "index.ts"), "utf8");
const environment = [...new Set([...loader.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))];

test("the config loader reads environment variables (the scan below finds them)", () => {
  expect(environment).toContain("DATABASE_URL");
});

test.each(environment)("docs/install-hub.md documents %s", (name) => {
  expect(doc).toContain(`\`${name}\``);
});

test.each(Object.keys(hubConfigFlags))("docs/install-hub.md documents --%s", (flag) => {
  expect(doc).toContain(`\`--${flag}`);
});
