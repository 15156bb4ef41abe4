/** What a finished process printed and how it exited. */
export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to its end and collect both streams. Asynchronous on purpose:
 * the caller's event loop keeps running (a hub under test in the same process
 * must keep answering the command it runs).
 *
 * @example
 * const { exitCode, stdout } = await runProcess(["openssl", "version"]);
 */
export async function runProcess(
  command: string[],
  options: { cwd?: string } = {},
): Promise<ProcessResult> {
  const child = Bun.spawn(command, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}
