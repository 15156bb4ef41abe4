/**
 * The hub's `--http` listener with `--http-cert`/`--http-key`: HTTPS with the
 * project's TLS posture (no TLS 1.1); and plain HTTP beyond loopback only when
 * the operator said `--http-insecure`, then warned and flagged in /metrics.
 * A real hub on a scratch PostgreSQL database, a certificate made by openssl.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certificateSha256 } from "../../../shared/src/custody/index.ts";
import { runProcess } from "../../../shared/src/testing/run-process.ts";
import { EXPECTED_TLS_POSTURE, probeTlsPosture } from "../../../shared/src/testing/tls-posture.ts";
import { remoteAdmin } from "../admin/index.ts";
import { HubEvents } from "../events/index.ts";
import { HUB_STATE_FILE, type HubState, type RunningHub, startHub } from "../hub.ts";
import { createScratchDatabase } from "../store/testing.ts";
import { type ApiContext, startApiListener } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "logmaster-http-tls-"));
const certFile = join(dir, "http.pem");
const keyFile = join(dir, "http.key.pem");
let certPem: string;
let hub: RunningHub;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const made = await runProcess([
    "openssl",
    "req",
    "-x509",
    // RSA, so a non-forward-secret suite (RSA key exchange) could be chosen if the hub allowed it.
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ]);
  expect(made.exitCode).toBe(0);
  certPem = readFileSync(certFile, "utf8");
  const scratch = await createScratchDatabase();
  dropDatabase = scratch.drop;
  hub = await startHub({
    dataDir: join(dir, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    httpCert: certFile,
    httpKey: keyFile,
    databaseUrl: scratch.url,
    caKeyBits: 2048,
    quiet: true,
  });
});
afterAll(async () => {
  await hub?.stop();
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

/** The same routes as the hub's own listener, on a second listener with its own events. */
function apiContext(events: HubEvents): ApiContext {
  return { ...hub.apiContext, events, devTsa: undefined };
}

describe("with a certificate the --http listener speaks HTTPS", () => {
  test("GET /healthz over https, trusting the operator's certificate", async () => {
    expect(hub.httpUrl).toStartWith("https://127.0.0.1:");
    const answer = await fetch(`${hub.httpUrl}/healthz`, { tls: { ca: certPem } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
    expect(hub.events.httpInsecure.get()).toBe(0);
    // Under TLS, browsers are told to keep to it.
    expect(answer.headers.get("strict-transport-security")).toContain("max-age=31536000");
  });

  test("plain HTTP on that port gets no answer", async () => {
    const plain = hub.httpUrl.replace("https://", "http://");
    await expect(fetch(`${plain}/healthz`)).rejects.toThrow();
  });

  test("TLS 1.1 and non-forward-secret TLS 1.2 suites fail; ECDHE-GCM and TLS 1.3 work", async () => {
    const port = new URL(hub.httpUrl).port;
    expect(await probeTlsPosture(`127.0.0.1:${port}`)).toEqual(EXPECTED_TLS_POSTURE);
  });
});

describe("starting the listener", () => {
  test("a key that does not match the certificate stops it, naming both options", async () => {
    const otherKey = join(dir, "other.key.pem");
    const made = await runProcess([
      "openssl",
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-out",
      otherKey,
    ]);
    expect(made.exitCode).toBe(0);
    const address = { host: "127.0.0.1", port: 0, ipv6: false };
    await expect(
      startApiListener(apiContext(new HubEvents(() => {})), address, {
        tls: { certFile, keyFile: otherKey },
      }),
    ).rejects.toThrow(/--http-cert .* and --http-key .* are not a usable certificate and key/);
    await expect(
      startApiListener(apiContext(new HubEvents(() => {})), address, {
        tls: { certFile: join(dir, "missing.pem"), keyFile },
      }),
    ).rejects.toThrow(/--http-cert .*missing\.pem cannot be read/);
  });

  test("plain HTTP beyond loopback, when accepted: a warning at start and a gauge at 1", async () => {
    const lines: string[] = [];
    const events = new HubEvents((line) => lines.push(line));
    const api = await startApiListener(
      apiContext(events),
      { host: "0.0.0.0", port: 0, ipv6: false },
      { insecure: true },
    );
    try {
      const warning = lines
        .map((line) => JSON.parse(line))
        .find((l) => l.event === "HttpListenerInsecure");
      expect(warning).toMatchObject({
        event: "HttpListenerInsecure",
        listen: `0.0.0.0:${api.port}`,
      });
      expect(warning.warning).toContain("--http-cert");
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^logmaster_hub_http_insecure 1$/m);
    } finally {
      await api.stop();
    }
  });
});

describe("the CLI reaches an HTTPS hub by the certificate pinned in hub.json", () => {
  test("hub.json names the certificate; admin calls work with it and refuse another", async () => {
    const state = JSON.parse(readFileSync(join(dir, "hub", HUB_STATE_FILE), "utf8")) as HubState;
    expect(state.http_url).toStartWith("https://");
    expect(state.http_cert_sha256).toBe(certificateSha256(certPem));
    const pinned = remoteAdmin(hub.httpUrl, hub.adminCredential, state.http_cert_sha256);
    expect(Array.isArray(await pinned.listHotels())).toBe(true);
    const wrongPin = remoteAdmin(hub.httpUrl, hub.adminCredential, "0".repeat(64));
    await expect(wrongPin.listHotels()).rejects.toThrow("is not the hub of this data dir");
  });
});
