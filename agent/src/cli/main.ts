#!/usr/bin/env bun
/**
 * `logmaster-agent`: run | enroll | status | seal | wal. Each command parses its
 * flags with node:util parseArgs; `run` validates everything with the one zod
 * config schema (agent/src/config).
 */
import { parseArgs } from "node:util";
import { isParseArgsError, runCli } from "../../../shared/src/cli/dispatch.ts";
import { NoDataDirError, usePrivateUmask } from "../../../shared/src/data-dir/index.ts";
import { startAgent } from "../agent.ts";
import { AgentConfigError, loadAgentConfig } from "../config/index.ts";
import { prepareAgentDataDir, requireAgentDataDir } from "../data-dir/index.ts";
import { AgentTelemetry } from "../events/index.ts";
import type { AgentStatus } from "../status/server.ts";
import { agentInfoPath } from "../wal/layout.ts";

const usage = `Usage: logmaster-agent <command> [options]

Commands:
  run      receive syslog, keep it on disk, seal hourly, forward to the hub
           [--config agent.toml] [--data-dir D] [--udp HOST:PORT]... [--tcp HOST:PORT]...
           [--hub URL] [--status HOST:PORT]
  enroll   --token T [--hub URL] [--data-dir D]   get this agent's certificate; when enrolled
           [--force]                               already, a new one for the same agent id and key
                                                   (--force: a new identity instead)
  status   [--data-dir D] [--json]                 ask the running agent
  seal     [--data-dir D]                          seal every ended hour and close the current
                                                   hour's chunk now (its next part takes the rest
                                                   of the hour); push to the hub
  wal      [--data-dir D] [--json]                 count what is on disk (agent may be stopped)

--data-dir defaults to ./data/agent; run and enroll make it (mode 0700), status, seal and wal
need an agent there. Flags override agent.toml.`;

const DEFAULT_DATA_DIR = "./data/agent";

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      "data-dir": { type: "string" },
      udp: { type: "string", multiple: true },
      tcp: { type: "string", multiple: true },
      hub: { type: "string" },
      status: { type: "string" },
    },
    strict: true,
  });
  const config = await loadAgentConfig({
    config: values.config,
    dataDir: values["data-dir"],
    udp: values.udp,
    tcp: values.tcp?.map((value) => value).filter((value) => value !== "off"),
    hub: values.hub,
    status: values.status,
  });
  const agent = await startAgent(config);
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  await agent.stop();
  return 0;
}

async function enrollCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      token: { type: "string" },
      hub: { type: "string" },
      "data-dir": { type: "string" },
      force: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.token)
    throw new AgentConfigError(
      "--token is required (create one with: logmaster-hub token create --hotel H)",
    );
  const dataDir = values["data-dir"] ?? DEFAULT_DATA_DIR;
  prepareAgentDataDir(dataDir, new AgentTelemetry());
  // Enrollment and the WAL inspector load with their commands: `run` keeps them out of memory.
  const { enrollAgent } = await import("../enroll/enroll.ts");
  const result = await enrollAgent({
    token: values.token,
    dataDir,
    ...(values.hub ? { hub: values.hub } : {}),
    replace: values.force === true,
  });
  console.log(
    result.reenrolled
      ? `re-enrolled ${result.agentId} (same key and agent id; hotel ${result.hotelId}); certificate valid until ${result.notAfter.toISOString()}`
      : `enrolled as ${result.agentId} (hotel ${result.hotelId}, chain ${result.chainId}); hub ${result.hub}`,
  );
  console.log(await tellRunningAgent(dataDir));
  return 0;
}

/** Have an agent running on `dataDir` read its new identity; what to tell the operator. */
async function tellRunningAgent(dataDir: string): Promise<string> {
  let url: string;
  try {
    url = await runningAgentUrl(dataDir);
  } catch {
    return "no agent runs on this data dir: start it (systemctl start logmaster-agent)";
  }
  try {
    const response = await fetch(`${url}/identity/reload`, { method: "POST" });
    if (response.ok) return "the running agent now uses it (no restart needed)";
    return `the running agent could not read it (${response.status}): restart it`;
  } catch {
    return "the agent of this data dir did not answer: restart it (systemctl restart logmaster-agent)";
  }
}

async function runningAgentUrl(dataDir: string): Promise<string> {
  requireAgentDataDir(dataDir);
  const file = Bun.file(agentInfoPath(dataDir));
  if (!(await file.exists())) {
    throw new Error(
      `no running agent found for data dir ${dataDir} (${agentInfoPath(dataDir)} is missing)`,
    );
  }
  return (JSON.parse(await file.text()) as { statusUrl: string }).statusUrl;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One listener's kernel drop count for `status`: the count, when the last was seen, or why unknown. */
function kernelDropsText(udp: AgentStatus["receive"]["udp"][number]): string {
  if (udp.kernelDrops === null) return "not measurable on this system";
  if (udp.kernelDrops === 0) return "0";
  return `${udp.kernelDrops} (last ${udp.lastKernelDropAt}; recorded as receive_buffer_overflow gaps; raise udp.recvBufferBytes and net.core.rmem_max)`;
}

async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "data-dir": { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const url = await runningAgentUrl(values["data-dir"] ?? DEFAULT_DATA_DIR);
  const status = (await (await fetch(`${url}/status`)).json()) as AgentStatus;
  if (values.json) {
    console.log(JSON.stringify(status, null, 2));
    return 0;
  }
  const rejected = Object.entries(status.receive.rejectedByReason)
    .map(([reason, count]) => `${reason}=${count}`)
    .join(" ");
  const lines = [
    `agent        ${status.agentId ?? "NOT ENROLLED (logmaster-agent enroll --token ...)"}  pid ${status.pid}, up ${status.uptimeSeconds}s`,
    `received     ${status.receive.received} datagrams, ${status.receive.receivedPerSecond}/s`,
    `dropped      ${rejected || "none"}`,
    `wal          last seq ${status.wal.lastSeq}, open chunk ${status.wal.openChunk ?? "-"} (${mib(status.wal.openChunkBytes)}), disk ${mib(status.wal.diskUsedBytes)} of ${mib(status.wal.maxDiskBytes)}${status.wal.refusing ? "  DISK FULL: refusing datagrams" : ""}`,
    `forward      ${status.forward.hubUrl ?? "no hub"}: ${status.forward.connected ? "connected" : "not connected"}, unsent ${mib(status.forward.unsentBytes)}, last ack ${status.forward.lastAckAt ?? "never"}${status.forward.lastError ? `, last error: ${status.forward.lastError}` : ""}`,
    `sealed       up to ${status.chain.lastSealedChunk ?? "-"}; ${status.forward.chunksPendingSeal} sealed chunk(s) awaiting the hub's verdict`,
    `certificate  ${certificateText(status)}`,
  ];
  for (const udp of status.receive.udp) {
    lines.push(
      `udp          ${udp.listen} (port ${udp.port}, ${udp.path}${udp.fallbackReason ? `: ${udp.fallbackReason}` : ""}) receive buffer ${mib(udp.recvBufferEffectiveBytes)}${udp.recvBufferCapped ? ` CAPPED by the kernel: ${udp.hint}` : ""}`,
      `               kernel drops ${kernelDropsText(udp)}`,
    );
  }
  for (const tcp of status.receive.tcp) lines.push(`tcp          ${tcp.listen} (port ${tcp.port})`);
  console.log(lines.join("\n"));
  return 0;
}

function certificateText(status: AgentStatus): string {
  if (!status.certificateExpiresAt) return "-";
  const renewal = status.certificateRenewal;
  const parts = [`expires ${status.certificateExpiresAt}`];
  if (renewal.dueAt) parts.push(`renews from ${renewal.dueAt}`);
  if (renewal.lastRenewedAt) parts.push(`last renewed ${renewal.lastRenewedAt}`);
  if (renewal.lastError) parts.push(`RENEWAL FAILING: ${renewal.lastError}`);
  return parts.join(", ");
}

async function sealCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { "data-dir": { type: "string" } }, strict: true });
  const url = await runningAgentUrl(values["data-dir"] ?? DEFAULT_DATA_DIR);
  const response = await fetch(`${url}/seal`, { method: "POST" });
  const body = (await response.json()) as {
    sealed?: string[];
    open?: string | null;
    enrolled?: boolean;
    reason?: string;
  };
  if (!response.ok) throw new Error(`the agent could not seal: ${body.reason ?? response.status}`);
  if (body.enrolled === false) {
    throw new Error("not enrolled: nothing can be signed yet (logmaster-agent enroll --token ...)");
  }
  const sealed = body.sealed ?? [];
  console.log(
    sealed.length > 0
      ? `sealed ${sealed.join(", ")}; sending to the hub`
      : "nothing to seal (the open chunk was closed a moment ago)",
  );
  if (body.open) console.log(`new records go to ${body.open}`);
  return 0;
}

async function walCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "data-dir": { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const dataDir = values["data-dir"] ?? DEFAULT_DATA_DIR;
  requireAgentDataDir(dataDir);
  const { inspectWal } = await import("./wal-inspect.ts");
  const inventory = await inspectWal(dataDir);
  if (values.json) {
    console.log(JSON.stringify(inventory));
    return 0;
  }
  console.log(
    `${inventory.records} records in ${inventory.chunks} chunks (${inventory.sealed_chunks} sealed), seq ${inventory.first_seq ?? "-"}..${inventory.last_seq ?? "-"}, ${mib(inventory.bytes)}`,
  );
  for (const chunk of inventory.by_chunk) {
    console.log(
      `  ${chunk.chunk.padEnd(16)} from ${chunk.window_start}  ${String(chunk.records).padStart(9)} records  ${mib(chunk.bytes).padStart(10)}  ${chunk.sealed ? "sealed" : "open"}`,
    );
  }
  return 0;
}

if (import.meta.main) {
  // Keys, the WAL and its state: this user's alone.
  usePrivateUmask();
  process.exitCode = await runCli(
    {
      name: "logmaster-agent",
      usage,
      commands: {
        run: runCommand,
        enroll: enrollCommand,
        status: statusCommand,
        seal: sealCommand,
        wal: walCommand,
      },
      // 2: the call was wrong (flags, config); 1: it failed (no running agent, hub refused).
      exitCodeFor: (error) =>
        error instanceof AgentConfigError ||
        error instanceof NoDataDirError ||
        isParseArgsError(error)
          ? 2
          : 1,
    },
    process.argv.slice(2),
  );
}
