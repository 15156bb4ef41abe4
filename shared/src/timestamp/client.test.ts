/**
 * How the client classifies what a TSA does, with a scripted `fetch`: the
 * hub retries transient failures and flags permanent ones, so the line
 * between them is the contract. Real TSAs: tests/timestamp-*.test.ts.
 */
import { describe, expect, test } from "bun:test";
import * as pkijs from "pkijs";
import {
  createTimestampClient,
  type FetchLike,
  type TimestampClientOptions,
  TimestampError,
} from "./client.ts";
import { toDer } from "./der.ts";
import { rejectionResponse } from "./response.ts";

// A real certificate (construction parses it) that never verifies anything here: every
// scripted answer fails before verification.
const SOME_CA = Bun.spawnSync(
  ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"].concat([
    "-nodes",
    "-keyout",
    "/dev/null",
    "-subj",
    "/CN=unused",
    "-days",
    "1",
  ]),
  { stdout: "pipe", stderr: "pipe" },
).stdout.toString();

const data = new TextEncoder().encode("manifest");

function clientAnswering(answer: FetchLike, extra: Partial<TimestampClientOptions> = {}) {
  return createTimestampClient({
    url: "http://tsa.test/tsr",
    timeoutMs: 200,
    trustedCaPems: [SOME_CA],
    fetchImpl: answer,
    ...extra,
  });
}

const reply = (body: Uint8Array | string, init: ResponseInit = {}) =>
  Promise.resolve(
    new Response(body, {
      ...init,
      headers: { "content-type": "application/timestamp-reply", ...init.headers },
    }),
  );

async function failureOf(promise: Promise<unknown>): Promise<TimestampError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TimestampError) return error;
    throw error;
  }
  throw new Error("expected a TimestampError");
}

describe("transient failures (retry later)", () => {
  test.each([500, 502, 503, 429, 408])("HTTP %d", async (status) => {
    const error = await failureOf(clientAnswering(() => reply("busy", { status })).stamp(data));
    expect(error).toMatchObject({ kind: "transient", reason: `http_${status}` });
    expect(error.message).toContain('body: "busy"');
  });

  test("network error", async () => {
    const error = await failureOf(
      clientAnswering(() => Promise.reject(new TypeError("ECONNREFUSED"))).stamp(data),
    );
    expect(error).toMatchObject({ kind: "transient", reason: "network" });
  });

  test("no answer within timeoutMs", async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const error = await failureOf(clientAnswering(hanging, { timeoutMs: 50 }).stamp(data));
    expect(error).toMatchObject({ kind: "transient", reason: "timeout" });
  });

  test("a TSA whose clock or system is down", async () => {
    const error = await failureOf(
      clientAnswering(() =>
        reply(rejectionResponse("timeNotAvailable", "clock unsynchronised")),
      ).stamp(data),
    );
    expect(error).toMatchObject({
      kind: "transient",
      reason: "status_rejected:clock unsynchronised",
    });
  });

  test("status waiting", async () => {
    const waiting = toDer(
      new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.waiting }),
      }),
    );
    const error = await failureOf(clientAnswering(() => reply(waiting)).stamp(data));
    expect(error).toMatchObject({ kind: "transient", reason: "status_waiting" });
  });
});

describe("permanent failures (retrying unchanged will not help)", () => {
  test("HTTP 401 with the TSA's explanation", async () => {
    const error = await failureOf(
      clientAnswering(() =>
        reply("Account 123456 could not be authenticated", { status: 401 }),
      ).stamp(data),
    );
    expect(error).toMatchObject({ kind: "permanent", reason: "http_401" });
    expect(error.message).toContain("Account 123456 could not be authenticated");
  });

  test("a refusal names the TSA's text", async () => {
    const error = await failureOf(
      clientAnswering(() => reply(rejectionResponse("badRequest", "Not enough credit"))).stamp(
        data,
      ),
    );
    expect(error).toMatchObject({ kind: "permanent", reason: "status_rejected:Not enough credit" });
    expect(error.message).toContain(
      "the TSA refused the request: rejection: Not enough credit (badRequest)",
    );
  });

  test("a redirect is reported with where to, not followed", async () => {
    const error = await failureOf(
      clientAnswering(() =>
        Promise.resolve(
          new Response(null, { status: 301, headers: { location: "https://tsa.test/tsr" } }),
        ),
      ).stamp(data),
    );
    expect(error).toMatchObject({ kind: "permanent", reason: "http_301" });
    expect(error.message).toContain("set TSA_URL to it");
  });

  test("a body that is not application/timestamp-reply", async () => {
    const error = await failureOf(
      clientAnswering(() =>
        reply("<html>login</html>", { headers: { "content-type": "text/html" } }),
      ).stamp(data),
    );
    expect(error).toMatchObject({ kind: "permanent", reason: "bad_content_type" });
  });

  test("bytes that are neither a response nor a token", async () => {
    const error = await failureOf(clientAnswering(() => reply("garbage")).stamp(data));
    expect(error).toMatchObject({ kind: "permanent", reason: "malformed_response" });
  });

  test("a body over the size limit", async () => {
    const error = await failureOf(
      clientAnswering(() => reply(new Uint8Array(2048)), { maxResponseBytes: 1024 }).stamp(data),
    );
    expect(error).toMatchObject({ kind: "permanent", reason: "response_too_large" });
  });
});

describe("configuration is checked at construction", () => {
  const base = { url: "https://tsa.test/", timeoutMs: 1000, trustedCaPems: [SOME_CA] };
  test.each([
    [{ url: "tsa.test" }, "TSA_URL"],
    [{ url: "ftp://tsa.test/" }, "http:// or https://"],
    [{ trustedCaPems: [] }, "TSA_CA_FILE"],
    [{ trustedCaPems: ["-----BEGIN PRIVATE KEY-----"] }, "TSA_CA_FILE #1 holds no certificate"],
    [{ timeoutMs: 0 }, "timeout"],
    [{ auth: { kind: "basic", username: "a:b", password: "p" } }, "without ':'"],
    [{ auth: { kind: "kamusm", customerId: 1.5, password: "p" } }, "customer number"],
  ] as [Partial<TimestampClientOptions>, string][])("%o", (change, message) => {
    expect(() => createTimestampClient({ ...base, ...change })).toThrow(message);
  });
});
