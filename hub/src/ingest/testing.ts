import http2 from "node:http2";

export interface Http2Answer {
  status: number;
  json: Record<string, unknown>;
}

export interface ClientIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * One request over a fresh HTTP/2 TLS connection, as an agent makes it:
 * the chain CA pinned, optionally a client certificate. Tests only.
 *
 * @example
 * const answer = await h2Request(hub.ingestUrl, hub.caPem, { method: "GET", path: "/v1/chunks/2025-01-15T10" }, agent);
 */
export function h2Request(
  url: string,
  caPem: string,
  request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: Uint8Array | string;
  },
  client?: ClientIdentity,
): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, {
      ca: caPem,
      ...(client ? { cert: client.certificatePem, key: client.privateKeyPem } : {}),
    });
    session.on("error", reject);
    const stream = session.request({
      ":method": request.method,
      ":path": request.path,
      ...request.headers,
    });
    const chunks: Buffer[] = [];
    let status = 0;
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      session.close();
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve({ status, json: text ? JSON.parse(text) : {} });
      } catch {
        resolve({ status, json: { raw: text } });
      }
    });
    stream.on("error", (error) => {
      session.destroy();
      reject(error);
    });
    stream.end(request.body);
  });
}

/**
 * `POST /v1/enroll` with a token and a CSR, as an agent sends it; the answer
 * as a client identity (the key is the caller's). Tests only.
 *
 * @example
 * const agent = await enrollOverHttp2(hub.ingestUrl, hub.caPem, token, makeCertificateRequest(2048));
 */
export async function enrollOverHttp2(
  url: string,
  caPem: string,
  token: string,
  keyPair: { csrPem: string; privateKeyPem: string },
): Promise<ClientIdentity & { agentId: string; hotelId: string }> {
  const answer = await h2Request(url, caPem, {
    method: "POST",
    path: "/v1/enroll",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, csr_pem: keyPair.csrPem, hostname: "site-box" }),
  });
  if (answer.status !== 201)
    throw new Error(`enroll answered ${answer.status}: ${JSON.stringify(answer.json)}`);
  return {
    agentId: String(answer.json.agent_id),
    hotelId: String(answer.json.hotel_id),
    certificatePem: String(answer.json.certificate_pem),
    privateKeyPem: keyPair.privateKeyPem,
  };
}
