/**
 * The `main(argv)` of LogMaster's command lines (`logmaster`, `logmaster-agent`,
 * `logmaster-hub`): pick the subcommand, answer `--help`, and turn a thrown
 * error into one sentence on stderr and an exit code instead of a stack trace.
 */
import { z } from "zod";

/** A subcommand: gets the arguments after its name, resolves with the exit code. */
export type CommandRun = (args: string[]) => Promise<number>;

export interface CliCommand {
  run: CommandRun;
  /** Its own usage, shown for `<command> --help` and after its errors. Default: the CLI's usage. */
  usage?: string;
}

export interface CliSpec {
  /** The program's name, the first word of its messages (`logmaster-agent`). */
  name: string;
  /** The whole CLI's usage: shown for `--help`, no command or an unknown one. */
  usage: string;
  commands: Record<string, CliCommand | CommandRun>;
  /** The exit code for a command that threw. Default 2 (the way it was called is wrong). */
  exitCodeFor?: (error: unknown) => number;
}

const HELP_FLAGS = ["--help", "-h"];

/**
 * Run the subcommand `argv` names and return the exit code: 0 for help, 2 for
 * no command (after the usage), an unknown one or, by default, a command that
 * threw (`<name> <command>: <reason>` on stderr, then the command's own usage
 * when it has one).
 *
 * @example
 * process.exitCode = await runCli(
 *   { name: "logmaster", usage, commands: { parse: { run: runParseCommand, usage: parseUsage } } },
 *   process.argv.slice(2),
 * );
 */
export async function runCli(spec: CliSpec, argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || HELP_FLAGS.includes(name)) {
    console.log(spec.usage);
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(spec.commands, name) ? spec.commands[name] : undefined;
  if (!entry) {
    console.error(`${spec.name}: unknown command '${name}'\n\n${spec.usage}`);
    return 2;
  }
  const command = typeof entry === "function" ? { run: entry } : entry;
  if (args.some((arg) => HELP_FLAGS.includes(arg))) {
    console.log(command.usage ?? spec.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const usage = command.usage ? `\n\n${command.usage}` : "";
    console.error(`${spec.name} ${name}: ${describeError(error)}${usage}`);
    return spec.exitCodeFor?.(error) ?? 2;
  }
}

/**
 * One sentence for an error: a zod error's messages joined by `; ` (they name
 * the option), else the error's message.
 *
 * @example
 * describeError(schema.safeParse(values).error) // "--utc-offset must look like +03:00 or -05:30"
 */
export function describeError(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => issue.message).join("; ");
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    // drizzle wraps the database's answer as `cause`; its own "Failed query: <sql>" says less.
    if (cause && error.message.startsWith("Failed query:")) return `the database refused: ${cause}`;
    return cause ? `${error.message}: ${cause}` : error.message;
  }
  return String(error);
}

/**
 * Whether node:util `parseArgs` threw it (an unknown option, a missing value).
 *
 * @example
 * exitCodeFor: (error) => (isParseArgsError(error) ? 2 : 1)
 */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
