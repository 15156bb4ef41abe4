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

  test("IPv6 listeners", () => {
    expect(hubConfigSchema.parse({ ingest: "[::1]:8443" }).ingest).toEqual({
      host: "::1",
      port: 8443,
    });
  });
});
