import { describe, expect, test } from "bun:test";
import { waitFor } from "../../../shared/src/testing/wait-for.ts";
import { AgentTelemetry } from "../events/index.ts";
import type { AgentIdentity } from "./identity.ts";
import { RenewalScheduler, renewalDue, renewalDueAt } from "./renew.ts";

const day = 86_400_000;

function identityValid(fromMs: number, toMs: number): AgentIdentity {
  return {
    agent_id: "otel-a-abcdefgh",
    hotel_id: "otel-a",
    chain_id: "default",
    keyPem: "",
    certPem: "",
    caPem: "",
    notBefore: new Date(fromMs),
    notAfter: new Date(toMs),
  };
}

describe("renewal timing", () => {
  test("falls due when a third of the validity is left", () => {
    const notBefore = new Date(0);
    const notAfter = new Date(300 * day);
    expect(renewalDueAt(notBefore, notAfter).getTime()).toBe(200 * day);
    expect(renewalDue(notBefore, notAfter, 199 * day)).toBe(false);
    expect(renewalDue(notBefore, notAfter, 200 * day)).toBe(true);
  });
});

describe("RenewalScheduler", () => {
  test("an expired certificate is not sent to the hub; status says to enroll again", async () => {
    const logs: string[] = [];
    const expired = identityValid(Date.now() - 10 * day, Date.now() - day);
    const telemetry = new AgentTelemetry((line) => logs.push(line));
    const scheduler = new RenewalScheduler({
      dataDir: "/nonexistent",
      identity: () => expired,
      // Nothing listens here: a request would fail with a connection error instead.
      hubUrl: () => "https://127.0.0.1:1",
      telemetry,
      onRenewed: () => {
        throw new Error("must not renew");
      },
    });
    scheduler.start();
    try {
      await waitFor("the renewal check", () => scheduler.state.lastError !== null, 5_000, 10);
      expect(scheduler.state.lastError).toMatch(/certificate expired at .*logmaster-agent enroll/);
      // An event: logged and counted in /metrics, not only a log line.
      expect(logs.join("\n")).toContain('"event":"RenewalFailed"');
      expect(telemetry.count("RenewalFailed")).toBe(1);
    } finally {
      scheduler.stop();
    }
  });

  test("a certificate not yet due is left alone and its due time is shown", async () => {
    const fresh = identityValid(Date.now() - day, Date.now() + 299 * day);
    const scheduler = new RenewalScheduler({
      dataDir: "/nonexistent",
      identity: () => fresh,
      hubUrl: () => "https://127.0.0.1:1",
      telemetry: new AgentTelemetry(() => {}),
      onRenewed: () => {
        throw new Error("must not renew");
      },
    });
    scheduler.start();
    await Bun.sleep(50);
    scheduler.stop();
    expect(scheduler.state).toEqual({
      dueAt: renewalDueAt(fresh.notBefore, fresh.notAfter).toISOString(),
      lastRenewedAt: null,
      lastError: null,
    });
  });
});
