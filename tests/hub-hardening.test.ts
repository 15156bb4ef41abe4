/**
 * The hub's edges tried as an attacker would (docs/security.md): a client
 * without a certificate pushing a large body, weak TLS, anonymous and wrong
 * credentials on every API route, a renewed agent's old certificate, an agent
 * flooding requests. Real hub, real HTTP/2 + TLS, real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { PUBLIC_AUTH_PATHS } from "../hub/src/api/auth.ts";
import { apiRoutes } from "../hub/src/api/index.ts";
import { makeCertificateRequest } from "../hub/src/identity/testing.ts";
import { type ClientIdentity, enrollOverHttp2, h2Request } from "../hub/src/ingest/testing.ts";
import { EXPECTED_TLS_POSTURE, probeTlsPosture } from "../shared/src/testing/tls-posture.ts";
import { startTestHub, type TestHub } from "./support/pipeline.ts";

let testHub: TestHub;
const keyPair = makeCertificateRequest(2048);
const OVERLAP_SECONDS = 2;

beforeAll(async () => {
  testHub = await startTestHub({
    agentCertOverlapSeconds: OVERLAP_SECONDS,
    maxAgentRequestsInFlight: 2,
  });
  await testHub.hub.admin.addHotel({ name: "Grand", id: "grand" });
});
afterAll(async () => {
  await testHub.destroy();
});

async function enroll(): Promise<ClientIdentity & { agentId: string }> {
  const { hub } = testHub;
  const { token } = await hub.admin.createToken({
    hotel: "grand",
    ttl_ms: 60_000,
    actor: "cli:test",
  });
  return enrollOverHttp2(hub.ingestUrl, hub.caPem, token, keyPair);
}

const HOUR = "2026-11-22T08";
const getChunk = (agent?: ClientIdentity) =>
  h2Request(
    testHub.hub.ingestUrl,
    testHub.hub.caPem,
    { method: "GET", path: `/v1/chunks/${HOUR}` },
    agent,
  );

/** A records POST whose headers are sent and whose body is not: resolves with the answer. */
function openUpload(session: http2.ClientHttp2Session, declaredBytes: number) {
  const stream = session.request(
    {
      ":method": "POST",
      ":path": `/v1/chunks/${HOUR}/records`,
      "content-encoding": "zstd",
      "content-length": String(declaredBytes),
      "x-lm-offset": "0",
      "x-lm-length": "1",
    },
    { endStream: false },
  );
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    let status = 0;
    const parts: Buffer[] = [];
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
    });
    stream.on("data", (part: Buffer) => parts.push(part));
    stream.on("end", () => resolve({ status, body: Buffer.concat(parts).toString("utf8") }));
    stream.on("error", reject);
  });
  return { stream, answer };
}

describe("ingest refuses before it reads", () => {
  test("no certificate and a 9 MiB body: 401 comes back before one body byte is sent", async () => {
    const session = http2.connect(testHub.hub.ingestUrl, { ca: testHub.hub.caPem });
    try {
      const { stream, answer } = openUpload(session, 9 * 1024 * 1024);
      const refused = await Promise.race([
        answer,
        Bun.sleep(10_000).then(() => ({ status: 0, body: "no answer within 10 s" })),
      ]);
      // Nothing was written to the stream: the hub answered a body it never had.
      expect(stream.writableLength).toBe(0);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toMatchObject({
        code: "client_certificate_required",
        message: expect.any(String),
      });
    } finally {
      session.destroy();
    }
  });

  test("the ingest session announces its HTTP/2 limits", async () => {
    const session = http2.connect(testHub.hub.ingestUrl, { ca: testHub.hub.caPem });
    try {
      await new Promise<void>((resolve) => session.once("remoteSettings", () => resolve()));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(16);
      expect(session.remoteSettings.maxHeaderListSize).toBe(16 * 1024);
    } finally {
      session.destroy();
    }
  });

  test("an agent with too many requests under way gets 429, then is served again", async () => {
    const agent = await enroll();
    const session = http2.connect(testHub.hub.ingestUrl, {
      ca: testHub.hub.caPem,
      cert: agent.certificatePem,
      key: agent.privateKeyPem,
    });
    try {
      // Two uploads whose bodies never finish hold both of the agent's places.
      const held = [openUpload(session, 1024), openUpload(session, 1024)];
      await Bun.sleep(300);
      const third = await getChunk(agent);
      expect(third.status).toBe(429);
      expect(third.json.code).toBe("too_many_requests");
      for (const upload of held) upload.stream.close(http2.constants.NGHTTP2_CANCEL);
      await Bun.sleep(300);
      expect((await getChunk(agent)).status).toBe(200);
      // A cut-off upload is the client's doing: counted as a refusal, not as a hub failure.
      const metrics = await (await fetch(`${testHub.hub.httpUrl}/metrics`)).text();
      expect(metrics).not.toMatch(/^logmaster_hub_request_errors_total\{listener="ingest"\}/m);
    } finally {
      session.destroy();
    }
  });
});

describe("TLS posture of the ingest listener", () => {
  test("TLS 1.1 and non-forward-secret TLS 1.2 suites fail; ECDHE-GCM and TLS 1.3 work", async () => {
    const port = new URL(testHub.hub.ingestUrl).port;
    expect(await probeTlsPosture(`127.0.0.1:${port}`)).toEqual(EXPECTED_TLS_POSTURE);
  });
});

describe("the HTTP listener refuses the anonymous and the wrong credential", () => {
  /** Every /api and /admin route the API app serves, with its parameters filled in. */
  function protectedRoutes(): { method: string; path: string }[] {
    const { hub } = testHub;
    const app = apiRoutes({ ...hub.apiContext, devTsa: undefined });
    const routes = app.routes
      .filter((route) => /^\/(api|admin)\//.test(route.path) && route.method !== "ALL")
      // Login, refresh and logout take a password or the refresh cookie, not a bearer.
      .filter((route) => !PUBLIC_AUTH_PATHS.has(route.path))
      .map((route) => ({ method: route.method, path: route.path.replace(/:\w+/g, "x") }));
    return [...new Map(routes.map((route) => [`${route.method} ${route.path}`, route])).values()];
  }

  test("every /api and /admin route: 401 with a JSON code, none an internal error", async () => {
    const routes = protectedRoutes();
    expect(routes.length).toBeGreaterThan(8);
    const before = await (await fetch(`${testHub.hub.httpUrl}/metrics`)).text();
    for (const { method, path } of routes) {
      for (const authorization of [
        undefined,
        "Bearer not-the-credential",
        "Basic YWRtaW46YWRtaW4=",
      ]) {
        const response = await fetch(`${testHub.hub.httpUrl}${path}`, {
          method,
          headers: {
            "content-type": "application/json",
            ...(authorization ? { authorization } : {}),
          },
          ...(method === "GET" ? {} : { body: "{}" }),
        });
        const body = (await response.json()) as { code: string; message: string };
        expect([method, path, authorization, response.status]).toEqual([
          method,
          path,
          authorization,
          401,
        ]);
        expect(body.code).toBe(authorization ? "invalid_credential" : "unauthorized");
        expect(body.message.length).toBeGreaterThan(0);
        expect(response.headers.get("www-authenticate")).toContain("Bearer");
      }
    }
    const after = await (await fetch(`${testHub.hub.httpUrl}/metrics`)).text();
    const internal = (text: string) =>
      text.match(/^logmaster_hub_request_errors_total\{listener="http"\} (\d+)$/m)?.[1] ?? "0";
    expect(internal(after)).toBe(internal(before));
    expect(after).toMatch(
      /^logmaster_hub_requests_refused_total\{code="unauthorized",listener="http"\} \d+$/m,
    );
    expect(after).toMatch(
      /^logmaster_hub_requests_refused_total\{code="invalid_credential",listener="http"\} \d+$/m,
    );
  });

  test("an unknown route of the hub answers 404 with a JSON code", async () => {
    // Other paths are the dashboard's, whose router says "not found" (hub/src/api/dashboard.ts).
    for (const path of ["/api/nothing-here", "/admin/nothing-here", "/metrics/nothing-here"]) {
      const response = await fetch(`${testHub.hub.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${testHub.hub.adminCredential}` },
      });
      expect([path, response.status]).toEqual([path, 404]);
      expect(((await response.json()) as { code: string }).code).toBe("not_found");
    }
  });
});

describe("renewal retires the previous certificate", () => {
  test("the old certificate works during the overlap and is refused after it", async () => {
    const agent = await enroll();
    const renew = (as: ClientIdentity) =>
      h2Request(
        testHub.hub.ingestUrl,
        testHub.hub.caPem,
        {
          method: "POST",
          path: "/v1/renew",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ csr_pem: keyPair.csrPem }),
        },
        as,
      );
    const renewed = await renew(agent);
    expect(renewed.status).toBe(200);
    const current = { ...agent, certificatePem: String(renewed.json.certificate_pem) };
    expect((await getChunk(agent)).status).toBe(200); // in the overlap
    expect((await getChunk(current)).status).toBe(200);
    await Bun.sleep(OVERLAP_SECONDS * 1000 + 500);
    const old = await getChunk(agent);
    expect(old.status).toBe(403);
    expect(old.json.code).toBe("client_certificate_invalid");
    expect(String(old.json.message)).toContain("replaced by a renewal");
    expect((await getChunk(current)).status).toBe(200);
    // Renewing with the retired certificate is refused too.
    const again = await renew(agent);
    expect(again.status).toBe(403);
  });
});
