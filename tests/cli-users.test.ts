/**
 * `logmaster-hub user add|list|disable|reset-password|reset-totp` as child processes
 * against a hub on a scratch PostgreSQL database: accounts of each role, a
 * generated password shown once that logs in over HTTP, a list without
 * hashes, refusals that name what is wrong, and disable and reset-password
 * ending sessions at once (an access token issued before answers 401). Last,
 * with the hub stopped, the same commands open the data dir themselves
 * (reset-totp too; through the running hub it is in tests/api-totp.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { UserView } from "../hub/src/admin/users.ts";
import { totpCode } from "../hub/src/auth/totp.ts";
import { listAudit } from "../hub/src/store/index.ts";
import { repoRoot, startTestHub, type TestHub } from "./support/pipeline.ts";

const mainTs = join(repoRoot, "hub/src/cli/main.ts");
/** Each test runs the CLI (a fresh Bun process) several times. */
const CLI_TEST_MS = 60_000;
const GRAND = "otel-bir";
const SECOND = "otel-iki";
let testHub: TestHub;

/**
 * `logmaster-hub ARGS --data-dir <the test hub's>`, with `stdin` piped in.
 * Asynchronous: the hub under test runs in this process and must keep answering.
 */
async function hubCli(args: string[], options: { stdin?: string; env?: string[] } = {}) {
  const child = Bun.spawn(
    ["env", ...(options.env ?? []), "bun", mainTs, ...args, "--data-dir", testHub.dataDir],
    {
      stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** Run and expect success. */
async function hubOk(args: string[], options: { stdin?: string; env?: string[] } = {}) {
  const result = await hubCli(args, options);
  if (result.exitCode !== 0)
    throw new Error(`logmaster-hub ${args.join(" ")}: ${result.exitCode}\n${result.stderr}`);
  return result;
}

/** Run and expect a refusal: exit 2 and the reason on stderr. */
async function hubRefused(args: string[], options: { stdin?: string } = {}): Promise<string> {
  const result = await hubCli(args, options);
  expect(result.stdout).toBe("");
  expect(result.exitCode).toBe(2);
  return result.stderr;
}

/** `user add` without a password: the one stdout line is the generated password. */
async function addWithGeneratedPassword(args: string[]): Promise<string> {
  const { stdout, stderr } = await hubOk(["user", "add", ...args]);
  expect(stderr).toContain("shown only now");
  const lines = stdout.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

async function login(username: string, password: string) {
  const response = await fetch(`${testHub.hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as {
    access_token: string;
    token_type: string;
    expires_in: number;
    code?: string;
  };
  const cookie = /lm_refresh=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0];
  return { status: response.status, body, cookie };
}

/** Log in and expect a session; returns its access token and refresh cookie. */
async function session(username: string, password: string) {
  const answer = await login(username, password);
  expect(answer.status).toBe(200);
  return { token: answer.body.access_token, cookie: answer.cookie as string };
}

async function me(token: string) {
  const response = await fetch(`${testHub.hub.httpUrl}/api/auth/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function refreshStatus(cookie: string): Promise<number> {
  const response = await fetch(`${testHub.hub.httpUrl}/api/auth/refresh`, {
    method: "POST",
    headers: { cookie },
  });
  await response.body?.cancel();
  return response.status;
}

/** `/admin/*` as the CLI calls it, for the HTTP statuses. */
async function adminCall(method: string, path: string, body?: unknown) {
  const response = await fetch(`${testHub.hub.httpUrl}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${testHub.hub.adminCredential}`,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The audit log's `user_change` rows, newest first: who changed which account how. */
async function userChanges() {
  return (await listAudit(testHub.hub.db, 500))
    .filter((row) => row.action === "user_change")
    .map((row) => {
      const detail = row.detail as Record<string, unknown>;
      return { actor: row.actor, what: `${detail.change} ${detail.user}`, detail };
    });
}

const listed = async (env?: string[]) =>
  JSON.parse((await hubOk(["user", "list", "--json"], env ? { env } : {})).stdout) as UserView[];

beforeAll(async () => {
  testHub = await startTestHub();
  await testHub.hub.admin.addHotel({ name: "Otel Bir", id: GRAND });
  await testHub.hub.admin.addHotel({ name: "Otel İki", id: SECOND });
}, CLI_TEST_MS);

afterAll(async () => {
  await testHub?.destroy();
});

describe("logmaster-hub user, through the running hub", () => {
  test(
    "adds a user of each role; a generated password is printed once and logs in",
    async () => {
      const adminPassword = await addWithGeneratedPassword([
        "--username",
        "zeynep",
        "--role",
        "chain_admin",
      ]);
      expect(adminPassword.length).toBeGreaterThanOrEqual(12);
      const answer = await login("zeynep", adminPassword);
      expect(answer.status).toBe(200);
      expect(answer.body.token_type).toBe("Bearer");
      expect(answer.body.expires_in).toBeGreaterThan(0);
      expect(answer.cookie).toBeDefined();
      expect((await me(answer.body.access_token)).body).toMatchObject({
        username: "zeynep",
        role: "chain_admin",
        hotels: [],
      });

      // A given password (stdin, with the line end echo adds); hotels by id and by name.
      const manager = await hubOk(
        [
          "user",
          "add",
          "--username",
          "ayse",
          "--role",
          "hotel_manager",
          "--hotel",
          GRAND,
          "--hotel",
          "Otel İki",
          "--password-stdin",
        ],
        { stdin: "ayse's long password\n" },
      );
      expect(manager.stdout.trim()).toBe(`user "ayse" added: hotel_manager of ${GRAND}, ${SECOND}`);
      expect(manager.stderr).not.toContain("shown only now");
      const ayse = await session("ayse", "ayse's long password");
      expect((await me(ayse.token)).body).toMatchObject({
        role: "hotel_manager",
        hotels: [GRAND, SECOND],
      });

      const auditorPassword = await addWithGeneratedPassword([
        "--username",
        "denetci",
        "--role",
        "auditor",
      ]);
      await session("denetci", auditorPassword);
      const itPassword = await addWithGeneratedPassword([
        "--username",
        "mehmet.it",
        "--role",
        "hotel_it",
        "--hotel",
        SECOND,
      ]);
      expect((await me((await session("mehmet.it", itPassword)).token)).body).toMatchObject({
        role: "hotel_it",
        hotels: [SECOND],
      });
      // The hub answered the password once; it keeps no copy anywhere readable.
      const audit = JSON.stringify(await listAudit(testHub.hub.db, 200));
      for (const password of [adminPassword, auditorPassword, itPassword])
        expect(audit).not.toContain(password);
    },
    CLI_TEST_MS,
  );

  test(
    "user list shows roles and hotels, never a hash",
    async () => {
      const users = await listed();
      const byName = Object.fromEntries(users.map((u) => [u.username, u]));
      expect(Object.keys(byName)).toEqual(["ayse", "denetci", "mehmet.it", "zeynep"]);
      expect(byName.zeynep).toMatchObject({ role: "chain_admin", hotels: [], disabled_at: null });
      expect(byName.ayse).toMatchObject({ role: "hotel_manager", hotels: [GRAND, SECOND] });
      expect(byName.denetci).toMatchObject({ role: "auditor", hotels: [] });
      expect(byName["mehmet.it"]).toMatchObject({ role: "hotel_it", hotels: [SECOND] });
      const text = JSON.stringify(users);
      expect(text).not.toMatch(/argon2|hash/i);

      const table = (await hubOk(["user", "list"])).stdout;
      expect(table).toMatch(/^USERNAME\s+ROLE\s+HOTELS\s+CREATED\s+PASSWORD_CHANGED\s+DISABLED/);
      expect(table).toMatch(/ayse\s+hotel_manager\s+otel-bir,otel-iki\s/);
      expect(table).toMatch(/denetci\s+auditor\s+\(every hotel\)\s/);
      expect(table).not.toMatch(/argon2/);
    },
    CLI_TEST_MS,
  );

  test(
    "audit list filters by action and actor prefix, and pages back with --before",
    async () => {
      const list = async (...args: string[]) =>
        JSON.parse((await hubOk(["audit", "list", "--json", ...args])).stdout) as {
          id: number;
          action: string;
          actor: string;
        }[];
      const changes = await list(
        "--action",
        "user_change",
        "--actor",
        "admin-credential*",
        "--limit",
        "2",
      );
      expect(changes.length).toBe(2);
      for (const row of changes) {
        expect(row.action).toBe("user_change");
        expect(row.actor.startsWith("admin-credential")).toBe(true);
      }
      const older = await list("--action", "user_change", "--before", String(changes[1]?.id));
      expect(older.length).toBeGreaterThan(0);
      expect(older.every((row) => row.id < (changes[1]?.id ?? 0))).toBe(true);
      expect(await hubRefused(["audit", "list", "--action", "nonsense"])).toContain(
        "action must be one of",
      );
    },
    CLI_TEST_MS,
  );

  test(
    "refusals name what is wrong and exit 2",
    async () => {
      expect(
        await hubRefused(["user", "add", "--username", "zeynep", "--role", "auditor"]),
      ).toContain('a user named "zeynep" exists already');
      expect(await hubRefused(["user", "add", "--username", "x1", "--role", "admin"])).toContain(
        "--role must be one of chain_admin, hotel_manager, auditor, hotel_it",
      );
      expect(await hubRefused(["user", "add", "--role", "auditor"])).toContain(
        "--username is required",
      );
      expect(
        await hubRefused(["user", "add", "--username", "Ayse", "--role", "auditor"]),
      ).toContain("--username must be 2 to 64 characters");
      expect(
        await hubRefused([
          "user",
          "add",
          "--username",
          "x2",
          "--role",
          "hotel_manager",
          "--hotel",
          GRAND,
          "--hotel",
          "otel-yok",
        ]),
      ).toContain('no hotel with id or name "otel-yok"');
      expect(
        await hubRefused([
          "user",
          "add",
          "--username",
          "x3",
          "--role",
          "chain_admin",
          "--hotel",
          GRAND,
        ]),
      ).toContain("a chain_admin sees every hotel and takes no hotels (--hotel)");
      expect(await hubRefused(["user", "add", "--username", "x4", "--role", "hotel_it"])).toContain(
        "a hotel_it needs at least one hotel (--hotel)",
      );
      expect(
        await hubRefused(
          ["user", "add", "--username", "x5", "--role", "auditor", "--password-stdin"],
          {
            stdin: "short\n",
          },
        ),
      ).toContain("password must be at least 12 characters");
      expect(await hubRefused(["user", "disable", "nobody"])).toContain('no user named "nobody"');
      expect(await hubRefused(["user", "reset-password", "nobody"])).toContain(
        'no user named "nobody"',
      );
      expect(await hubRefused(["user", "frobnicate"])).toContain("user needs 'add --username U");
      expect(await hubRefused(["user", "list", "--hotel", GRAND])).toContain(
        "--hotel does not apply to this command",
      );
      // None of them made an account.
      expect((await listed()).map((u) => u.username)).toEqual([
        "ayse",
        "denetci",
        "mehmet.it",
        "zeynep",
      ]);

      // The API's statuses and codes behind them.
      const duplicate = await adminCall("POST", "/users", { username: "ayse", role: "auditor" });
      expect(duplicate).toMatchObject({ status: 409, body: { code: "conflict" } });
      const unknownHotel = await adminCall("POST", "/users", {
        username: "x6",
        role: "hotel_it",
        hotels: ["otel-yok"],
      });
      expect(unknownHotel).toMatchObject({
        status: 400,
        body: { code: "invalid_request", message: 'no hotel with id or name "otel-yok"' },
      });
      const badRole = await adminCall("POST", "/users", { username: "x7", role: "root" });
      expect(badRole.status).toBe(422); // invalid input, with the field path
      expect(badRole.body.message).toContain("role: must be one of");
      expect(await adminCall("POST", "/users/nobody/disable")).toMatchObject({
        status: 404,
        body: { code: "not_found" },
      });
      const listedOverHttp = await adminCall("GET", "/users");
      expect(listedOverHttp.status).toBe(200);
      expect(JSON.stringify(listedOverHttp.body)).not.toMatch(/argon2|hash/i);
    },
    CLI_TEST_MS,
  );

  test(
    "user disable refuses logins and ends sessions at once",
    async () => {
      const password = await addWithGeneratedPassword([
        "--username",
        "leaving",
        "--role",
        "hotel_manager",
        "--hotel",
        GRAND,
      ]);
      const before = await session("leaving", password);
      expect((await me(before.token)).status).toBe(200);

      const { stdout } = await hubOk(["user", "disable", "leaving"]);
      expect(stdout).toMatch(/^user "leaving" disabled at \d{4}-.*sessions have ended/);
      // The access token was valid for minutes more; it is refused now.
      expect((await me(before.token)).status).toBe(401);
      expect(await refreshStatus(before.cookie)).toBe(401);
      expect((await login("leaving", password)).status).toBe(401);
      expect((await listed()).find((u) => u.username === "leaving")?.disabled_at).toMatch(
        /^\d{4}-/,
      );
      expect(await hubRefused(["user", "disable", "leaving"])).toContain("is disabled already");
    },
    CLI_TEST_MS,
  );

  test(
    "user reset-password ends the old sessions; the new password works",
    async () => {
      const first = await addWithGeneratedPassword([
        "--username",
        "forgetful",
        "--role",
        "auditor",
      ]);
      const before = await session("forgetful", first);

      const { stdout, stderr } = await hubOk(["user", "reset-password", "forgetful"]);
      expect(stderr).toContain('password of "forgetful" changed');
      expect(stderr).toContain("shown only now");
      const second = stdout.trim();
      expect(second).not.toBe(first);
      expect((await me(before.token)).status).toBe(401);
      expect(await refreshStatus(before.cookie)).toBe(401);
      expect((await login("forgetful", first)).status).toBe(401);
      const after = await session("forgetful", second);
      expect((await me(after.token)).status).toBe(200);

      // A chosen password, from stdin: printed nowhere.
      const chosen = await hubOk(["user", "reset-password", "forgetful", "--password-stdin"], {
        stdin: "a password I chose myself\r\n",
      });
      expect(chosen.stdout.trim()).toBe('password of "forgetful" changed: its sessions have ended');
      expect((await me(after.token)).status).toBe(401);
      await session("forgetful", "a password I chose myself");
    },
    CLI_TEST_MS,
  );

  test(
    "every change is in the audit log with the CLI user behind the admin credential",
    async () => {
      const changes = await userChanges();
      expect(changes.map((change) => change.what)).toEqual(
        expect.arrayContaining([
          "add zeynep",
          "add ayse",
          "add denetci",
          "add mehmet.it",
          "disable leaving",
          "reset_password forgetful",
        ]),
      );
      for (const change of changes) expect(change.actor).toMatch(/^admin-credential \(cli:.+\)$/);
      expect(changes.find((change) => change.what === "add ayse")?.detail).toMatchObject({
        role: "hotel_manager",
        hotels: [GRAND, SECOND],
      });
    },
    CLI_TEST_MS,
  );
});

describe("with no hub running, user commands open the data dir", () => {
  test(
    "add, list, reset-password, reset-totp and disable on the stopped hub's database",
    async () => {
      // A second factor for "forgetful", whose phone will be lost while the hub is down.
      const { token } = await session("forgetful", "a password I chose myself");
      const api = (path: string, body: unknown) =>
        fetch(`${testHub.hub.httpUrl}/api/auth/totp/${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const setup = (await (
        await api("setup", { password: "a password I chose myself" })
      ).json()) as {
        secret: string;
      };
      expect((await api("confirm", { code: totpCode(setup.secret) })).status).toBe(200);
      expect((await login("forgetful", "a password I chose myself")).body.code).toBe(
        "totp_required",
      );
      await testHub.stop();
      const env = [`DATABASE_URL=${testHub.databaseUrl}`, "REDIS_URL="];
      const added = await hubOk(
        ["user", "add", "--username", "offline", "--role", "hotel_it", "--hotel", GRAND],
        { env },
      );
      expect(added.stderr).toContain("shown only now");
      const firstPassword = added.stdout.trim();
      expect((await listed(env)).find((u) => u.username === "offline")).toMatchObject({
        role: "hotel_it",
        hotels: [GRAND],
      });
      const reset = await hubOk(["user", "reset-password", "offline"], { env });
      const password = reset.stdout.trim();
      expect(password).not.toBe(firstPassword);
      await hubOk(["user", "disable", "ayse"], { env });
      const cleared = await hubOk(["user", "reset-totp", "forgetful"], { env });
      expect(cleared.stdout).toContain('second factor of "forgetful" cleared');

      await testHub.restart();
      expect((await login("offline", firstPassword)).status).toBe(401);
      expect((await me((await session("offline", password)).token)).body).toMatchObject({
        role: "hotel_it",
        hotels: [GRAND],
      });
      expect((await login("ayse", "ayse's long password")).status).toBe(401);
      await session("forgetful", "a password I chose myself");
      const offlineChanges = (await userChanges()).filter((change) =>
        change.actor.startsWith("cli:"),
      );
      expect(offlineChanges.map((change) => change.what).sort()).toEqual([
        "add offline",
        "disable ayse",
        "reset_password offline",
        "reset_totp forgetful",
      ]);
    },
    CLI_TEST_MS,
  );
});
