import { z } from "zod";
import { listenAddressTextSchema } from "../../../shared/src/net/listen-address.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A syslog listen address, kept as written (status and logs show it back). */
const listenAddressSchema = listenAddressTextSchema(undefined, "0.0.0.0:514");
/** One address or a list of them; always a list after parsing. */
const listenListSchema = z
  .union([listenAddressSchema, z.array(listenAddressSchema)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

/**
 * The agent's whole configuration: TOML file (`agent.toml`) < command-line
 * flags, validated here once. Every field has a default, so an empty file is a
 * valid config. The TypeScript type is inferred from this schema.
 */
export const agentConfigSchema = z
  .object({
    /** Where chunks, state and identity live. */
    dataDir: z.string().min(1, "must not be empty").default("./data/agent"),
    udp: z
      .object({
        /** UDP syslog listeners; `[::]:514` opens an IPv6-only socket beside the IPv4 one. */
        listen: listenListSchema.default(["0.0.0.0:514"]),
        /** Kernel receive buffer asked for; Linux caps it at net.core.rmem_max. */
        recvBufferBytes: z
          .number()
          .int()
          .min(64 * 1024, "must be at least 65536")
          .default(32 * MiB),
        /**
         * How datagrams are read: `auto` takes recvmmsg (through bun:ffi) on
         * 64-bit Linux and node:dgram elsewhere; `node:dgram` forces the
         * portable path, `recvmmsg` refuses to start without the fast one.
         */
        receivePath: z.enum(["auto", "recvmmsg", "node:dgram"]).default("auto"),
      })
      .strict()
      .prefault({}),
    tcp: z
      .object({
        /** TCP syslog listeners (RFC 6587 octet counting or LF framing); [] turns TCP off. */
        listen: listenListSchema.default(["0.0.0.0:514"]),
        /** Longest frame accepted; a longer one is cut off and counted as rejected. */
        maxFrameBytes: z
          .number()
          .int()
          .min(1024)
          .max(16 * MiB)
          .default(64 * 1024),
      })
      .strict()
      .prefault({}),
    wal: z
      .object({
        /** How often written records are fsynced; only fsynced bytes are forwarded. */
        fsyncIntervalMs: z.number().int().min(1).max(10_000).default(100),
        /** Disk budget for everything under dataDir/chunks. */
        maxDiskBytes: z
          .number()
          .int()
          .min(16 * MiB, "must be at least 16 MiB (16777216)")
          .default(20 * GiB),
        /** Share of maxDiskBytes at which the agent warns. */
        warnRatio: z.number().gt(0).lt(1).default(0.8),
        /** Sealed chunks the hub has verified are deleted after this many hours. */
        retentionHours: z
          .number()
          .int()
          .min(1)
          .default(7 * 24),
      })
      .strict()
      .prefault({}),
    hub: z
      .object({
        /** Hub ingest URL; default: the one stored at enrollment (identity.json). */
        url: z.url({ message: "must be a URL such as https://hub.example:8443" }).optional(),
        /** A batch is sent when this many uncompressed bytes are waiting ... */
        batchMaxBytes: z
          .number()
          .int()
          .min(1024)
          .max(8 * MiB)
          .default(MiB),
        /** ... or when the oldest waiting byte is this old. */
        batchMaxDelayMs: z.number().int().min(10).default(1000),
        /** Retry backoff: first delay and cap (full jitter between 0 and the step). */
        retryBaseMs: z.number().int().min(1).default(500),
        retryMaxMs: z.number().int().min(1).default(30_000),
        /** Per-request timeout. */
        requestTimeoutMs: z.number().int().min(100).default(30_000),
      })
      .strict()
      .prefault({}),
    status: z
      .object({
        /** Local status/control server (status, seal, /metrics, /healthz). Keep it on loopback. */
        listen: listenAddressTextSchema(undefined, "127.0.0.1:5141").default("127.0.0.1:5141"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated configuration the pipeline is built from. */
export type AgentConfig = z.infer<typeof agentConfigSchema>;
/** What a caller may pass: any subset, defaults fill the rest. */
export type AgentConfigInput = z.input<typeof agentConfigSchema>;
