import { describe, expect, test } from "bun:test";
import { hubConfigSchema, loadHubConfig } from "./index.ts";

describe("hub config", () => {
  test("zero-setup defaults: unprivileged loopback ports, PGlite, CA in the data dir", () => {
    const config = loadHubConfig({}, {});
    expect(config.ingest).toEqual({ host: "127.0.0.1", port: 8443 });
    expect(config.http).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toEndWith("/data/hub");
    expect(config.caDir).toBe(`${config.dataDir}/ca`);
    expect(config.publicUrl).toBe("https://localhost:8443");
    expect(config.chainId).toBe("default");
  });

  test("flags win over the environment", () => {
    const config = loadHubConfig(
      { ingest: "0.0.0.0:9443", "data-dir": "/srv/hub" },
      {
        HUB_INGEST: "1.2.3.4:1",
        DATABASE_URL: "postgres://db/hub",
        HUB_PUBLIC_URL: "https://hub.example.com:9443",
      },
    );
    expect(config.ingest).toEqual({ host: "0.0.0.0", port: 9443 });
    expect(config.databaseUrl).toBe("postgres://db/hub");
    expect(config.hostnames).toContain("hub.example.com");
    expect(config.caDir).toBe("/srv/hub/ca");
  });

  test("errors name the option", () => {
    expect(() => loadHubConfig({ ingest: "localhost" }, {})).toThrow(/--ingest must be HOST:PORT/);
    expect(() => loadHubConfig({ http: "x:99999" }, {})).toThrow(/--http must be HOST:PORT/);
    expect(() => loadHubConfig({}, { DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadHubConfig({}, { HUB_PUBLIC_URL: "http://x" })).toThrow(/HUB_PUBLIC_URL/);
    expect(() => loadHubConfig({ "chain-id": "Bad Chain" }, {})).toThrow(/--chain-id/);
  });

  test("TSA settings: zero-setup without TSA_URL; errors name the setting", () => {
    expect(loadHubConfig({}, {}).tsa).toEqual({ timeoutMs: 10_000 });
    const tsa = loadHubConfig(
      {},
      {
        TSA_URL: "http://zd.kamusm.gov.tr",
        TSA_AUTH: "kamusm",
        TSA_USERNAME: "123456",
        TSA_PASSWORD: "secret",
        TSA_CA_FILE: "/etc/logmaster/kamusm.pem",
        TSA_POLICY: "2.16.792.1.2.1.1.5.7.3.1",
        TSA_TIMEOUT_MS: "5000",
      },
    ).tsa;
    expect(tsa).toMatchObject({
      auth: "kamusm",
      timeoutMs: 5_000,
      policy: "2.16.792.1.2.1.1.5.7.3.1",
    });
    expect(() => loadHubConfig({}, { TSA_URL: "ftp://x" })).toThrow(/TSA_URL/);
    expect(() => loadHubConfig({}, { TSA_URL: "http://tsa" })).toThrow(/TSA_CA_FILE/);
    expect(() => loadHubConfig({}, { TSA_USERNAME: "u" })).toThrow(
      /TSA_USERNAME is set but TSA_URL/,
    );
    expect(() =>
      loadHubConfig({}, { TSA_URL: "http://tsa", TSA_CA_FILE: "/x", TSA_AUTH: "digest" }),
    ).toThrow(/TSA_AUTH must be none, basic or kamusm/);
    expect(() =>
      loadHubConfig({}, { TSA_URL: "http://tsa", TSA_CA_FILE: "/x", TSA_POLICY: "abc" }),
    ).toThrow(/TSA_POLICY/);
    expect(() => loadHubConfig({}, { TSA_TIMEOUT_MS: "-1" })).toThrow(/TSA_TIMEOUT_MS/);
  });

  test("IPv6 listeners", () => {
    expect(hubConfigSchema.parse({ ingest: "[::1]:8443" }).ingest).toEqual({
      host: "::1",
      port: 8443,
    });
  });
});
