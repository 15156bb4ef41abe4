/**
 * `bun run start`: the zero-setup product on one machine. A hub on embedded
 * PostgreSQL (PGlite) with its own development CA, and a local agent enrolled
 * to it on first start, all on unprivileged loopback ports. Data stays in
 * ./data (hub in data/hub, agent in data/agent), so a second start resumes.
 *
 * Unless `--no-demo`, three demo hotels get an agent each (data/demo/<hotel>,
 * free loopback ports), fed by `logmaster simulate` at a modest rate, so there
 * is guest traffic to look at within a minute.
 *
 * The dashboard (dashboard/) is built first when its build is missing or
 * stale, and served by the hub at its API address. In zero-setup mode a demo
 * chain admin (and, with the demo, a manager of antalya-lara) can sign in:
 * their passwords are generated once and kept in data/hub/demo-logins.json (0600).
 *
 *   bun run start [--no-demo] [--data-dir ./data] [--udp-port 5514] [--ingest-port 8443] [--http-port 8080]
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type RunningAgent, startAgent } from "../agent/src/agent.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import { identityPaths } from "../agent/src/enroll/identity.ts";
import { type RunningHub, startHub } from "../hub/src/index.ts";
import { sendTraffic } from "../shared/src/simulate/index.ts";
import { dashboardIsStale, ensureDashboardBuilt } from "./dashboard-build.ts";

const port = (flag: string) =>
  z.coerce
    .number()
    .int()
    .min(1, `${flag} must be a port number`)
    .max(65535, `${flag} must be a port number`);

const optionsSchema = z.object({
  "data-dir": z.string().min(1).default("./data"),
  "udp-port": port("--udp-port").default(5514),
  "ingest-port": port("--ingest-port").default(8443),
  "http-port": port("--http-port").default(8080),
  "status-port": port("--status-port").default(5141),
  "no-demo": z.boolean().default(false),
});

const DEMO_HOTEL = { id: "demo-otel", name: "Demo Otel" };

/** The simulator's hotels 1..3, each with its own agent, as a chain's hotels would be. */
const DEMO_CHAIN = [
  { id: "antalya-lara", name: "Lara Beach Otel (Antalya)" },
  { id: "istanbul-sisli", name: "Şişli Business Otel (İstanbul)" },
  { id: "izmir-alsancak", name: "Alsancak Otel (İzmir)" },
];
/** Lines per second over the three demo hotels: a quiet night at three small hotels. */
const DEMO_EPS = 30;

/** The demo's sign-ins (zero-setup only): a chain admin, and a manager of the first demo hotel. */
const DEMO_USERS = [
  { username: "demo-admin", role: "chain_admin" as const, hotels: [] as string[] },
  { username: "demo-manager", role: "hotel_manager" as const, hotels: ["antalya-lara"] },
];
const demoLoginsSchema = z.record(z.string(), z.string());

/**
 * The demo accounts with their passwords: made (or given a new password,
 * when the file that kept it is gone) on first start and kept in
 * `<hub data dir>/demo-logins.json` (0600), so every start prints the same ones.
 */
async function ensureDemoLogins(
  hub: RunningHub,
  hubDir: string,
  users: typeof DEMO_USERS,
): Promise<Record<string, string>> {
  const file = join(hubDir, "demo-logins.json");
  const kept = existsSync(file)
    ? demoLoginsSchema.parse(JSON.parse(readFileSync(file, "utf8")))
    : {};
  const existing = new Set((await hub.admin.listUsers()).map((user) => user.username));
  const logins: Record<string, string> = {};
  for (const user of users) {
    const password = kept[user.username];
    if (password && existing.has(user.username)) {
      logins[user.username] = password;
      continue;
    }
    const actor = "start:demo";
    const answer = existing.has(user.username)
      ? await hub.admin.resetPassword({ username: user.username, actor })
      : await hub.admin.addUser({ ...user, actor });
    if (answer.generated_password) logins[user.username] = answer.generated_password;
  }
  writeFileSync(file, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return logins;
}

/** Enroll an agent for `hotel` in `agentDir` unless it has an identity already. */
async function ensureEnrolled(
  hub: RunningHub,
  hotel: { id: string; name: string },
  agentDir: string,
): Promise<string | undefined> {
  if (existsSync(identityPaths(agentDir).cert)) return undefined;
  const hotels = await hub.admin.listHotels();
  if (!hotels.some((row) => row.id === hotel.id)) await hub.admin.addHotel(hotel);
  const { token } = await hub.admin.createToken({
    hotel: hotel.id,
    ttl_ms: 600_000,
    actor: "start:demo",
  });
  const enrolled = await enrollAgent({ token, dataDir: agentDir, hub: hub.ingestUrl });
  return enrolled.agentId;
}

/**
 * The demo chain: one agent per demo hotel on free loopback ports, and the
 * simulator sending each hotel's router lines to its agent. Returns a stop.
 */
async function startDemoChain(hub: RunningHub, dataDir: string): Promise<() => Promise<void>> {
  const agents: RunningAgent[] = [];
  for (const hotel of DEMO_CHAIN) {
    const agentDir = join(dataDir, "demo", hotel.id);
    await ensureEnrolled(hub, hotel, agentDir);
    agents.push(
      await startAgent({
        dataDir: agentDir,
        udp: { listen: ["127.0.0.1:0"] },
        tcp: { listen: [] },
        status: { listen: "127.0.0.1:0" },
        hub: { url: hub.ingestUrl },
      }),
    );
  }
  const stopFeed = new AbortController();
  const feeding = sendTraffic({
    host: "127.0.0.1",
    port: agents[0]?.udpPort ?? 0,
    portOfHotel: (hotel) => agents[hotel - 1]?.udpPort ?? 0,
    hotels: agents.length,
    eps: DEMO_EPS,
    seed: Date.now() % 1_000_000,
    durationMs: 365 * 86_400_000,
    signal: stopFeed.signal,
  });
  return async () => {
    stopFeed.abort();
    await feeding;
    for (const agent of agents) await agent.stop();
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string" },
      "udp-port": { type: "string" },
      "ingest-port": { type: "string" },
      "http-port": { type: "string" },
      "status-port": { type: "string" },
      "no-demo": { type: "boolean" },
    },
  });
  const options = optionsSchema.parse(values);
  const dataDir = resolve(options["data-dir"]);
  const hubDir = join(dataDir, "hub");
  const agentDir = join(dataDir, "agent");

  // The dashboard the hub serves at `/`: built when missing or older than its sources.
  if (dashboardIsStale()) console.log("building the dashboard (dashboard/ -> dashboard/dist)…");
  const dashboard = await ensureDashboardBuilt().then(
    () => "ready",
    (error: unknown) => {
      console.error(`bun run start: ${(error as Error).message}`);
      return "not built (see the error above; the API works without it)";
    },
  );

  const hub = await startHub({
    dataDir: hubDir,
    ingest: `127.0.0.1:${options["ingest-port"]}`,
    http: `127.0.0.1:${options["http-port"]}`,
    quiet: true,
  });

  const enrolledId = await ensureEnrolled(hub, DEMO_HOTEL, agentDir);
  if (enrolledId) console.log(`enrolled the local agent as ${enrolledId} (hotel ${DEMO_HOTEL.id})`);

  const udp = `127.0.0.1:${options["udp-port"]}`;
  const agent = await startAgent({
    dataDir: agentDir,
    udp: { listen: [udp] },
    tcp: { listen: [udp] },
    status: { listen: `127.0.0.1:${options["status-port"]}` },
    hub: { url: hub.ingestUrl },
  });

  const stopDemo = options["no-demo"] ? undefined : await startDemoChain(hub, dataDir);
  // Zero-setup only: a production hub's accounts are its admins' business.
  const logins =
    hub.config.databaseUrl === undefined
      ? await ensureDemoLogins(
          hub,
          hubDir,
          DEMO_USERS.filter((user) => stopDemo || user.hotels.length === 0),
        )
      : {};
  const loginLines = Object.entries(logins)
    .map(([username, password]) => `\n         sign in as            ${username} / ${password}`)
    .join("");

  const relAgentDir = join(options["data-dir"], "agent");
  const relHubDir = join(options["data-dir"], "hub");
  // Whole minutes, so the printed commands are easy to read and to edit.
  const minute = (offsetMs: number) =>
    `${new Date(Date.now() + offsetMs).toISOString().slice(0, 16)}:00Z`;
  const searchFrom = minute(-3_600_000);
  const searchTo = minute(3_600_000);
  console.log(`
LogMaster is running (zero-setup: embedded PostgreSQL, development CA).

  hub    dashboard             ${hub.httpUrl}/   (${dashboard})${loginLines}
         ingest (mTLS HTTP/2)  ${hub.ingestUrl}
         API                   ${hub.httpUrl}/api/docs   (/healthz, /metrics)
         data                  ${relHubDir}
  agent  syslog UDP + TCP      ${udp}
         status                ${agent.statusUrl}   (/status, /metrics, /healthz)
         data                  ${relAgentDir}

Send it a line, as a MikroTik would:
  logger -n 127.0.0.1 -P ${options["udp-port"]} -d 'firewall,info forward: in:bridge out:ether1, proto TCP (SYN), 192.168.88.10:52345->8.8.8.8:443, len 60'

See it arrive:
  bun run logmaster-agent status --data-dir ${relAgentDir}
  bun run logmaster-agent wal --data-dir ${relAgentDir}
Seal the open chunk now and have the hub verify it:
  bun run logmaster-agent seal --data-dir ${relAgentDir}
  bun run logmaster-hub chunk list --data-dir ${relHubDir}

${
  stopDemo
    ? `Demo chain: ${DEMO_CHAIN.map((hotel) => hotel.id).join(", ")} each have an agent (${join(options["data-dir"], "demo")}),
fed by the traffic simulator at ${DEMO_EPS} lines/s in all (guest DHCP leases, hotspot logins, NAT).
See what arrived: bun run logmaster-hub agent list --data-dir ${relHubDir}
(bun run start -- --no-demo leaves the demo out.)

Search it (indexed within seconds of arriving):
  bun run logmaster-hub search --data-dir ${relHubDir} --hotel antalya-lara --from ${searchFrom} --to ${searchTo} --text assigned --limit 5
Then answer a prosecutor: who had one of those addresses, at a time it was leased?
  bun run logmaster-hub lookup ip 10.1.x.y --at ${minute(0)} --hotel antalya-lara --data-dir ${relHubDir}
The same under the API: ${hub.httpUrl}/api/search, /api/lookup/ip, /api/tail (live), with
  Authorization: Bearer $(cat ${join(relHubDir, "admin-credential")})   (docs/search.md)
`
    : ""
}
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping: flushing the agent's WAL, closing the hub");
    await stopDemo?.();
    await agent.stop();
    await hub.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const message =
    error instanceof z.ZodError
      ? error.issues.map((issue) => issue.message).join("; ")
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`bun run start: ${message}`);
  if (/EADDRINUSE|address already in use/i.test(message)) {
    console.error(
      "a port is taken: is LogMaster already running? Or pick others with --udp-port, --ingest-port, --http-port, --status-port",
    );
  }
  process.exit(1);
});
