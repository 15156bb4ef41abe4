import { parseArgs } from "node:util";
import { z } from "zod";
import { listenAddressSchema } from "../net/listen-address.ts";
import {
  formatTrafficSummary,
  sendTraffic,
  simulateTraffic,
  type TrafficSummary,
  TrafficTally,
} from "../simulate/index.ts";

export const simulateUsage = `Usage: logmaster simulate --to HOST:PORT [--eps N] [--hotels K] [--duration S] [--count N] [--seed X] [--json]
       logmaster simulate --stdout [--start ISO-TIME] [--eps N] [--hotels K] [--duration S] [--count N] [--seed X]

Sends realistic MikroTik RouterOS syslog (RFC 3164, UDP) from K simulated hotel
routers (otel-1-gw, otel-2-gw, ...): guests' Wi-Fi associations, DHCP leases,
hotspot logins and logouts, srcnat firewall lines, staff logins to the router.
The same seed gives the same traffic. Prints a summary at the end.

  --to        where to send: HOST:PORT or [IPv6]:PORT (an agent's UDP listener)
  --eps       lines per second, all hotels together. Default: 100
  --hotels    how many hotels (1-254; hotel H uses 10.H.0.0/16). Default: 3
  --duration  seconds to run. Default: 10, unless --count is given
  --count     stop after N lines
  --seed      the traffic's seed (an integer). Default: 5651
  --json      print the summary as one JSON object
  --stdout    print the lines instead of sending them, at once (not paced),
              timed from --start (default: now); the summary goes to stderr`;

const integer = (option: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, `${option} must be an integer`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${option} must be between ${min} and ${max}`);

const simulateArgsSchema = z
  .object({
    to: listenAddressSchema("--to", "127.0.0.1:5514").optional(),
    eps: z
      .string()
      .transform(Number)
      .refine((value) => Number.isFinite(value) && value > 0, "--eps must be a number above 0")
      .default(100),
    hotels: integer("--hotels", 1, 254).default(3),
    duration: z
      .string()
      .transform(Number)
      .refine((value) => Number.isFinite(value) && value > 0, "--duration must be seconds above 0")
      .optional(),
    count: integer("--count", 0).optional(),
    seed: integer("--seed", -(2 ** 31), 2 ** 32 - 1).default(5651),
    start: z.iso
      .datetime({ offset: true, message: "--start must be an ISO 8601 time" })
      .transform((text) => Date.parse(text))
      .optional(),
    json: z.boolean().default(false),
    stdout: z.boolean().default(false),
  })
  .refine((args) => args.stdout || args.to, {
    message: "--to HOST:PORT is required (or --stdout to print the lines)",
  })
  .refine((args) => !(args.stdout && args.to), { message: "--to and --stdout exclude each other" })
  .refine((args) => args.stdout || args.start === undefined, {
    message: "--start only goes with --stdout (sent lines are timed by the clock)",
  });

/**
 * `logmaster simulate`: simulated hotel routers' syslog, sent over UDP or printed.
 *
 * @example
 * // bun run logmaster simulate --to 127.0.0.1:5514 --eps 500 --hotels 3 --duration 60
 * await runSimulateCommand(["--to", "127.0.0.1:5514", "--count", "1000"]);
 */
export async function runSimulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      to: { type: "string" },
      eps: { type: "string" },
      hotels: { type: "string" },
      duration: { type: "string" },
      count: { type: "string" },
      seed: { type: "string" },
      start: { type: "string" },
      json: { type: "boolean" },
      stdout: { type: "boolean" },
    },
    strict: true,
  });
  const options = simulateArgsSchema.parse(values);
  const durationMs =
    options.duration !== undefined
      ? options.duration * 1000
      : options.count === undefined
        ? 10_000
        : undefined;
  const traffic = {
    seed: options.seed,
    hotels: options.hotels,
    eps: options.eps,
    ...(options.count !== undefined ? { count: options.count } : {}),
  };
  if (options.to) {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    try {
      const summary = await sendTraffic({
        ...traffic,
        host: options.to.host,
        port: options.to.port,
        ...(durationMs !== undefined ? { durationMs } : {}),
        signal: controller.signal,
      });
      console.log(
        describe(summary, options.json, `sent to ${options.to.host}:${options.to.port}:`),
      );
    } finally {
      process.off("SIGINT", stop);
    }
    return 0;
  }
  const startMs = options.start ?? Date.now();
  const tally = new TrafficTally(options.hotels);
  const out = Bun.stdout.writer();
  let lastMs = startMs;
  for (const line of simulateTraffic({
    ...traffic,
    startMs,
    ...(durationMs !== undefined ? { endMs: startMs + durationMs } : {}),
  })) {
    out.write(`${line.line}\n`);
    tally.add(line);
    lastMs = line.timeMs;
  }
  await out.flush();
  // Simulated seconds: the span the lines cover, one slot past the last.
  const seconds =
    durationMs !== undefined ? durationMs / 1000 : (lastMs - startMs + 1000 / options.eps) / 1000;
  console.error(describe(tally.summary(seconds), options.json, "printed"));
  return 0;
}

function describe(summary: TrafficSummary, json: boolean, verb: string): string {
  return json ? JSON.stringify(summary) : formatTrafficSummary(summary, verb);
}
