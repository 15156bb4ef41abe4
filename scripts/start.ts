/**
 * `bun run start`: the zero-setup product on one machine. A hub on embedded
 * PostgreSQL (PGlite) with its own development CA, and a local agent enrolled
 * to it on first start, all on unprivileged loopback ports. Data stays in
 * ./data (hub in data/hub, agent in data/agent), so a second start resumes.
 *
 *   bun run start [--data-dir ./data] [--udp-port 5514] [--ingest-port 8443] [--http-port 8080]
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startAgent } from "../agent/src/agent.ts";
import { enrollAgent } from "../agent/src/enroll/enroll.ts";
import { identityPaths } from "../agent/src/enroll/identity.ts";
import { startHub } from "../hub/src/index.ts";

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
});

const DEMO_HOTEL = { id: "demo-otel", name: "Demo Otel" };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string" },
      "udp-port": { type: "string" },
      "ingest-port": { type: "string" },
      "http-port": { type: "string" },
      "status-port": { type: "string" },
    },
  });
  const options = optionsSchema.parse(values);
  const dataDir = resolve(options["data-dir"]);
  const hubDir = join(dataDir, "hub");
  const agentDir = join(dataDir, "agent");

  const hub = await startHub({
    dataDir: hubDir,
    ingest: `127.0.0.1:${options["ingest-port"]}`,
    http: `127.0.0.1:${options["http-port"]}`,
    quiet: true,
  });

  if (!existsSync(identityPaths(agentDir).cert)) {
    const hotels = await hub.admin.listHotels();
    if (!hotels.some((hotel) => hotel.id === DEMO_HOTEL.id)) await hub.admin.addHotel(DEMO_HOTEL);
    const { token } = await hub.admin.createToken({ hotel: DEMO_HOTEL.id, ttl_ms: 600_000 });
    const enrolled = await enrollAgent({ token, dataDir: agentDir, hub: hub.ingestUrl });
    console.log(`enrolled the local agent as ${enrolled.agentId} (hotel ${enrolled.hotelId})`);
  }

  const udp = `127.0.0.1:${options["udp-port"]}`;
  const agent = await startAgent({
    dataDir: agentDir,
    udp: { listen: [udp] },
    tcp: { listen: [udp] },
    status: { listen: `127.0.0.1:${options["status-port"]}` },
    hub: { url: hub.ingestUrl },
  });

  const relAgentDir = join(options["data-dir"], "agent");
  const relHubDir = join(options["data-dir"], "hub");
  console.log(`
LogMaster is running (zero-setup: embedded PostgreSQL, development CA).

  hub    ingest (mTLS HTTP/2)  ${hub.ingestUrl}
         API                   ${hub.httpUrl}   (/healthz, /metrics)
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

Ctrl-C stops both.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping: flushing the agent's WAL, closing the hub");
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
