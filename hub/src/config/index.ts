/**
 * The hub's configuration: flags first, then the environment, then defaults.
 * One zod schema is the source of truth; `HubConfig` is inferred from it.
 */
import { resolve } from "node:path";
import { z } from "zod";

export interface ListenAddress {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT`; port 0 asks the OS for a free one (tests). */
function listenAddress(option: string, example: string) {
  return z.string().transform((text, context): ListenAddress => {
    const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
    const port = Number(match?.[3]);
    if (!match || port > 65_535) {
      context.addIssue({
        code: "custom",
        message: `${option} must be HOST:PORT (e.g. ${example}), got "${text}"`,
      });
      return z.NEVER;
    }
    return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
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
    ingest: listenAddress("--ingest", DEFAULT_INGEST).prefault(DEFAULT_INGEST),
    http: listenAddress("--http", DEFAULT_HTTP).prefault(DEFAULT_HTTP),
    /** Absent: embedded PGlite under `<data-dir>/pglite`. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
      .optional(),
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
    /** Compressed request body cap for a batch (protocol: 8 MiB). */
    maxBatchBytes: positiveInteger("maxBatchBytes").default(8 * 1024 * 1024),
    /** Decompressed batch cap, against zstd bombs (protocol: 64 MiB). */
    maxDecompressedBytes: positiveInteger("maxDecompressedBytes").default(64 * 1024 * 1024),
    tsa: tsaSettingsSchema.prefault({}),
    worker: workerSettingsSchema.prefault({}),
    /** Where the hub writes its log lines; tests pass a silent sink. */
    quiet: z.boolean().default(false),
  })
  .transform((config) => {
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
    };
  });

export type HubConfigInput = z.input<typeof hubConfigSchema>;
export type HubConfig = z.output<typeof hubConfigSchema>;

/** The options every hub command accepts, as `node:util` parseArgs declares them. */
export const hubConfigFlags = {
  "data-dir": { type: "string" },
  ingest: { type: "string" },
  http: { type: "string" },
  "public-url": { type: "string" },
  hostname: { type: "string", multiple: true },
  "chain-id": { type: "string" },
  "ca-dir": { type: "string" },
} as const;

export type HubConfigFlagValues = {
  "data-dir"?: string;
  ingest?: string;
  http?: string;
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
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: flags["public-url"] ?? (env.HUB_PUBLIC_URL || undefined),
    hostnames,
    chainId: flags["chain-id"] ?? env.HUB_CHAIN_ID,
    caDir: flags["ca-dir"] ?? env.HUB_CA_DIR,
    caKeyBits: env.HUB_CA_KEY_BITS,
    agentCertDays: env.HUB_AGENT_CERT_DAYS,
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
