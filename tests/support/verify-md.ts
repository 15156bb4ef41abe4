/**
 * Following a VERIFY.md literally: its fenced ```sh blocks, run with bash in
 * the directory it describes, as an auditor would paste them.
 */
import { readdirSync } from "node:fs";
import { runProcess } from "../../shared/src/testing/run-process.ts";

/** The shell blocks of a VERIFY.md, as written, in order. */
export function shellBlocks(verifyMd: string): string[] {
  const blocks = [...verifyMd.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  if (blocks.length === 0) throw new Error("VERIFY.md has no ```sh block");
  return blocks;
}

/** Run a script with `bash -e` (a failing command fails it); stdout and stderr together. */
export async function runInBash(
  script: string,
  cwd: string,
): Promise<{ code: number; output: string }> {
  const { exitCode, stdout, stderr } = await runProcess(["bash", "-e", "-c", script], { cwd });
  return { code: exitCode, output: `${stdout}\n${stderr}` };
}

/**
 * Every file and directory below `dir` (relative paths, sorted): to show that
 * following a VERIFY.md adds nothing to the evidence.
 */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}
