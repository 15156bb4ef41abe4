/**
 * The hub's configuration: flags first, then the environment, then defaults.
 * One zod schema is the source of truth; `HubConfig` is inferred from it.
 */
import { resolve } from "node:path";
import { z } from "zod";
import {
  formatListenAddress,
  isLoopbackAddress,
  listenAddressSchema,
} from "../../../shared/src/net/listen-address.ts";

export type { ListenAddress } from "../../../shared/src/net/listen-address.ts";

/** An on/off setting: the flag (boolean) or its environment variable (1/0, true/false). */
function switchSetting(setting: string) {
  const words: Record<string, boolean> = { "1": true, true: true, "0": false, false: false };
  return z.union([z.boolean(), z.string()]).transform((value, context) => {
    const on = typeof value === "boolean" ? value : words[value];
    if (on === undefined) {
      context.addIssue({ code: "custom", message: `${setting} must be 1 or 0, got "${value}"` });
      return z.NEVER;
    }
    return on;
  });
}

function positiveInteger(option: string) {
  return z.coerce
    .number({ message: `${option} must be a number` })
    .int(`${option} must be a whole number`)
    .positive(`${option} must be positive`);
}

/**
 * The TSA settings (docs/timestamping.md §5). Without `TSA_URL` the hub uses
 * its built-in development TSA (zero-setup, no legal value).
 */
export const tsaSettingsSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, message: "TSA_URL must be an http:// or https:// URL" })
      .optional(),
    auth: z
      .enum(["none", "basic", "kamusm"], { message: "TSA_AUTH must be none, basic or kamusm" })
      .optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    caFile: z.string().min(1, "TSA_CA_FILE must not be empty").optional(),
    policy: z
      .string()
      .regex(/^\d+(\.\d+)+$/, "TSA_POLICY must be an OID such as 1.2.3.4")
      .optional(),
    timeoutMs: positiveInteger("TSA_TIMEOUT_MS").default(10_000),
  })
  .superRefine((tsa, context) => {
    if (!tsa.url) {
      for (const [key, setting] of [
        ["auth", "TSA_AUTH"],
        ["username", "TSA_USERNAME"],
        ["password", "TSA_PASSWORD"],
        ["caFile", "TSA_CA_FILE"],
        ["policy", "TSA_POLICY"],
      ] as const) {
        if (tsa[key] !== undefined)
          context.addIssue({ code: "custom", message: `${setting} is set but TSA_URL is not` });
      }
    } else if (!tsa.caFile) {
      context.addIssue({
        code: "custom",
        message: "TSA_URL needs TSA_CA_FILE (PEM of the TSA root(s) to trust)",
      });
    }
  });
export type TsaSettings = z.output<typeof tsaSettingsSchema>;

/** How the background worker paces itself (tests shorten these). */
export const workerSettingsSchema = z.object({
  /** How often each hub looks for chunks due a time-stamp. */
  pollMs: positiveInteger("HUB_TIMESTAMP_POLL_MS").default(1_000),
  /** First retry after a transient TSA error; doubles per attempt (with jitter). */
  retryBaseMs: positiveInteger("HUB_TIMESTAMP_RETRY_BASE_MS").default(5_000),
  /** Longest wait between transient retries. */
  retryMaxMs: positiveInteger("HUB_TIMESTAMP_RETRY_MAX_MS").default(10 * 60_000),
  /** Wait after a permanent error (credentials, credit): still retried, slowly. */
  failedRetryMs: positiveInteger("HUB_TIMESTAMP_FAILED_RETRY_MS").default(30 * 60_000),
  /** How often the daily jobs (roll-ups of ended days, purge) run. */
  dailyJobsMs: positiveInteger("HUB_DAILY_JOBS_MS").default(60 * 60_000),
});
export type WorkerSettings = z.output<typeof workerSettingsSchema>;

export const DEFAULT_INGEST = "127.0.0.1:8443";
export const DEFAULT_HTTP = "127.0.0.1:8080";

export const hubConfigSchema = z
  .object({
    dataDir: z.string().min(1, "--data-dir must not be empty").default("./data/hub"),
    ingest: listenAddressSchema("--ingest", DEFAULT_INGEST).prefault(DEFAULT_INGEST),
    http: listenAddressSchema("--http", DEFAULT_HTTP).prefault(DEFAULT_HTTP),
    /** PEM certificate (chain) and its key: the --http listener speaks HTTPS. */
    httpCert: z.string().min(1, "--http-cert must not be empty").optional(),
    httpKey: z.string().min(1, "--http-key must not be empty").optional(),
    /** Plain HTTP on a non-loopback --http all the same (warned at start, a gauge in /metrics). */
    httpInsecure: switchSetting("HUB_HTTP_INSECURE").default(false),
    /** Absent: embedded PGlite under `<data-dir>/pglite`. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
      .optional(),
    /** Absent: the index queue and the live tail stay inside this process. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, "REDIS_URL must start with redis:// or rediss://")
      .optional(),
    /** Prefix of the hub's Redis keys and channels: hubs of one chain share it; tests and other chains pick their own. */
    redisPrefix: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, "HUB_REDIS_PREFIX must be 1-64 of A-Z a-z 0-9 : _ -")
      .default("logmaster"),
    /** Absent: events are indexed in PostgreSQL (full-text on the message). */
    elasticsearchUrl: z
      .url({
        protocol: /^https?$/,
        message: "ELASTICSEARCH_URL must be an http:// or https:// URL",
      })
      .optional(),
    index: z
      .object({
        /** Bytes of records per index transaction. */
        maxBytesPerStep: z.coerce
          .number()
          .int()
          .min(64 * 1024)
          .default(4 * 1024 * 1024),
        /** How often each hub looks for records no notice announced. */
        catchUpMs: z.coerce.number().int().min(100).default(5000),
        /** Agents one hub process indexes side by side (each holds one of its four raw connections). */
        agentsAtOnce: z.coerce.number().int().min(1).max(4).default(2),
      })
      .prefault({}),
    /** The URL agents reach the ingest listener at; written into tokens. */
    publicUrl: z
      .url({ protocol: /^https$/, message: "HUB_PUBLIC_URL must be an https:// URL" })
      .optional(),
    /** Extra names for the ingest server certificate (besides localhost and loopback). */
    hostnames: z.array(z.string().min(1)).default([]),
    chainId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "--chain-id must match [a-z0-9][a-z0-9-]{0,62}")
      .default("default"),
    /** Where the chain CA lives; default `<data-dir>/ca`. Point it at `certs/` to share a dev CA. */
    caDir: z.string().min(1).optional(),
    caKeyBits: z.coerce
      .number()
      .refine(
        (bits) => [2048, 3072, 4096].includes(bits),
        "HUB_CA_KEY_BITS must be 2048, 3072 or 4096",
      )
      .default(3072),
    /** Agent certificate validity; fractions allow short-lived certificates (0.5 = 12 h). */
    agentCertDays: z.coerce
      .number({ message: "HUB_AGENT_CERT_DAYS must be a number of days" })
      .positive("HUB_AGENT_CERT_DAYS must be positive")
      .max(825, "HUB_AGENT_CERT_DAYS must be at most 825")
      .default(397),
    /**
     * How long a renewed (or re-enrolled) agent's previous certificate still
     * authenticates, so requests under way on its old session finish.
     */
    agentCertOverlapSeconds: z.coerce
      .number({ message: "HUB_AGENT_CERT_OVERLAP_SECONDS must be a number of seconds" })
      .min(0, "HUB_AGENT_CERT_OVERLAP_SECONDS must be 0 or more")
      .max(86_400, "HUB_AGENT_CERT_OVERLAP_SECONDS must be at most 86400 (a day)")
      .default(600),
    /** Requests one agent may have under way on one hub process (an agent sends one at a time). */
    maxAgentRequestsInFlight: positiveInteger("HUB_MAX_AGENT_REQUESTS_IN_FLIGHT").default(8),
    /** Compressed request body cap for a batch (protocol: 8 MiB). */
    maxBatchBytes: positiveInteger("maxBatchBytes").default(8 * 1024 * 1024),
    /** Decompressed batch cap, against zstd bombs (protocol: 64 MiB). */
    maxDecompressedBytes: positiveInteger("maxDecompressedBytes").default(64 * 1024 * 1024),
    tsa: tsaSettingsSchema.prefault({}),
    worker: workerSettingsSchema.prefault({}),
    /** Where the hub writes its log lines; tests pass a silent sink. */
    quiet: z.boolean().default(false),
  })
  .superRefine((config, context) => {
    const issue = (message: string) => context.addIssue({ code: "custom", message });
    if (config.httpCert && !config.httpKey)
      issue("--http-cert needs --http-key (HUB_HTTP_KEY), the certificate's private key");
    if (config.httpKey && !config.httpCert)
      issue("--http-key needs --http-cert (HUB_HTTP_CERT), the certificate of that key");
    const tls = config.httpCert !== undefined || config.httpKey !== undefined;
    if (tls && config.httpInsecure)
      issue(
        "--http-insecure (HUB_HTTP_INSECURE) asks for plain HTTP but --http-cert/--http-key ask for HTTPS: give one or the other",
      );
    // The admin credential (and soon users' passwords) travel on this listener.
    if (!tls && !config.httpInsecure && !isLoopbackAddress(config.http))
      issue(
        `--http ${formatListenAddress(config.http)} is reachable from the network: serve it over HTTPS with --http-cert FILE and --http-key FILE (HUB_HTTP_CERT, HUB_HTTP_KEY), or accept plain HTTP with --http-insecure (HUB_HTTP_INSECURE=1)`,
      );
  })
  .transform(({ httpCert, httpKey, httpInsecure, ...config }) => {
    const dataDir = resolve(config.dataDir);
    const publicHost =
      config.ingest.host === "0.0.0.0" ||
      config.ingest.host === "127.0.0.1" ||
      config.ingest.host === "::"
        ? "localhost"
        : config.ingest.host;
    const publicUrl =
      config.publicUrl ??
      `https://${publicHost.includes(":") ? `[${publicHost}]` : publicHost}:${config.ingest.port}`;
    const publicUrlHost = new URL(publicUrl).hostname.replace(/^\[|\]$/g, "");
    return {
      ...config,
      dataDir,
      publicUrl,
      /** Set when the URL was not given: the port may still be 0 until the listener binds. */
      publicUrlDerived: config.publicUrl === undefined,
      hostnames: [...new Set([...config.hostnames, publicUrlHost])],
      caDir: resolve(config.caDir ?? `${dataDir}/ca`),
      /** Set: the --http listener serves HTTPS with this certificate (PEM files). */
      httpTls:
        httpCert && httpKey
          ? { certFile: resolve(httpCert), keyFile: resolve(httpKey) }
          : undefined,
      /** True when --http serves plain HTTP beyond loopback (the operator accepted it). */
      httpInsecure: httpInsecure && !isLoopbackAddress(config.http),
    };
  });

export type HubConfigInput = z.input<typeof hubConfigSchema>;
export type HubConfig = z.output<typeof hubConfigSchema>;

/** The options every hub command accepts, as `node:util` parseArgs declares them. */
export const hubConfigFlags = {
  "data-dir": { type: "string" },
  ingest: { type: "string" },
  http: { type: "string" },
  "http-cert": { type: "string" },
  "http-key": { type: "string" },
  "http-insecure": { type: "boolean" },
  "public-url": { type: "string" },
  hostname: { type: "string", multiple: true },
  "chain-id": { type: "string" },
  "ca-dir": { type: "string" },
} as const;

export type HubConfigFlagValues = {
  "data-dir"?: string;
  ingest?: string;
  http?: string;
  "http-cert"?: string;
  "http-key"?: string;
  "http-insecure"?: boolean;
  "public-url"?: string;
  hostname?: string[];
  "chain-id"?: string;
  "ca-dir"?: string;
};

/**
 * The config from command-line flags and the environment (flags win).
 * Throws a ZodError whose messages name the option.
 *
 * @example
 * const config = loadHubConfig({ "data-dir": "/var/lib/logmaster" }, process.env);
 */
export function loadHubConfig(
  flags: HubConfigFlagValues,
  env: Record<string, string | undefined> = process.env,
): HubConfig {
  const hostnames =
    flags.hostname ??
    env.HUB_HOSTNAMES?.split(",")
      .map((h) => h.trim())
      .filter(Boolean);
  const input: HubConfigInput = {
    dataDir: flags["data-dir"] ?? env.HUB_DATA_DIR,
    ingest: flags.ingest ?? env.HUB_INGEST,
    http: flags.http ?? env.HUB_HTTP,
    httpCert: flags["http-cert"] ?? (env.HUB_HTTP_CERT || undefined),
    httpKey: flags["http-key"] ?? (env.HUB_HTTP_KEY || undefined),
    httpInsecure: flags["http-insecure"] ?? (env.HUB_HTTP_INSECURE || undefined),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.HUB_REDIS_PREFIX || undefined,
    elasticsearchUrl: env.ELASTICSEARCH_URL || undefined,
    index: {
      maxBytesPerStep: env.HUB_INDEX_STEP_BYTES || undefined,
      catchUpMs: env.HUB_INDEX_CATCH_UP_MS || undefined,
      agentsAtOnce: env.HUB_INDEX_AGENTS_AT_ONCE || undefined,
    },
    publicUrl: flags["public-url"] ?? (env.HUB_PUBLIC_URL || undefined),
    hostnames,
    chainId: flags["chain-id"] ?? env.HUB_CHAIN_ID,
    caDir: flags["ca-dir"] ?? env.HUB_CA_DIR,
    caKeyBits: env.HUB_CA_KEY_BITS,
    agentCertDays: env.HUB_AGENT_CERT_DAYS,
    agentCertOverlapSeconds: env.HUB_AGENT_CERT_OVERLAP_SECONDS || undefined,
    maxAgentRequestsInFlight: env.HUB_MAX_AGENT_REQUESTS_IN_FLIGHT || undefined,
    tsa: {
      url: env.TSA_URL || undefined,
      auth: (env.TSA_AUTH || undefined) as TsaSettings["auth"],
      username: env.TSA_USERNAME || undefined,
      password: env.TSA_PASSWORD || undefined,
      caFile: env.TSA_CA_FILE || undefined,
      policy: env.TSA_POLICY || undefined,
      timeoutMs: env.TSA_TIMEOUT_MS || undefined,
    },
    worker: {
      pollMs: env.HUB_TIMESTAMP_POLL_MS || undefined,
      retryBaseMs: env.HUB_TIMESTAMP_RETRY_BASE_MS || undefined,
      retryMaxMs: env.HUB_TIMESTAMP_RETRY_MAX_MS || undefined,
      failedRetryMs: env.HUB_TIMESTAMP_FAILED_RETRY_MS || undefined,
      dailyJobsMs: env.HUB_DAILY_JOBS_MS || undefined,
    },
  };
  return hubConfigSchema.parse(input);
}
