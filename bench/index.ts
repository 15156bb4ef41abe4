/**
 * `bun run bench`: every benchmark in bench/, one after the other, each
 * printing its own figures. Pass names to run some: `bun run bench parse`.
 */
import { readdirSync } from "node:fs";

const benchDir = new URL(".", import.meta.url).pathname;
const wanted = new Set(process.argv.slice(2));
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith(".ts") && name !== "index.ts")
  .filter((name) => wanted.size === 0 || wanted.has(name.replace(/\.ts$/, "")))
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  const result = Bun.spawnSync(["bun", `${benchDir}${name}`], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if (result.exitCode !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
