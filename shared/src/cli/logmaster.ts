#!/usr/bin/env bun
/**
 * `logmaster`: the auditor's and the debugger's command line.
 * Subcommands stay in their own modules; this file only dispatches.
 */
import { z } from "zod";
import { parseUsage, runParseCommand } from "./parse-command.ts";

const usage = `Usage: logmaster <command> [options]

Commands:
  parse     raw syslog lines on stdin -> one JSON object per line (the hub's parser)
  verify    check an evidence bundle offline (coming with the auditor's issue)

Run 'logmaster <command> --help' for a command's options.`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  parse: { run: runParseCommand, usage: parseUsage },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`logmaster: unknown command '${name}'\n\n${usage}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    console.error(`logmaster ${name}: ${describeError(error)}\n\n${command.usage}`);
    return 2;
  }
}

/** Turn option errors into one sentence each instead of a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => issue.message).join("; ");
  if (error instanceof Error) return error.message;
  return String(error);
}

process.exitCode = await main(process.argv.slice(2));
