/**
 * How the CLI reaches a running hub's `--http` listener when it serves HTTPS.
 * The CLI dials loopback (`hub.json`'s URL), where the certificate's names
 * (say `hub.example.com`) and issuer (a company CA) cannot verify, so it pins
 * instead: the exact certificate the hub wrote into its 0600 `hub.json`. The
 * credential is sent only after the presented certificate matched the pin.
 */
import { createHash } from "node:crypto";
import https from "node:https";
import { Readable } from "node:stream";
import tls from "node:tls";

/**
 * `fetch`, but over HTTPS only to a server presenting the certificate whose
 * DER SHA-256 is `pinSha256`; plain `fetch` without a pin.
 *
 * @example
 * const response = await pinnedFetch("https://127.0.0.1:8080/admin/hotels", { method: "GET", headers }, state.http_cert_sha256);
 */
export function pinnedFetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  pinSha256: string | undefined,
): Promise<Response> {
  const target = new URL(url);
  if (!pinSha256 || target.protocol !== "https:") return fetch(url, init);
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.port || 443);
  return new Promise((resolve, reject) => {
    // Only to compare the presented certificate with the pin; nothing is sent before.
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    });
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      const presented = createHash("sha256").update(socket.getPeerCertificate().raw).digest("hex");
      if (presented !== pinSha256) {
        socket.destroy();
        reject(
          new Error(
            `the server at ${target.origin} is not the hub of this data dir: its certificate (sha256 ${presented}) is not the one the hub wrote into hub.json (${pinSha256})`,
          ),
        );
        return;
      }
      const request = https.request(
        {
          host,
          port,
          method: init.method,
          path: `${target.pathname}${target.search}`,
          headers: init.headers,
          createConnection: () => socket,
        },
        (answer) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined)
              headers.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
          resolve(
            // (unknown first: under the dashboard's DOM lib, node's and the DOM's ReadableStream differ)
            new Response(Readable.toWeb(answer) as unknown as ReadableStream, {
              status: answer.statusCode ?? 0,
              headers,
            }),
          );
        },
      );
      request.once("error", reject);
      request.end(init.body);
    });
  });
}

/** The header a CLI names its user in; the hub audit-logs it beside the credential. */
export const ACTOR_HEADER = "x-logmaster-actor";

/** A request the hub refused: its message and status, for the caller's own error type. */
export type RefusalMaker = (message: string, status: number) => Error;

/**
 * The CLI's one way to call a running hub: bearer credential, JSON body, the
 * pinned certificate, the acting user's name, and a refusal turned into the
 * caller's error (with the hub's `message`).
 *
 * @example
 * const send = hubSender({ httpUrl, credential }, (message, status) => new AdminError(message, status));
 * const hotels = await (await send("GET", "/admin/hotels")).json();
 */
export function hubSender(
  hub: { httpUrl: string; credential: string; httpCertSha256?: string },
  refusal: RefusalMaker,
): (method: string, path: string, body?: unknown, actor?: string) => Promise<Response> {
  return async (method, path, body, actor) => {
    const response = await pinnedFetch(
      `${hub.httpUrl}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${hub.credential}`,
          "content-type": "application/json",
          ...(actor ? { [ACTOR_HEADER]: actor } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      hub.httpCertSha256,
    );
    if (!response.ok) {
      const answer = (await response.json().catch(() => ({}))) as { message?: string };
      throw refusal(answer.message ?? `hub answered ${response.status}`, response.status);
    }
    return response;
  };
}
