import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";

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
 * certificate change. Requests time out; a timeout or connection error
 * destroys the session so the next request reconnects.
 *
 * @example
 * const hub = new HubClient("https://hub:8443", () => tls, 30_000);
 * const { status, body } = await hub.request("GET", "/v1/chunks/2026-11-22T08");
 */
export class HubClient {
  #session: ClientHttp2Session | undefined;
  #sessionTls: ClientTls | undefined;

  constructor(
    readonly url: string,
    private readonly tls: () => ClientTls,
    private readonly timeoutMs: number,
  ) {}

  #open(): ClientHttp2Session {
    const tls = this.tls();
    if (
      this.#session &&
      !this.#session.closed &&
      !this.#session.destroyed &&
      this.#sessionTls === tls
    ) {
      return this.#session;
    }
    this.close();
    const session = http2.connect(this.url, { key: tls.keyPem, cert: tls.certPem, ca: tls.caPem });
    const drop = () => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on("goaway", drop);
    session.on("close", drop);
    session.on("error", () => {
      drop();
      session.destroy();
    });
    this.#session = session;
    this.#sessionTls = tls;
    return session;
  }

  request(
    method: string,
    path: string,
    headers: OutgoingHttpHeaders = {},
    body?: Uint8Array,
  ): Promise<HubResponse> {
    const session = this.#open();
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
    const session = this.#session;
    this.#session = undefined;
    session?.close();
  }
}
