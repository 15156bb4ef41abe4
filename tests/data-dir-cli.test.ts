/**
 * No silent new hub or agent: every `logmaster-hub` command but `serve` and
 * `migrate`, and `logmaster-agent status|seal|wal`, pointed at a dir that
 * holds no hub or agent (missing, or empty) says so, exits 2 and creates
 * nothing, not even the dir.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { repoRoot, tempDir } from "./support/pipeline.ts";

const work = tempDir("no-data-dir");
afterAll(() => work.remove());

const cli = (program: "hub" | "agent", args: string[]) =>
  runProcess(["bun", join(repoRoot, `${program}/src/cli/main.ts`), ...args]);

const hubCommands = [
  ["chunk", "list"],
  ["hotel", "list"],
  ["token", "create", "--hotel", "grand"],
];

describe("logmaster-hub on a dir that holds no hub", () => {
  for (const command of hubCommands) {
    test(`${command.join(" ")}: a missing dir stays missing`, async () => {
      const dir = join(work.path, `typo-${command.join("-")}`);
      const { exitCode, stdout, stderr } = await cli("hub", [...command, "--data-dir", dir]);
      expect(stderr).toContain(
        `no hub in ${dir}: it holds no hub data (run 'logmaster-hub serve --data-dir ${dir}' to create one, or check --data-dir)`,
      );
      expect(exitCode).toBe(2);
      expect(stdout).toBe("");
      expect(existsSync(dir)).toBe(false);
    });
  }

  test("chunk list: an empty dir stays empty", async () => {
    const dir = join(work.path, "empty-hub");
    mkdirSync(dir);
    const { exitCode, stderr } = await cli("hub", ["chunk", "list", "--data-dir", dir]);
    expect(stderr).toContain(`no hub in ${dir}`);
    expect(exitCode).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("logmaster-agent on a dir that holds no agent", () => {
  for (const command of ["status", "seal", "wal"]) {
    test(`${command}: a missing dir stays missing, an empty one empty`, async () => {
      const missing = join(work.path, `typo-agent-${command}`);
      const empty = join(work.path, `empty-agent-${command}`);
      mkdirSync(empty);
      for (const dir of [missing, empty]) {
        const { exitCode, stderr } = await cli("agent", [command, "--data-dir", dir]);
        expect(stderr).toContain(
          `no agent in ${dir}: it holds no agent data (run 'logmaster-agent enroll --token T --data-dir ${dir}' or 'logmaster-agent run --data-dir ${dir}' to create one, or check --data-dir)`,
        );
        expect(exitCode).toBe(2);
      }
      expect(existsSync(missing)).toBe(false);
      expect(readdirSync(empty)).toEqual([]);
    });
  }

  test("wal on an agent's dir (it ran: state/ and chunks/) answers", async () => {
    const dir = join(work.path, "agent-that-ran");
    mkdirSync(join(dir, "state"), { recursive: true });
    mkdirSync(join(dir, "chunks"));
    const { exitCode, stdout } = await cli("agent", ["wal", "--data-dir", dir, "--json"]);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ records: 0, chunks: 0 });
  });

  test("status on an agent's dir with no agent running says that, not 'no agent'", async () => {
    const dir = join(work.path, "agent-stopped");
    mkdirSync(join(dir, "identity"), { recursive: true });
    const { exitCode, stderr } = await cli("agent", ["status", "--data-dir", dir]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`no running agent found for data dir ${dir}`);
  });
});
