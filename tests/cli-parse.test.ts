/**
 * `logmaster parse` as a user runs it: raw lines on stdin, JSON lines out.
 */
import { describe, expect, test } from "bun:test";
import { syslogEventSchema } from "../shared/src/syslog/event.ts";

const repoRoot = new URL("..", import.meta.url).pathname;

function runParse(stdin: string | Uint8Array, ...args: string[]) {
  const result = Bun.spawnSync(["bun", "run", "logmaster", "parse", ...args], {
    cwd: repoRoot,
    stdin: typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines = result.stdout.toString().split("\n").filter(Boolean);
  return { exitCode: result.exitCode, lines, stderr: result.stderr.toString() };
}

describe("logmaster parse", () => {
  test("the issue's firewall line with NAT gives source, destination and NAT fields", () => {
    const line =
      "<134>Jan 15 10:30:45 MikroTik firewall,info forward: in:bridge out:ether1, src-mac aa:bb:cc:dd:ee:ff, proto TCP (SYN), 192.168.88.10:52345->8.8.8.8:443, NAT (192.168.88.10:52345->85.105.1.2:52345)->8.8.8.8:443, len 60\n";
    const { exitCode, lines } = runParse(line);
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(1);
    const event = syslogEventSchema.parse(JSON.parse(lines[0] ?? ""));
    expect(event).toMatchObject({
      "source.ip": "192.168.88.10",
      "source.port": 52345,
      "destination.ip": "8.8.8.8",
      "destination.port": 443,
      "source.nat.ip": "85.105.1.2",
      "source.nat.port": 52345,
      "source.mac": "aa:bb:cc:dd:ee:ff",
      "routeros.firewall.chain": "forward",
      "log.syslog.hostname": "MikroTik",
    });
  });

  test("one object per input line, including empty and non-UTF-8 lines", () => {
    const input = new Uint8Array([
      ...new TextEncoder().encode("<13>Jan  5 01:02:03 gw hello\n\n"),
      0xff,
      0xfe,
      0x3c,
      10,
    ]);
    const { exitCode, lines } = runParse(input);
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(3);
    for (const line of lines) syslogEventSchema.parse(JSON.parse(line));
  });

  test("a bad option is a clear error with exit code 2", () => {
    const { exitCode, stderr } = runParse("", "--utc-offset", "3");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--utc-offset must look like +03:00");
  });
});
