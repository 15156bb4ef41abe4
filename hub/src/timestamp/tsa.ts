import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createTimestampClient,
  type TimestampClient,
  timestampAuthFromSettings,
} from "../../../shared/src/timestamp/index.ts";
import type { TsaSettings } from "../config/index.ts";
import { type DevTsa, loadOrCreateDevTsa } from "./dev-tsa.ts";

/** The hub's TSA: a client, and the development TSA behind it in zero-setup mode. */
export interface HubTsa {
  client: TimestampClient;
  /** Set in zero-setup mode: mount `devTsa.handler` at `POST /tsa`. */
  devTsa: DevTsa | undefined;
  /** For logs and the CLI: the TSA URL, or "development TSA". */
  description: string;
}

/** The in-process URL of the development TSA; never resolved (`fetchImpl` answers it). */
const DEV_TSA_URL = "http://dev-tsa.invalid/tsa";

/**
 * The TSA of a hub config, checked now (every error names its setting):
 * `TSA_URL` and friends, or without `TSA_URL` the development TSA kept in
 * `<data-dir>/dev-tsa`, used through the same client code path in-process.
 *
 * @example
 * const tsa = await openHubTsa(config.tsa, config.dataDir);
 * const grant = await tsa.client.stamp(manifestBytes);
 */
export async function openHubTsa(
  settings: TsaSettings,
  dataDir: string,
  devKeyBits = 3072,
): Promise<HubTsa> {
  if (!settings.url) {
    const devTsa = await loadOrCreateDevTsa(join(dataDir, "dev-tsa"), { keyBits: devKeyBits });
    return {
      client: createTimestampClient({
        url: DEV_TSA_URL,
        fetchImpl: devTsa.fetch,
        timeoutMs: settings.timeoutMs,
        trustedCaPems: [devTsa.caPem],
      }),
      devTsa,
      description: "development TSA (no legal value)",
    };
  }
  let caPem: string;
  try {
    caPem = readFileSync(settings.caFile ?? "", "utf8");
  } catch (error) {
    throw new Error(`TSA_CA_FILE ${settings.caFile} cannot be read: ${(error as Error).message}`);
  }
  const auth = timestampAuthFromSettings({
    auth: settings.auth,
    username: settings.username,
    password: settings.password,
  });
  return {
    client: createTimestampClient({
      url: settings.url,
      auth,
      timeoutMs: settings.timeoutMs,
      trustedCaPems: [caPem],
      ...(settings.policy ? { policy: settings.policy } : {}),
    }),
    devTsa: undefined,
    description: settings.url,
  };
}
