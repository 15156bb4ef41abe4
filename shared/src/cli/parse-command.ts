import { parseArgs } from "node:util";
import { z } from "zod";
import { parseSyslog } from "../syslog/index.ts";
import { readLines } from "./lines.ts";

export const parseUsage = `Usage: logmaster parse [--received-at ISO-TIME] [--utc-offset ±HH:MM] [--pretty]

Reads raw syslog lines on stdin and writes one JSON object per line: the fields
the hub indexes (see docs/fields.md).

  --received-at   when the lines were received; gives the year to timestamps
                  that have none (RFC 3164). Default: now.
  --utc-offset    the device clock's offset from UTC for timestamps without a
                  zone, e.g. +03:00 for Türkiye. Default: +00:00.
  --pretty        indent the JSON (one object spans several lines)`;

const utcOffsetSchema = z
  .string()
  .regex(/^[+-]\d{2}:\d{2}$/, "--utc-offset must look like +03:00 or -05:30")
  .transform((text) => {
    const sign = text.startsWith("-") ? -1 : 1;
    return sign * (Number(text.slice(1, 3)) * 60 + Number(text.slice(4, 6)));
  });

const parseOptionsSchema = z.object({
  "received-at": z.iso
    .datetime({ offset: true, message: "--received-at must be an ISO 8601 time" })
    .transform((text) => new Date(text))
    .optional(),
  "utc-offset": utcOffsetSchema.optional(),
  pretty: z.boolean().default(false),
});

/**
 * `logmaster parse`: stdin lines -> JSON lines on stdout.
 *
 * @example
 * // printf '<134>Jan 15 10:30:45 gw firewall,info ...\n' | bun run logmaster parse
 * await runParseCommand(["--utc-offset", "+03:00"]);
 */
export async function runParseCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "received-at": { type: "string" },
      "utc-offset": { type: "string" },
      pretty: { type: "boolean" },
    },
    strict: true,
  });
  const options = parseOptionsSchema.parse(values);
  const parseOptions = {
    ...(options["received-at"] ? { receivedAt: options["received-at"] } : {}),
    ...(options["utc-offset"] !== undefined
      ? { deviceUtcOffsetMinutes: options["utc-offset"] }
      : {}),
  };
  const out = Bun.stdout.writer();
  for await (const line of readLines(Bun.stdin.stream())) {
    const event = parseSyslog(line, parseOptions);
    out.write(
      options.pretty ? `${JSON.stringify(event, null, 2)}\n` : `${JSON.stringify(event)}\n`,
    );
  }
  await out.flush();
  return 0;
}
