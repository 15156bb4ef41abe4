import { rmSync } from "node:fs";
import { usePrivateUmask } from "../../shared/src/data-dir/index.ts";
import { pruneVerifiedChunks } from "./chunk/prune.ts";
import { readChainState, Sealer, type SealNowResult, sealedUntilUs } from "./chunk/sealer.ts";
import {
  type AgentConfig,
  type AgentConfigInput,
  parseAgentConfig,
  parseListenAddress,
} from "./config/index.ts";
import { prepareAgentDataDir } from "./data-dir/index.ts";
import { type AgentIdentity, loadIdentity } from "./enroll/identity.ts";
import { RenewalScheduler } from "./enroll/renew.ts";
import { AgentTelemetry, type LogSink } from "./events/index.ts";
import { Forwarder } from "./forward/forwarder.ts";
import { ReceiveClock } from "./source/clock.ts";
import { KernelDropMonitor } from "./source/kernel-drops.ts";
import { startTcpReceiver, type TcpReceiver } from "./source/tcp.ts";
import { openUdpReceiver, rmemHint, type UdpReceiver } from "./source/udp.ts";
import { type AgentStatus, startStatusServer } from "./status/server.ts";
import { writeFileAtomic } from "./wal/atomic.ts";
import { agentInfoPath } from "./wal/layout.ts";
import { Wal } from "./wal/wal.ts";

/** Test and embedding hooks; production leaves them out. */
export interface AgentRuntimeOptions {
  /** Replace the receive clock (µs since epoch), e.g. to cross an hour in a test. */
  nowUs?: () => number;
  /** Where event log lines go (default stderr). */
  log?: LogSink;
  /** How often the kernel's UDP drop counters are read (default 1 s). */
  kernelDropIntervalMs?: number;
}

/** A running agent. */
export interface RunningAgent {
  /** First UDP listener's bound port (0 in the config = a free port). */
  udpPort: number;
  /** First TCP listener's bound port, or null when TCP is off. */
  tcpPort: number | null;
  statusUrl: string;
  telemetry: AgentTelemetry;
  /**
   * `logmaster-agent seal`: seal every ended hour and close the current
   * hour's open chunk now (early seal: later datagrams of the hour go to its
   * next part), then wake the forwarder to send the rest and the seals to the
   * hub. Resolves with the chunk ids sealed (it does not wait for the hub).
   */
  seal(): Promise<SealNowResult>;
  status(): AgentStatus;
  /** Close the listeners, flush + fsync the WAL, stop the forwarder. */
  stop(): Promise<void>;
}

/**
 * Start the whole pipeline: receivers -> WAL -> sealer (hourly, and early on
 * `seal`) -> forwarder,
 * plus the local status server.
 *
 * @example
 * const agent = await startAgent({ dataDir, udp: { listen: "127.0.0.1:0" }, tcp: { listen: [] }, status: { listen: "127.0.0.1:0" } });
 * // send syslog to agent.udpPort ...
 * await agent.stop();
 */
export async function startAgent(
  input: AgentConfig | AgentConfigInput,
  runtime: AgentRuntimeOptions = {},
): Promise<RunningAgent> {
  const config = parseAgentConfig(input);
  const startedAt = new Date();
  // Here too, not only in the CLI: whatever embeds an agent (scripts/start.ts,
  // tests) is an agent process, and its keys and WAL must not be readable by others.
  usePrivateUmask();
  const telemetry = new AgentTelemetry(runtime.log);
  prepareAgentDataDir(config.dataDir, telemetry);
  const clock = new ReceiveClock((byUs) => telemetry.emit("ClockStepBack", {}, { byUs }));
  const nowUs = runtime.nowUs ?? (() => clock.nowUs());
  let identity: AgentIdentity | undefined = await loadIdentity(config.dataDir);

  const chainState = await readChainState(config.dataDir);
  const wal = await Wal.open({
    ...config.wal,
    dataDir: config.dataDir,
    telemetry,
    nowUs,
    ...(chainState ? { sealedUntilUs: sealedUntilUs(chainState) } : {}),
  });
  const forwarder = await Forwarder.open({
    ...config.hub,
    hubUrl: config.hub.url,
    dataDir: config.dataDir,
    wal,
    telemetry,
    identity: () => identity,
    nowUs,
    agentStats: () => {
      const walStats = wal.stats();
      return {
        received: telemetry.count("DatagramReceived"),
        written: telemetry.count("DatagramReceived"),
        dropped: telemetry.countsBy("DatagramRejected", "reason"),
        wal_bytes: walStats.diskUsedBytes,
        last_seq: wal.lastSeq,
        disk_used_bytes: walStats.diskUsedBytes,
        disk_max_bytes: walStats.maxDiskBytes,
        refusing: walStats.refusing,
      };
    },
  });
  const sealer = await Sealer.open({
    dataDir: config.dataDir,
    wal,
    telemetry,
    nowUs,
    identity: () => identity,
    onSealed: () => forwarder.wake(),
  });
  wal.onDurable(() => forwarder.wake());

  const sink = runtime.nowUs
    ? (datagram: Parameters<typeof wal.append>[0]) =>
        wal.append({ ...datagram, receivedAtUs: nowUs() })
    : (datagram: Parameters<typeof wal.append>[0]) => wal.append(datagram);
  const udp: UdpReceiver[] = [];
  /** Per UDP listener, why it is not on the recvmmsg path (undefined when it is, or was told not to). */
  const udpFallbacks: (string | undefined)[] = [];
  const tcp: TcpReceiver[] = [];
  const onReceiverError = (error: Error) =>
    telemetry.emit("ReceiverError", {}, { error: error.message });
  try {
    for (const listen of config.udp.listen) {
      const { receiver, fallbackReason } = await openUdpReceiver({
        address: parseListenAddress(listen),
        recvBufferBytes: config.udp.recvBufferBytes,
        nowUs,
        sink: wal,
        onError: onReceiverError,
        onTruncated: (detail) =>
          telemetry.emit("DatagramRejected", { reason: "datagram_truncated" }, detail),
        path: config.udp.receivePath,
      });
      telemetry.info("UDP listener", {
        listen,
        path: receiver.path,
        ...(fallbackReason ? { fallbackReason } : {}),
        recvBufferEffectiveBytes: receiver.recvBufferEffectiveBytes,
      });
      if (receiver.recvBufferCapped) {
        telemetry.info("UDP receive buffer capped by the kernel", {
          listen,
          requestedBytes: config.udp.recvBufferBytes,
          effectiveBytes: receiver.recvBufferEffectiveBytes,
          hint: rmemHint(config.udp.recvBufferBytes),
        });
      }
      udp.push(receiver);
      udpFallbacks.push(fallbackReason);
    }
    for (const listen of config.tcp.listen) {
      tcp.push(
        await startTcpReceiver(
          parseListenAddress(listen),
          config.tcp.maxFrameBytes,
          clock,
          sink,
          (reason, detail) => telemetry.emit("DatagramRejected", { reason }, detail),
        ),
      );
    }
  } catch (error) {
    await Promise.all([...udp, ...tcp].map((receiver) => receiver.close()));
    await wal.close();
    throw error;
  }

  const kernelDrops = new KernelDropMonitor({
    listeners: udp.map((receiver, i) => ({
      listen: config.udp.listen[i] ?? "",
      boundAddress: receiver.boundAddress,
      port: receiver.port,
      ipv6: receiver.address.ipv6,
    })),
    telemetry,
    recordGap: (gap) => wal.recordGap(gap),
    nowUs,
    ...(runtime.kernelDropIntervalMs ? { intervalMs: runtime.kernelDropIntervalMs } : {}),
  });

  const prune = () => {
    const freed = pruneVerifiedChunks(
      config.dataDir,
      forwarder.state,
      { retentionHours: config.wal.retentionHours, underPressure: wal.stats().refusing },
      telemetry,
    );
    if (freed > 0) {
      wal.releaseDiskBytes(freed);
      wal.resumeIfRoom();
    }
  };
  const housekeeping = setInterval(prune, 60_000);
  const renewal = new RenewalScheduler({
    dataDir: config.dataDir,
    identity: () => identity,
    hubUrl: () => forwarder.stats().hubUrl,
    telemetry,
    onRenewed: (renewed) => {
      identity = renewed;
    },
  });

  const status = (): AgentStatus => {
    wal.flush(); // "received" then never counts a datagram that is not written yet
    const walStats = wal.stats();
    const forward = forwarder.stats();
    const elapsedS = Math.max(1, (Date.now() - startedAt.getTime()) / 1000);
    const received = telemetry.count("DatagramReceived");
    return {
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      agentTime: new Date(nowUs() / 1000).toISOString(),
      enrolled: identity !== undefined,
      agentId: identity?.agent_id ?? null,
      certificateExpiresAt: identity?.notAfter.toISOString() ?? null,
      certificateRenewal: renewal.state,
      receive: {
        received,
        receivedPerSecond: rate.perSecond(),
        rejectedByReason: telemetry.countsBy("DatagramRejected", "reason"),
        udp: udp.map((receiver, i) => ({
          listen: config.udp.listen[i] ?? "",
          port: receiver.port,
          path: receiver.path,
          ...(udpFallbacks[i] ? { fallbackReason: udpFallbacks[i] } : {}),
          recvBufferEffectiveBytes: receiver.recvBufferEffectiveBytes,
          recvBufferCapped: receiver.recvBufferCapped,
          ...kernelDrops.stats(i),
          ...(receiver.recvBufferCapped ? { hint: rmemHint(config.udp.recvBufferBytes) } : {}),
        })),
        tcp: tcp.map((receiver, i) => ({
          listen: config.tcp.listen[i] ?? "",
          port: receiver.port,
        })),
      },
      wal: {
        lastSeq: walStats.lastSeq,
        openChunk: walStats.openChunk,
        openChunkBytes: walStats.writtenBytes,
        diskUsedBytes: walStats.diskUsedBytes,
        maxDiskBytes: walStats.maxDiskBytes,
        refusing: walStats.refusing,
        recordsCutAtStart: walStats.recordsCutAtStart,
      },
      forward: {
        hubUrl: forward.hubUrl,
        connected: forward.connected,
        unsentBytes: forward.unsentBytes,
        lastAckAt: forward.lastAckAt,
        lastError: forward.lastError,
        chunksPendingSeal: forward.chunksPendingSeal,
      },
      chain: { lastSealedChunk: sealer.state.lastSealed?.id ?? null },
      uptimeSeconds: Math.round(elapsedS),
    };
  };
  const rate = new RateMeter(() => telemetry.count("DatagramReceived"));

  const seal = async (): Promise<SealNowResult> => {
    const result = await sealer.sealNow();
    await wal.syncNow();
    forwarder.wake();
    return result;
  };
  const listen = parseListenAddress(config.status.listen);
  // After `enroll` (first or again): use the new identity without a restart.
  const reloadIdentity = async () => {
    const loaded = await loadIdentity(config.dataDir);
    if (loaded) {
      identity = loaded;
      renewal.start();
      forwarder.wake();
      await sealer.sealDue(); // hours that ended while there was no identity to sign with
      telemetry.info("identity reloaded", {
        agentId: loaded.agent_id,
        certificateExpiresAt: loaded.notAfter.toISOString(),
      });
    }
    return {
      enrolled: identity !== undefined,
      agentId: identity?.agent_id ?? null,
      certificateExpiresAt: identity?.notAfter.toISOString() ?? null,
    };
  };
  const statusServer = startStatusServer({
    host: listen.host,
    port: listen.port,
    telemetry,
    status,
    seal,
    reloadIdentity,
  });
  writeFileAtomic(
    agentInfoPath(config.dataDir),
    `${JSON.stringify({ pid: process.pid, statusUrl: statusServer.url, startedAt: startedAt.toISOString() })}\n`,
  );
  sealer.start();
  forwarder.start();
  renewal.start();
  kernelDrops.start();
  telemetry.info("agent started", {
    dataDir: config.dataDir,
    udp: udp.map((receiver) => receiver.port),
    tcp: tcp.map((receiver) => receiver.port),
    status: statusServer.url,
    enrolled: identity !== undefined,
    lastSeq: wal.lastSeq,
  });

  let stopping: Promise<void> | undefined;
  return {
    udpPort: udp[0]?.port ?? 0,
    tcpPort: tcp[0]?.port ?? null,
    statusUrl: statusServer.url,
    telemetry,
    seal,
    status,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(housekeeping);
        renewal.stop();
        rate.stop();
        sealer.stop();
        kernelDrops.stop();
        // Read the counters once more while the sockets still exist (a closed
        // socket's row is gone), so drops since the last tick get their gap record.
        await kernelDrops.sample();
        await Promise.all([...udp, ...tcp].map((receiver) => receiver.close()));
        await wal.close();
        await forwarder.stop();
        statusServer.stop();
        rmSync(agentInfoPath(config.dataDir), { force: true });
        telemetry.info("agent stopped", { lastSeq: wal.lastSeq });
      })();
      return stopping;
    },
  };
}

/** Receive rate over the last ~10 s, from a sample of the counter every second. */
class RateMeter {
  #samples: Array<{ atMs: number; count: number }> = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(private readonly read: () => number) {
    this.#timer = setInterval(() => {
      this.#samples.push({ atMs: Date.now(), count: this.read() });
      if (this.#samples.length > 11) this.#samples.shift();
    }, 1000);
    this.#timer.unref();
  }

  perSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.atMs === first.atMs) return 0;
    return Math.round(((last.count - first.count) * 1000) / (last.atMs - first.atMs));
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
