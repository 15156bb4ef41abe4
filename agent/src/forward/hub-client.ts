import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { connectToHub } from "./hub-identity.ts";

/** TLS material for the mTLS connection: the agent's key + certificate, the pinned chain CA. */
export interface ClientTls {
  keyPem: string;
  certPem: string;
  caPem: string;
}

export interface HubResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One HTTP/2 session to the hub, reopened after GOAWAY, errors or a
 * certificate change. A session is used only once the hub's certificate
 * verified against the pinned chain CA for the dialled name (an impostor gets
 * a TLS hello and the agent's certificate, never a record). Requests time out; a timeout or connection error
 * destroys the session so the next request reconnects.
 *
 * @example
 * const hub = new HubClient("https://hub:8443", () => tls, 30_000);
 * const { status, body } = await hub.request("GET", "/v1/chunks/2026-11-22T08");
 */
export class HubClient {
  #session: Promise<ClientHttp2Session> | undefined;
  #sessionTls: ClientTls | undefined;

  constructor(
    readonly url: string,
    private readonly tls: () => ClientTls,
    private readonly timeoutMs: number,
  ) {}

  /** The open session, or a new one that verified the hub against the pinned CA before any request. */
  #open(): Promise<ClientHttp2Session> {
    const tls = this.tls();
    if (this.#session && this.#sessionTls === tls) return this.#session;
    this.close();
    const opening = connectToHub(
      this.url,
      { key: tls.keyPem, cert: tls.certPem, ca: tls.caPem },
      certificateSha256(tls.caPem),
      "this agent's hub",
      this.timeoutMs,
    ).then((session) => {
      const drop = () => {
        if (this.#session === opening) this.#session = undefined;
      };
      session.on("goaway", drop);
      session.on("close", drop);
      session.on("error", () => {
        drop();
        session.destroy();
      });
      return session;
    });
    opening.catch(() => {
      if (this.#session === opening) this.#session = undefined;
    });
    this.#session = opening;
    this.#sessionTls = tls;
    return opening;
  }

  async request(
    method: string,
    path: string,
    headers: OutgoingHttpHeaders = {},
    body?: Uint8Array,
  ): Promise<HubResponse> {
    const session = await this.#open();
    return new Promise((resolve, reject) => {
      const stream = session.request(
        { ":method": method, ":path": path, ...headers },
        { endStream: !body },
      );
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        session.destroy();
        reject(new Error(`hub did not answer ${method} ${path} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      let status = 0;
      const parts: Buffer[] = [];
      stream.on("response", (responseHeaders) => {
        status = Number(responseHeaders[":status"] ?? 0);
      });
      stream.on("data", (part: Buffer) => parts.push(part));
      stream.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(parts).toString("utf8");
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = { error: "not_json", text: text.slice(0, 200) };
        }
        resolve({ status, body: parsed });
      });
      stream.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (body) stream.end(body);
    });
  }

  close(): void {
    const opening = this.#session;
    this.#session = undefined;
    opening?.then(
      (session) => session.close(),
      () => {},
    );
  }
}
