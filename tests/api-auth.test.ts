/**
 * People at the hub over HTTP, on real PostgreSQL and Redis: logging in,
 * refresh rotation and reuse, logout and disabling ending sessions at once,
 * lockout after failed logins, what each role may and may not read, and the
 * audit trail of it all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { hashPassword } from "../hub/src/auth/passwords.ts";
import { type RunningHub, startHub } from "../hub/src/hub.ts";
import { codeScopeFilter } from "../hub/src/query/scope.ts";
import {
  findUserByUsername,
  insertUser,
  listAudit,
  revokeUserSessions,
  writeAudit,
} from "../hub/src/store/index.ts";
import type { UserRole } from "../hub/src/store/schema.ts";
import { createScratchDatabase } from "../hub/src/store/testing.ts";
import {
  addHotelsWithAgents,
  linesOf,
  type SimulatedHotel,
  simulateHotels,
  storeHours,
} from "./support/index-data.ts";

const START = Date.parse("2026-03-12T11:30:00Z");
const RANGE = "from=2026-03-12T11:00:00Z&to=2026-03-12T13:00:00Z";
const PASSWORD = "correct horse battery staple";
let hub: RunningHub;
let dropDatabase: () => Promise<void>;
let hotels: SimulatedHotel[];
const dir = mkdtempSync(join(tmpdir(), "logmaster-api-auth-"));

async function addUser(username: string, role: UserRole, hotelIds: string[] = []) {
  await insertUser(hub.db, {
    username,
    role,
    hotels: hotelIds,
    passwordHash: await hashPassword(PASSWORD),
  });
}

async function loginAs(username: string, password = PASSWORD) {
  const response = await fetch(`${hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    code?: string;
    message?: string;
  };
  const cookie = response.headers.get("set-cookie") ?? "";
  return {
    status: response.status,
    body,
    token: body.access_token ?? "",
    refreshCookie: cookie.split(";")[0] ?? "",
  };
}

const api = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${hub.httpUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(init.headers ?? {}),
    },
  });

beforeAll(async () => {
  const scratch = await createScratchDatabase();
  dropDatabase = scratch.drop;
  hub = await startHub({
    dataDir: dir,
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    databaseUrl: scratch.url,
    redisUrl: process.env.REDIS_URL,
    redisPrefix: `auth-test-${Date.now()}`,
    caKeyBits: 2048,
    quiet: true,
  });
  hotels = simulateHotels(["otel-a", "otel-b"], { eps: 10, startMs: START, count: 4000, seed: 21 });
  await addHotelsWithAgents(hub.db, hotels);
  await storeHours(
    hub.db,
    hotels.flatMap((hotel) => hotel.hours.map((hour) => ({ hotel, hour }))),
    64 * 1024,
  );
  await hub.indexer.drain();
  await addUser("admin.ayse", "chain_admin");
  await addUser("mgr.a", "hotel_manager", ["otel-a"]);
  await addUser("it.a", "hotel_it", ["otel-a"]);
  await addUser("audit.chain", "auditor");
  await addUser("audit.b", "auditor", ["otel-b"]);
  await addUser("victim", "hotel_manager", ["otel-a"]);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("sessions", () => {
  test("login answers an access token and an HttpOnly, Secure, SameSite=Strict refresh cookie; me says who", async () => {
    const response = await fetch(`${hub.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "mgr.a", password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^lm_refresh=/);
    for (const flag of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"])
      expect(cookie).toContain(flag);
    const me = await (await api(String(body.access_token), "/api/auth/me")).json();
    expect(me).toEqual({
      kind: "user",
      username: "mgr.a",
      role: "hotel_manager",
      hotels: ["otel-a"],
    });
  });

  test("invalid input answers 422 naming the field; a body over 1 MiB answers 413", async () => {
    const invalid = await fetch(`${hub.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "mgr.a" }),
    });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { message: string }).message).toContain("password");
    const huge = await fetch(`${hub.httpUrl}/api/auth/login`, {
      method: "POST",
      // The hub answers before reading the rest: this connection is not one to reuse.
      headers: { "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ username: "mgr.a", password: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  test("a wrong password and an unknown user get the same 401", async () => {
    const wrong = await loginAs("mgr.a", "not the password at all");
    const unknown = await loginAs("nobody", PASSWORD);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  test("refresh rotates; the spent refresh token used again ends the whole login", async () => {
    const first = await loginAs("audit.chain");
    const refresh = (cookie: string) =>
      fetch(`${hub.httpUrl}/api/auth/refresh`, { method: "POST", headers: { cookie } });
    const second = await refresh(first.refreshCookie);
    expect(second.status).toBe(200);
    const secondCookie = (second.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(secondCookie).not.toBe(first.refreshCookie);
    const secondToken = ((await second.json()) as { access_token: string }).access_token;
    expect((await api(secondToken, "/api/auth/me")).status).toBe(200);
    // The thief replays the first cookie: refused, and the rightful holder's session ends too.
    expect((await refresh(first.refreshCookie)).status).toBe(401);
    expect((await refresh(secondCookie)).status).toBe(401);
    expect((await api(secondToken, "/api/auth/me")).status).toBe(401);
    expect((await api(first.token, "/api/auth/me")).status).toBe(401);
  });

  test("logout ends that login's access token at once, on the server", async () => {
    const session = await loginAs("mgr.a");
    expect((await api(session.token, "/api/auth/me")).status).toBe(200);
    const out = await fetch(`${hub.httpUrl}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: session.refreshCookie },
    });
    expect(out.status).toBe(200);
    expect((await api(session.token, "/api/auth/me")).status).toBe(401);
  });

  test("disabling a user ends their sessions at once and login fails", async () => {
    const session = await loginAs("victim");
    expect((await api(session.token, "/api/auth/me")).status).toBe(200);
    const user = await findUserByUsername(hub.db, "victim");
    await revokeUserSessions(hub.db, user?.id as string, { disable: true });
    expect((await api(session.token, "/api/auth/me")).status).toBe(401);
    expect((await loginAs("victim")).status).toBe(401);
  });

  test("100 wrong passwords lock the account: then the right one fails too, and both are audit-logged", async () => {
    await addUser("target", "hotel_manager", ["otel-a"]);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++)
      statuses.push((await loginAs("target", `wrong password ${i}`)).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const right = await loginAs("target");
    expect(right.status).toBe(429);
    expect(right.body.message).toContain("too many failed logins");
    const audit = (await listAudit(hub.db, 500)).filter((row) => row.actor === "user:target");
    expect(
      audit.some(
        (row) =>
          row.action === "login_failed" && (row.detail as { locked_out?: boolean }).locked_out,
      ),
    ).toBe(true);
    expect(
      audit.some(
        (row) =>
          row.action === "login_failed" &&
          (row.detail as { reason?: string }).reason === "locked_out",
      ),
    ).toBe(true);
  }, 120_000);

  test("guessing the current password through a password change locks the account like failed logins", async () => {
    await addUser("guesser", "hotel_manager", ["otel-a"]);
    const { token } = await loginAs("guesser");
    const change = async (current: string) => {
      const response = await api(token, "/api/auth/password", {
        method: "POST",
        body: JSON.stringify({ current_password: current, new_password: "a brand new password" }),
      });
      return { status: response.status, body: (await response.json()) as { code: string } };
    };
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await change(`guess number ${i}`));
    // Ten failures of a user lock it (hub/src/auth/throttle.ts DEFAULT_THROTTLE), as at login.
    expect(answers.slice(0, 10).map((answer) => [answer.status, answer.body.code])).toEqual(
      Array(10).fill([401, "invalid_credential"]),
    );
    expect([answers[10]?.status, answers[10]?.body.code]).toEqual([429, "too_many_requests"]);
    // Locked: the right current password is refused too, and so is a login with it.
    expect((await change(PASSWORD)).status).toBe(429);
    const login = await loginAs("guesser");
    expect(login.status).toBe(429);
    expect(login.body.message).toContain("too many failed logins");
    const user = await findUserByUsername(hub.db, "guesser");
    expect(user?.passwordChangedAt.getTime()).toBe(user?.createdAt.getTime());
    const audit = (await listAudit(hub.db, 500)).filter((row) => row.actor === "user:guesser");
    const failures = audit
      .filter((row) => row.action === "login_failed")
      .map((row) => row.detail as { reason: string; during?: string; locked_out?: boolean });
    expect(
      failures.filter(
        (detail) =>
          detail.during === "password_change" && detail.reason === "wrong_current_password",
      ),
    ).toHaveLength(10);
    expect(failures.some((detail) => detail.locked_out)).toBe(true);
  }, 60_000);
});

describe("the CLI's admin routes", () => {
  test("act as the admin credential, named by the CLI user, in the audit log", async () => {
    const response = await fetch(`${hub.httpUrl}/admin/purge`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${hub.adminCredential}`,
        "content-type": "application/json",
        "x-logmaster-actor": "cli:ops",
      },
      body: JSON.stringify({ dry_run: true }),
    });
    expect(response.status).toBe(200);
    const [row] = (await listAudit(hub.db, 20)).filter((entry) => entry.action === "purge");
    expect(row?.actor).toBe("admin-credential (cli:ops)");
  });
});

describe("security headers", () => {
  test("CSP with frame-ancestors 'none', no framing, no referrer; no HSTS on plain HTTP", async () => {
    const response = await fetch(`${hub.httpUrl}/healthz`);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("what each role may read", () => {
  test("a hotel manager sees their hotel only; another hotel's data answers 404", async () => {
    const { token } = await loginAs("mgr.a");
    const page = (await (await api(token, `/api/search?${RANGE}&limit=500`)).json()) as {
      hits: { hotel: string }[];
    };
    expect(page.hits.length).toBeGreaterThan(0);
    expect(new Set(page.hits.map((hit) => hit.hotel))).toEqual(new Set(["otel-a"]));
    for (const path of [
      `/api/search?${RANGE}&hotels=otel-b`,
      `/api/search/histogram?${RANGE}&hotels=otel-b`,
      "/api/devices?hotel=otel-b",
      `/api/lookup/ip?ip=10.2.1.1&at=2026-03-12T11:40:00Z&hotel=otel-b`,
    ]) {
      // Not "forbidden": another hotel's data answers as if it did not exist.
      expect([path, (await api(token, path)).status]).toEqual([path, 404]);
    }
    const theirs = linesOf(hotels[1]?.hours ?? []).find(
      (line) => line.kind === "dhcp" && line.device,
    );
    const lookup = (await (
      await api(
        token,
        `/api/lookup/ip?ip=${theirs?.device?.ip}&at=${new Date((theirs?.timeMs ?? 0) + 1000).toISOString()}`,
      )
    ).json()) as { lease: unknown };
    expect(lookup.lease).toBeNull();
    // Custody is scoped like search (tests/api-isolation.test.ts); the audit log is chain-wide only.
    const chunks = (await (await api(token, "/api/chunks")).json()) as { hotel_id: string }[];
    expect(new Set(chunks.map((chunk) => chunk.hotel_id))).toEqual(new Set(["otel-a"]));
    expect((await api(token, "/api/audit")).status).toBe(403);
  });

  test("with the code's hotel condition switched off, the database alone still shows a manager nothing of another hotel", async () => {
    const { token } = await loginAs("mgr.a");
    const theirs = linesOf(hotels[1]?.hours ?? []).filter(
      (line) => line.kind === "dhcp" && line.device,
    );
    const fact = theirs[0];
    const at = new Date((fact?.timeMs ?? 0) + 1000).toISOString();
    const nat = linesOf(hotels[1]?.hours ?? []).find(
      (line) => line.kind === "firewall" && line.line.includes("NAT ("),
    );
    const natAddress = nat?.line.match(/NAT \([\d.]+:\d+->([\d.]+:\d+)\)/)?.[1];
    codeScopeFilter.on = false;
    try {
      const json = async (path: string) =>
        (await api(token, path)).json() as Promise<Record<string, unknown>>;
      const page = (await json(`/api/search?${RANGE}&limit=1000`)) as { hits: { hotel: string }[] };
      expect(page.hits.length).toBeGreaterThan(0);
      expect(page.hits.every((hit) => hit.hotel === "otel-a")).toBe(true);
      const top = (await json(`/api/search/top?${RANGE}&field=hotel`)) as {
        values: { value: string }[];
      };
      expect(top.values.map((value) => value.value)).toEqual(["otel-a"]);
      const histogram = (await json(`/api/search/histogram?${RANGE}`)) as { total: number };
      expect(histogram.total).toBe(linesOf(hotels[0]?.hours ?? []).length);
      const exported = await (await api(token, `/api/search/export?${RANGE}`)).text();
      expect(exported).not.toContain('"hotel":"otel-b"');
      const lookup = (await json(`/api/lookup/ip?ip=${fact?.device?.ip}&at=${at}`)) as {
        lease: unknown;
      };
      expect(lookup.lease).toBeNull();
      const byMac = (await json(`/api/lookup/mac?mac=${fact?.device?.mac}&${RANGE}`)) as {
        leases: unknown[];
      };
      expect(byMac.leases).toEqual([]);
      const natAnswer = (await json(
        `/api/lookup/nat?address=${natAddress}&at=${new Date((nat?.timeMs ?? 0) + 500).toISOString()}`,
      )) as {
        connection: unknown;
      };
      expect(natAnswer.connection).toBeNull();
      const devices = (await (await api(token, "/api/devices")).json()) as { hotel: string }[];
      expect(devices.every((device) => device.hotel === "otel-a")).toBe(true);
    } finally {
      codeScopeFilter.on = true;
    }
  });

  test("hotel IT gets 403 on every guest-event route, and may list and name devices", async () => {
    const { token } = await loginAs("it.a");
    for (const path of [
      `/api/search?${RANGE}`,
      `/api/search/histogram?${RANGE}`,
      `/api/search/top?${RANGE}&field=src_ip`,
      `/api/search/export?${RANGE}`,
      "/api/lookup/ip?ip=10.1.1.1&at=2026-03-12T11:40:00Z",
      "/api/lookup/mac?mac=aa:bb:cc:dd:ee:ff&from=2026-03-12T11:00:00Z&to=2026-03-12T12:00:00Z",
      "/api/lookup/nat?address=192.0.2.1:1234&at=2026-03-12T11:40:00Z",
      "/api/tail",
    ]) {
      expect([path, (await api(token, path)).status]).toEqual([path, 403]);
    }
    const devices = (await (await api(token, "/api/devices")).json()) as {
      hotel: string;
      agent: string;
      address: string;
    }[];
    expect(devices.map((device) => device.hotel)).toEqual(["otel-a"]);
    const device = devices[0];
    const named = await api(token, `/api/devices/${device?.agent}/${device?.address}`, {
      method: "PUT",
      body: JSON.stringify({ name: "lobby router" }),
    });
    expect(named.status).toBe(200);
  });

  test("an auditor reads chain-wide (or their hotels) and changes nothing", async () => {
    const chain = await loginAs("audit.chain");
    const page = (await (await api(chain.token, `/api/search?${RANGE}&limit=1000`)).json()) as {
      hits: { hotel: string }[];
    };
    expect(new Set(page.hits.map((hit) => hit.hotel))).toEqual(new Set(["otel-a", "otel-b"]));
    expect((await api(chain.token, "/api/audit")).status).toBe(200);
    const devices = (await (await api(chain.token, "/api/devices")).json()) as {
      agent: string;
      address: string;
    }[];
    const rename = await api(
      chain.token,
      `/api/devices/${devices[0]?.agent}/${devices[0]?.address}`,
      {
        method: "PUT",
        body: JSON.stringify({ name: "x" }),
      },
    );
    expect(rename.status).toBe(403);
    const reindex = await api(chain.token, "/api/reindex", {
      method: "POST",
      body: JSON.stringify({ hotel: "otel-a" }),
    });
    expect(reindex.status).toBe(403);
    const bound = await loginAs("audit.b");
    const theirs = (await (await api(bound.token, `/api/search?${RANGE}&limit=1000`)).json()) as {
      hits: { hotel: string }[];
    };
    expect(new Set(theirs.hits.map((hit) => hit.hotel))).toEqual(new Set(["otel-b"]));
  });

  test("every read of guest data is in the audit log: who, from where, scope, parameters, rows", async () => {
    const { token } = await loginAs("admin.ayse");
    await api(token, `/api/search?${RANGE}&ip=10.1.1.5&limit=3`);
    const [row] = (await listAudit(hub.db, 50)).filter(
      (entry) => entry.actor === "user:admin.ayse" && entry.action === "search",
    );
    expect(row?.detail).toMatchObject({
      kind: "search",
      address: expect.stringContaining("127.0.0.1"),
      scope: ["otel-a", "otel-b"],
      params: { ip: ["10.1.1.5"], limit: ["3"] },
    });
    expect(typeof (row?.detail as { rows?: number } | undefined)?.rows).toBe("number");
  });
});

describe("the audit log", () => {
  test("chain admins read it as JSON or CSV, managers may not, and its chain verifies", async () => {
    const admin = await loginAs("admin.ayse");
    const rows = (await (await api(admin.token, "/api/audit?limit=20")).json()) as {
      action: string;
    }[];
    expect(rows.length).toBe(20);
    const csv = await (await api(admin.token, "/api/audit?format=csv&limit=5")).text();
    expect(csv.split("\r\n")[0]).toBe("id,at,actor,action,hotel_id,detail,chunks,row_sha256");
    expect(csv.trim().split("\r\n")).toHaveLength(6);
    const manager = await loginAs("mgr.a");
    expect((await api(manager.token, "/api/audit")).status).toBe(403);
    expect(await (await api(admin.token, "/api/audit/verify")).json()).toMatchObject({
      unchained: 0,
    });
  });
});

describe("logmaster-hub audit verify", () => {
  const verify = async () => {
    const child = Bun.spawn(["bun", "hub/src/cli/main.ts", "audit", "verify", "--data-dir", dir], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env },
    });
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { out: out + err, code };
  };
  /** A database superuser behind the hub's back. */
  const tamper = async (statement: string) => {
    await hub.db.execute(sql.raw("alter table audit_log disable trigger audit_log_append_only"));
    await hub.db.execute(sql.raw(statement));
    await hub.db.execute(sql.raw("alter table audit_log enable trigger audit_log_append_only"));
  };

  test("passes on the untouched log; an edited row and a deleted row make it fail, naming the row", async () => {
    for (let i = 0; i < 5; i++) {
      await writeAudit(hub.db, { actor: "user:tester", action: "search", detail: { i } });
    }
    const clean = await verify();
    expect([clean.code, clean.out]).toEqual([0, expect.stringContaining("PASS")]);
    const [newest] = await listAudit(hub.db, 1);
    const edited = (newest?.id ?? 0) - 3;
    await tamper(`update audit_log set actor = 'someone else' where id = ${edited}`);
    const afterEdit = await verify();
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.out).toContain(`breaks at row ${edited}: its content does not hash`);
    // Put the row back (the chain holds again), then remove the one after it.
    await tamper(`update audit_log set actor = 'user:tester' where id = ${edited}`);
    expect((await verify()).code).toBe(0);
    await tamper(`delete from audit_log where id = ${edited + 1}`);
    const afterDelete = await verify();
    expect(afterDelete.code).toBe(1);
    expect(afterDelete.out).toContain(
      `breaks at row ${edited + 2}: its prev_sha256 is not the hash of row ${edited}`,
    );
  }, 60_000);
});
