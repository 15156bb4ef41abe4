import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../testing/run-process.ts";
import {
  type DataDirTightening,
  holdsAnyOf,
  NoDataDirError,
  octalMode,
  preparePrivateDataDir,
  removeGroupAndWorldAccess,
} from "./index.ts";

const root = mkdtempSync(join(tmpdir(), "logmaster-data-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

function prepare(dir: string): DataDirTightening[] {
  const reports: DataDirTightening[] = [];
  preparePrivateDataDir(dir, (tightening) => reports.push(tightening));
  return reports;
}

/**
 * Run `code` (with `preparePrivateDataDir`, `holdsAnyOf` in scope) as the
 * unprivileged user `nobody`: how a root test meets a dir it does not own.
 */
async function runAsNobody(code: string) {
  const module = join(import.meta.dir, "index.ts");
  return runProcess([
    "bun",
    "-e",
    `import { preparePrivateDataDir, holdsAnyOf } from ${JSON.stringify(module)};
     process.setgid(65534); process.setuid(65534);
     try { ${code}; console.log("no error"); } catch (error) { console.log(error.message); }`,
  ]);
}
const asRoot = process.getuid?.() === 0;

describe("preparePrivateDataDir", () => {
  test("a missing dir is made 0700, parents too, and nothing is reported", () => {
    const dir = join(root, "new", "hub");
    expect(prepare(dir)).toEqual([]);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(root, "new"))).toBe(0o700);
  });

  test("a dir open to group or others is chmod-ed to 0700 and reported with its old mode", () => {
    const dir = join(root, "open");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(prepare(dir)).toEqual([{ dir, oldMode: "0755" }]);
    expect(modeOf(dir)).toBe(0o700);
    expect(prepare(dir)).toEqual([]); // once
  });

  test("a file where the dir should be is refused", () => {
    const path = join(root, "a-file");
    writeFileSync(path, "");
    expect(() => prepare(path)).toThrow(`data dir ${path} is not a directory`);
  });

  test.skipIf(!asRoot)(
    "a dir this process may not chmod (not its owner) is refused, naming the dir, its mode and the fix",
    async () => {
      const parent = join(root, "shared-parent");
      const dir = join(parent, "hub");
      mkdirSync(dir, { recursive: true });
      chmodSync(root, 0o755);
      chmodSync(parent, 0o755);
      chmodSync(dir, 0o755);
      const { stdout } = await runAsNobody(
        `preparePrivateDataDir(${JSON.stringify(dir)}, () => {})`,
      );
      expect(stdout).toContain(
        `data dir ${dir} is open to group or others (mode 0755) and this process (uid 65534) may not change that (EPERM; the dir belongs to uid 0): run 'chmod 700 ${dir}' as its owner`,
      );
      expect(modeOf(dir)).toBe(0o755);
    },
  );
});

describe("holdsAnyOf", () => {
  test("true when one of the paths exists, false for a missing or empty dir", () => {
    const dir = join(root, "holder");
    mkdirSync(join(dir, "state"), { recursive: true });
    expect(holdsAnyOf(dir, [join(dir, "identity"), join(dir, "state")])).toBe(true);
    expect(holdsAnyOf(dir, [join(dir, "identity")])).toBe(false);
    expect(holdsAnyOf(join(root, "missing"), [join(root, "missing", "state")])).toBe(false);
  });

  test.skipIf(!asRoot)(
    "a dir the user may not read is an error that says so, not 'holds nothing'",
    async () => {
      const dir = join(root, "private");
      mkdirSync(join(dir, "state"), { recursive: true, mode: 0o700 });
      chmodSync(root, 0o755);
      const { stdout } = await runAsNobody(
        `holdsAnyOf(${JSON.stringify(dir)}, [${JSON.stringify(join(dir, "state"))}])`,
      );
      expect(stdout).toContain(`cannot read data dir ${dir}: permission denied (uid 65534)`);
    },
  );
});

test("removeGroupAndWorldAccess takes group and world bits off files and dirs below", () => {
  const dir = join(root, "tree");
  mkdirSync(join(dir, "base", "5"), { recursive: true });
  writeFileSync(join(dir, "base", "5", "1259"), "");
  chmodSync(join(dir, "base", "5", "1259"), 0o666);
  chmodSync(join(dir, "base", "5"), 0o700);
  chmodSync(join(dir, "base"), 0o755);
  writeFileSync(join(dir, "PG_VERSION"), "17\n");
  chmodSync(join(dir, "PG_VERSION"), 0o600);
  expect(removeGroupAndWorldAccess(dir)).toBe(2);
  expect(modeOf(join(dir, "base", "5", "1259"))).toBe(0o600);
  expect(modeOf(join(dir, "base"))).toBe(0o700);
  expect(modeOf(join(dir, "PG_VERSION"))).toBe(0o600);
});

test("NoDataDirError names the dir and how to make one", () => {
  expect(
    new NoDataDirError("hub", "/tmp/typo", ["logmaster-hub serve --data-dir /tmp/typo"]).message,
  ).toBe(
    "no hub in /tmp/typo: it holds no hub data (run 'logmaster-hub serve --data-dir /tmp/typo' to create one, or check --data-dir)",
  );
  expect(octalMode(0o40755)).toBe("0755");
});
