/**
 * `logmaster-hub token create` and `agent revoke` as child processes against a
 * hub on a scratch PostgreSQL database: the token alone on stdout and the
 * install command to paste on the site box beside it, and an audit row for
 * each token and revocation (never the token itself) naming the CLI user
 * behind the admin credential. Last, with the hub stopped, the same commands
 * open the data dir and leave the same rows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { addAgentRow } from "../hub/src/store/fixtures.ts";
import { type AuditEntry, findAgent, listAudit } from "../hub/src/store/index.ts";
import { runProcess } from "../shared/src/testing/run-process.ts";
import { repoRoot, startTestHub, type TestHub } from "./support/pipeline.ts";

const mainTs = join(repoRoot, "hub/src/cli/main.ts");
/** Each test runs the CLI (a fresh Bun process) a few times. */
const CLI_TEST_MS = 60_000;
const HOTEL = "otel-bir";
let testHub: TestHub;

/** `logmaster-hub ARGS --data-dir <the test hub's>`; `env` sets variables of the child. */
async function hubOk(args: string[], env: string[] = []) {
  const result = await runProcess([
    "env",
    ...env,
    "bun",
    mainTs,
    ...args,
    "--data-dir",
    testHub.dataDir,
  ]);
  if (result.exitCode !== 0)
    throw new Error(`logmaster-hub ${args.join(" ")}: ${result.exitCode}\n${result.stderr}`);
  return result;
}

/** `token create`: stdout is the token alone; stderr names it and gives the line to paste. */
async function createToken(env: string[] = []) {
  const { stdout, stderr } = await hubOk(["token", "create", "--hotel", HOTEL, "--ttl", "2h"], env);
  const lines = stdout.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  const token = lines[0] as string;
  expect(token).toMatch(/^lm1\.[A-Za-z0-9_-]+$/);
  expect(stderr).toContain(`enrollment token for hotel ${HOTEL}, valid until `);
  expect(stderr).toContain(
    `\n  sudo -u logmaster logmaster-agent enroll --token '${token}' --data-dir /var/lib/logmaster-agent\n`,
  );
  return token;
}

/** The newest audit row of `action`. */
async function newest(action: AuditEntry["action"]): Promise<AuditEntry> {
  const [row] = (await listAudit(testHub.hub.db, 50)).filter((entry) => entry.action === action);
  if (!row) throw new Error(`no ${action} row in the audit log`);
  return row;
}

/** The token's secret part must appear in no audit row: a row must not be a way to enroll. */
async function expectNoTokenInAudit(token: string) {
  expect(JSON.stringify(await listAudit(testHub.hub.db, 500))).not.toContain(token.slice(4));
}

beforeAll(async () => {
  testHub = await startTestHub();
  await testHub.hub.admin.addHotel({ name: "Otel Bir", id: HOTEL });
  for (const id of [`${HOTEL}-a1`, `${HOTEL}-a2`])
    await addAgentRow(testHub.hub.db, { id, hotelId: HOTEL, enrolledAt: new Date() });
}, CLI_TEST_MS);

afterAll(async () => {
  await testHub?.destroy();
});

describe("logmaster-hub token and agent, through the running hub", () => {
  test(
    "token create prints the token and its install command, and the audit log keeps the creation, not the token",
    async () => {
      const token = await createToken();
      const row = await newest("token_create");
      expect(row.actor).toMatch(/^admin-credential \(cli:.+\)$/);
      expect(row.hotelId).toBe(HOTEL);
      expect(row.detail).toMatchObject({
        kind: "token_create",
        address: expect.stringMatching(/127\.0\.0\.1/),
        params: { hotel: HOTEL, ttl_ms: 7_200_000, expires_at: expect.any(String) },
        rows: 1,
      });
      await expectNoTokenInAudit(token);
    },
    CLI_TEST_MS,
  );

  test(
    "agent revoke refuses the agent and is in the audit log with the CLI user",
    async () => {
      const agent = `${HOTEL}-a1`;
      const { stdout } = await hubOk(["agent", "revoke", agent]);
      expect(stdout).toContain(`agent ${agent} revoked at `);
      expect((await findAgent(testHub.hub.db, agent))?.revokedAt).not.toBeNull();
      const row = await newest("agent_revoke");
      expect(row.actor).toMatch(/^admin-credential \(cli:.+\)$/);
      expect(row.hotelId).toBe(HOTEL);
      expect(row.detail).toMatchObject({
        kind: "agent_revoke",
        address: expect.stringMatching(/127\.0\.0\.1/),
        params: { agent },
        rows: 1,
      });
    },
    CLI_TEST_MS,
  );
});

describe("with no hub running, token and agent commands open the data dir", () => {
  test(
    "token create and agent revoke on the stopped hub's database leave the same audit rows",
    async () => {
      await testHub.stop();
      const env = [`DATABASE_URL=${testHub.databaseUrl}`, "REDIS_URL="];
      const token = await createToken(env);
      const agent = `${HOTEL}-a2`;
      expect((await hubOk(["agent", "revoke", agent], env)).stdout).toContain(
        `agent ${agent} revoked at `,
      );
      await testHub.restart();
      const created = await newest("token_create");
      expect(created.actor).toMatch(/^cli:.+/);
      expect(created).toMatchObject({
        hotelId: HOTEL,
        detail: { kind: "token_create", params: { hotel: HOTEL, ttl_ms: 7_200_000 }, rows: 1 },
      });
      const revoked = await newest("agent_revoke");
      expect(revoked.actor).toMatch(/^cli:.+/);
      expect(revoked).toMatchObject({
        hotelId: HOTEL,
        detail: { kind: "agent_revoke", params: { agent }, rows: 1 },
      });
      // On the data dir there is no client address to name.
      expect(created.detail).not.toHaveProperty("address");
      await expectNoTokenInAudit(token);
    },
    CLI_TEST_MS,
  );
});
