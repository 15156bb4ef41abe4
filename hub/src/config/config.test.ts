import { describe, expect, test } from "bun:test";
import { hubConfigSchema, loadHubConfig } from "./index.ts";

describe("hub config", () => {
  test("zero-setup defaults: unprivileged loopback ports, PGlite, CA in the data dir", () => {
    const config = loadHubConfig({}, {});
    expect(config.ingest).toEqual({ host: "127.0.0.1", port: 8443, ipv6: false });
    expect(config.http).toEqual({ host: "127.0.0.1", port: 8080, ipv6: false });
    expect(config.httpTls).toBeUndefined();
    expect(config.httpInsecure).toBe(false);
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
    expect(config.ingest).toEqual({ host: "0.0.0.0", port: 9443, ipv6: false });
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
      ipv6: true,
    });
  });

  test("`:PORT` means every interface", () => {
    expect(loadHubConfig({ ingest: ":9443" }, {}).ingest).toEqual({
      host: "0.0.0.0",
      port: 9443,
      ipv6: false,
    });
  });
});

describe("--http beyond loopback needs TLS or an explicit --http-insecure", () => {
  test("loopback stays plain HTTP without any setting", () => {
    for (const http of ["127.0.0.1:8080", "127.9.9.9:8080", "localhost:8080", "[::1]:8080"]) {
      const config = loadHubConfig({ http }, {});
      expect(config.httpTls).toBeUndefined();
      expect(config.httpInsecure).toBe(false);
    }
  });

  test("a non-loopback address without TLS or --http-insecure is refused, naming the options", () => {
    for (const http of [
      ":8080",
      "0.0.0.0:8080",
      "[::]:8080",
      "192.0.2.10:8080",
      "hub.example:80",
    ]) {
      expect(() => loadHubConfig({ http }, {})).toThrow(
        /--http .* is reachable from the network: .*--http-cert FILE and --http-key FILE .*--http-insecure/,
      );
    }
    expect(() => loadHubConfig({}, { HUB_HTTP: ":8080" })).toThrow(/HUB_HTTP_INSECURE=1/);
  });

  test("--http-insecure (or HUB_HTTP_INSECURE=1) accepts plain HTTP and marks it", () => {
    expect(loadHubConfig({ http: ":8080", "http-insecure": true }, {}).httpInsecure).toBe(true);
    expect(loadHubConfig({}, { HUB_HTTP: ":8080", HUB_HTTP_INSECURE: "1" }).httpInsecure).toBe(
      true,
    );
    expect(loadHubConfig({}, { HUB_HTTP: ":8080", HUB_HTTP_INSECURE: "true" }).httpTls).toBe(
      undefined,
    );
    // On loopback nothing is insecure, so nothing is flagged.
    expect(loadHubConfig({ "http-insecure": true }, {}).httpInsecure).toBe(false);
    expect(() => loadHubConfig({ http: ":8080" }, { HUB_HTTP_INSECURE: "0" })).toThrow(
      /reachable from the network/,
    );
    expect(() => loadHubConfig({}, { HUB_HTTP_INSECURE: "yes" })).toThrow(
      /HUB_HTTP_INSECURE must be 1 or 0/,
    );
  });

  test("a certificate and its key make it HTTPS, on any address", () => {
    const fromFlags = loadHubConfig(
      { http: ":8443", "http-cert": "/etc/lm/http.pem", "http-key": "/etc/lm/http.key" },
      {},
    );
    expect(fromFlags.httpTls).toEqual({
      certFile: "/etc/lm/http.pem",
      keyFile: "/etc/lm/http.key",
    });
    expect(fromFlags.httpInsecure).toBe(false);
    const fromEnv = loadHubConfig(
      {},
      { HUB_HTTP: "[::]:8443", HUB_HTTP_CERT: "/c.pem", HUB_HTTP_KEY: "/k.pem" },
    );
    expect(fromEnv.httpTls).toEqual({ certFile: "/c.pem", keyFile: "/k.pem" });
    expect(loadHubConfig({ "http-cert": "/c.pem", "http-key": "/k.pem" }, {}).httpTls).toEqual({
      certFile: "/c.pem",
      keyFile: "/k.pem",
    });
  });

  test("a certificate without its key (or the reverse) names the missing option", () => {
    expect(() => loadHubConfig({ "http-cert": "/c.pem" }, {})).toThrow(
      /--http-cert needs --http-key \(HUB_HTTP_KEY\)/,
    );
    expect(() => loadHubConfig({}, { HUB_HTTP_KEY: "/k.pem" })).toThrow(
      /--http-key needs --http-cert \(HUB_HTTP_CERT\)/,
    );
  });

  test("TLS and --http-insecure together is a contradiction", () => {
    expect(() =>
      loadHubConfig(
        { http: ":8443", "http-cert": "/c.pem", "http-key": "/k.pem", "http-insecure": true },
        {},
      ),
    ).toThrow(/--http-insecure .* give one or the other/);
  });
});
