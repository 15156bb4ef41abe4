import { encodePrometheus, type MetricFamily } from "../../../shared/src/metrics/prometheus.ts";
import type { RenewalState } from "../enroll/renew.ts";
import type { AgentTelemetry } from "../events/index.ts";
import type { UdpReceivePath } from "../source/udp.ts";

/** What `logmaster-agent status` shows; served as JSON at GET /status. */
export interface AgentStatus {
  pid: number;
  startedAt: string;
  agentTime: string;
  enrolled: boolean;
  agentId: string | null;
  certificateExpiresAt: string | null;
  certificateRenewal: RenewalState;
  receive: {
    received: number;
    receivedPerSecond: number;
    rejectedByReason: Record<string, number>;
    udp: Array<{
      listen: string;
      port: number;
      /** How the socket is read: recvmmsg through bun:ffi, or node:dgram. */
      path: UdpReceivePath;
      /** Why this listener is on node:dgram when recvmmsg was wanted. */
      fallbackReason?: string;
      recvBufferEffectiveBytes: number;
      recvBufferCapped: boolean;
      /** Datagrams the kernel dropped on this socket since start (buffer full); null = cannot be measured here. */
      kernelDrops: number | null;
      lastKernelDropAt: string | null;
      hint?: string;
    }>;
    tcp: Array<{ listen: string; port: number }>;
  };
  wal: {
    lastSeq: number;
    /** The chunk taking new records (`YYYY-MM-DDTHH` or `YYYY-MM-DDTHH.N`). */
    openChunk: string | null;
    openChunkBytes: number;
    diskUsedBytes: number;
    maxDiskBytes: number;
    refusing: boolean;
    recordsCutAtStart: number;
  };
  forward: {
    hubUrl: string | null;
    connected: boolean;
    unsentBytes: number;
    lastAckAt: string | null;
    lastError: string | null;
    chunksPendingSeal: number;
  };
  chain: { lastSealedChunk: string | null };
  uptimeSeconds: number;
}

export interface StatusServerOptions {
  host: string;
  port: number;
  telemetry: AgentTelemetry;
  status: () => AgentStatus;
  /** `POST /seal`: what `logmaster-agent seal` asks the running agent to do. */
  seal: () => Promise<object>;
  /** `POST /identity/reload`: `logmaster-agent enroll` tells the running agent to read its new certificate. */
  reloadIdentity: () => Promise<object>;
}

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "gauge", samples: [{ value }] };
}

/** Gauges from a status snapshot. */
function gaugeFamilies(status: AgentStatus): MetricFamily[] {
  const p = "logmaster_agent_";
  return [
    gauge(`${p}wal_disk_used_bytes`, "Bytes used under chunks/", status.wal.diskUsedBytes),
    gauge(`${p}wal_disk_max_bytes`, "Disk budget (wal.maxDiskBytes)", status.wal.maxDiskBytes),
    gauge(`${p}wal_last_seq`, "Last seq written", status.wal.lastSeq),
    gauge(
      `${p}wal_refusing`,
      "1 while datagrams are refused (disk budget full)",
      status.wal.refusing ? 1 : 0,
    ),
    gauge(
      `${p}forward_unsent_bytes`,
      "Durable bytes the hub has not acknowledged",
      status.forward.unsentBytes,
    ),
    gauge(
      `${p}forward_connected`,
      "1 when the last hub request succeeded",
      status.forward.connected ? 1 : 0,
    ),
    gauge(
      `${p}chunks_pending_seal_verdict`,
      "Sealed chunks without a hub verdict yet",
      status.forward.chunksPendingSeal,
    ),
    gauge(
      `${p}udp_recv_buffer_capped`,
      "1 when the kernel gave a smaller UDP receive buffer than configured",
      status.receive.udp.some((udp) => udp.recvBufferCapped) ? 1 : 0,
    ),
    gauge(
      `${p}certificate_expiry_seconds`,
      "Seconds until the agent certificate expires (0 when not enrolled)",
      status.certificateExpiresAt
        ? Math.round((Date.parse(status.certificateExpiresAt) - Date.now()) / 1000)
        : 0,
    ),
  ];
}

/**
 * The local status and control server (keep it on loopback): `GET /status`
 * (JSON), `GET /metrics` (Prometheus text), `GET /healthz`, `POST /seal`,
 * `POST /identity/reload` (reads identity/ from the data dir again; nothing
 * from the request).
 *
 * @example
 * const server = startStatusServer({ host: "127.0.0.1", port: 5141, telemetry, status, seal });
 * console.log(server.url); // http://127.0.0.1:5141
 */
export function startStatusServer(options: StatusServerOptions) {
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    fetch: async (request) => {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === "/status")
        return Response.json(options.status());
      if (request.method === "GET" && pathname === "/metrics") {
        const text = encodePrometheus([
          ...options.telemetry.counterFamilies(),
          ...gaugeFamilies(options.status()),
        ]);
        return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4" } });
      }
      if (request.method === "GET" && pathname === "/healthz") {
        const status = options.status();
        const healthy = !status.wal.refusing;
        return Response.json(
          { status: healthy ? "ok" : "degraded", refusing: status.wal.refusing },
          { status: healthy ? 200 : 503 },
        );
      }
      if (request.method === "POST" && pathname === "/seal") {
        try {
          return Response.json(await options.seal());
        } catch (error) {
          return Response.json({ error: "seal_failed", reason: String(error) }, { status: 500 });
        }
      }
      if (request.method === "POST" && pathname === "/identity/reload") {
        try {
          return Response.json(await options.reloadIdentity());
        } catch (error) {
          return Response.json({ error: "reload_failed", reason: String(error) }, { status: 500 });
        }
      }
      return Response.json({ error: "not_found" }, { status: 404 });
    },
  });
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port ?? options.port,
    stop: () => server.stop(true),
  };
}
