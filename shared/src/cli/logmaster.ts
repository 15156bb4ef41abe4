#!/usr/bin/env bun
/**
 * `logmaster`: the auditor's and the debugger's command line.
 * Subcommands stay in their own modules; this file only dispatches.
 */
import { runCli } from "./dispatch.ts";
import { parseUsage, runParseCommand } from "./parse-command.ts";
import { runSimulateCommand, simulateUsage } from "./simulate-command.ts";

const usage = `Usage: logmaster <command> [options]

Commands:
  parse     raw syslog lines on stdin -> one JSON object per line (the hub's parser)
  verify    check evidence bundles offline: hashes, signature, certificates, time-stamp, hash chain
  simulate  send realistic hotel RouterOS syslog over UDP (or print it), deterministic for a seed

Run 'logmaster <command> --help' for a command's options.`;

process.exitCode = await runCli(
  {
    name: "logmaster",
    usage,
    commands: {
      parse: { run: runParseCommand, usage: parseUsage },
      simulate: { run: runSimulateCommand, usage: simulateUsage },
      // Loaded here, not imported above: `parse` need not load the verifier's X.509/CMS code.
      verify: (await import("./verify-command.ts")).verifyCommand,
    },
  },
  process.argv.slice(2),
);
