import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentConfigError, loadAgentConfig, parseAgentConfig } from "./index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tomlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lm-cfg-"));
  dirs.push(dir);
  writeFileSync(join(dir, "agent.toml"), text);
  return join(dir, "agent.toml");
}

test("defaults fill an empty config", () => {
  const config = parseAgentConfig({});
  expect(config.udp.listen).toEqual(["0.0.0.0:514"]);
  expect(config.udp.recvBufferBytes).toBe(32 * 1024 * 1024);
  expect(config.wal.fsyncIntervalMs).toBe(100);
  expect(config.status.listen).toBe("127.0.0.1:5141");
});

test("flags override the TOML file, which overrides defaults", async () => {
  const path = tomlFile(
    `dataDir = "/srv/lm"\n[udp]\nlisten = ["0.0.0.0:5514", "[::]:5514"]\n[wal]\nfsyncIntervalMs = 50\n`,
  );
  const fromFile = await loadAgentConfig({ config: path });
  expect(fromFile).toMatchObject({
    dataDir: "/srv/lm",
    udp: { listen: ["0.0.0.0:5514", "[::]:5514"] },
    wal: { fsyncIntervalMs: 50 },
  });
  const withFlags = await loadAgentConfig({
    config: path,
    dataDir: "/tmp/x",
    udp: ["127.0.0.1:0"],
  });
  expect(withFlags).toMatchObject({
    dataDir: "/tmp/x",
    udp: { listen: ["127.0.0.1:0"] },
    wal: { fsyncIntervalMs: 50 },
  });
});

test("errors name the option and the source", async () => {
  expect(() => parseAgentConfig({ udp: { listen: "514" } })).toThrow(
    /udp\.listen: must be HOST:PORT/,
  );
  expect(() => parseAgentConfig({ wal: { maxDiskBytes: 10 } })).toThrow(
    /wal\.maxDiskBytes: must be at least 16 MiB/,
  );
  const typo = tomlFile(`[wal]\nfsyncIntervalMS = 5\n`);
  await expect(loadAgentConfig({ config: typo })).rejects.toThrow(
    /agent\.toml \+ flags: wal: .*fsyncIntervalMS/,
  );
  await expect(loadAgentConfig({ config: tomlFile("dataDir = ") })).rejects.toBeInstanceOf(
    AgentConfigError,
  );
  await expect(loadAgentConfig({ hub: "not a url" })).rejects.toThrow(/hub\.url: must be a URL/);
});
