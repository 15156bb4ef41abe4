/**
 * What the hub's listeners (ingest, `--http`) share once their server is made:
 * wait until it listens, read the port it bound (0 asks for a free one), and
 * hand back its URL and a stop.
 */
import type { AddressInfo, Server } from "node:net";
import { formatListenAddress } from "../../../shared/src/net/listen-address.ts";

/** A listener that is accepting connections. */
export interface RunningListener {
  /** `scheme://host:port` as bound (port resolved when 0 was asked). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The URL a client uses for a bound address: a wildcard host becomes loopback. */
function urlOf(host: string, port: number, scheme: "http" | "https"): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `${scheme}://${formatListenAddress({ host: shown, port })}`;
}

/**
 * Resolve once `server` listens (reject on a listen error such as EADDRINUSE).
 * `stop` first drops open connections with `dropConnections` (a keep-alive
 * client or an HTTP/2 session would otherwise hold `close` open), then closes.
 *
 * @example
 * const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
 * const api = await whenListening(server, "127.0.0.1", "http", () => server.closeAllConnections());
 * console.log(api.url); // http://127.0.0.1:41237
 */
export async function whenListening(
  server: Server,
  host: string,
  scheme: "http" | "https",
  dropConnections: () => void,
): Promise<RunningListener> {
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: urlOf(host, port, scheme),
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}
