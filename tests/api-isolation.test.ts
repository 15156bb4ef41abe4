/**
 * Tenant isolation of the people's API on real PostgreSQL: hotels, agents,
 * revocation, enrollment tokens, accounts, chunks, the month of custody,
 * evidence export and compliance reports. A manager of hotel A asking for
 * hotel B's data (by id, by filter, by name) gets 404 or nothing, and the
 * same with the code's hotel condition switched off (the read role's
 * row-level security alone); an auditor bound to A reads A's audit rows and
 * none of B's or of no hotel; an auditor changes nothing; hotel IT reads no
 * guest event; accounts are the chain admins'.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { hashPassword } from "../hub/src/auth/passwords.ts";
import { codeScopeFilter } from "../hub/src/query/scope.ts";
import { addAgentRow, addHotelRow, addSealedChunk } from "../hub/src/store/fixtures.ts";
import { findAgent, insertUser, listAudit, tables, writeAudit } from "../hub/src/store/index.ts";
import type { UserRole } from "../hub/src/store/schema.ts";
import { startTestHub, type TestHub, tempDir } from "./support/pipeline.ts";

const PASSWORD = "correct horse battery staple";
const MONTH = "2026-01";
const DAY = "2026-01-31";
let testHub: TestHub;
const archive = tempDir("isolation-archive");
/** user name -> access token */
const tokens = new Map<string, string>();

const A = { hotel: "otel-a", agent: "otel-a-aaaaaaaa", spare: "otel-a-spare000" };
const B = { hotel: "otel-b", agent: "otel-b-bbbbbbbb" };

async function addUser(username: string, role: UserRole, hotels: string[] = []) {
  await insertUser(testHub.hub.db, {
    username,
    role,
    hotels,
    passwordHash: await hashPassword(PASSWORD),
  });
  const response = await fetch(`${testHub.hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  tokens.set(username, ((await response.json()) as { access_token: string }).access_token);
}

/** A request as a user; a body makes it a POST unless `method` says otherwise. */
function call(user: string, path: string, body?: unknown, method?: string): Promise<Response> {
  return fetch(`${testHub.hub.httpUrl}${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${tokens.get(user) ?? ""}`,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T>(user: string, path: string, body?: unknown): Promise<T> {
  const response = await call(user, path, body);
  if (response.status >= 300)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function statusOf(user: string, path: string, body?: unknown, method?: string) {
  const response = await call(user, path, body, method);
  return [path, response.status];
}

/** Run `work` with the code's hotel condition off: only row-level security holds the scope. */
async function databaseAlone(work: () => Promise<void>): Promise<void> {
  codeScopeFilter.on = false;
  try {
    await work();
  } finally {
    codeScopeFilter.on = true;
  }
}

beforeAll(async () => {
  testHub = await startTestHub();
  const { db, adminContext } = testHub.hub;
  await addHotelRow(db, A.hotel);
  await addHotelRow(db, B.hotel);
  await addAgentRow(db, { id: A.agent, hotelId: A.hotel, enrolledAt: new Date(`${DAY}T20:00Z`) });
  // Enrolled after the month: revoking it in a test changes no hour of the month.
  await addAgentRow(db, {
    id: A.spare,
    hotelId: A.hotel,
    enrolledAt: new Date("2026-02-01T00:00Z"),
  });
  await addAgentRow(db, { id: B.agent, hotelId: B.hotel, enrolledAt: new Date(`${DAY}T19:00Z`) });
  // Real certificates where the export reads them (any X.509 will do: this is not a verify test).
  await db.update(tables.agents).set({ certPem: adminContext.ca.certificatePem });
  for (const [agentId, hotelId] of [
    [A.agent, A.hotel],
    [B.agent, B.hotel],
  ] as const) {
    const dir = join(archive.path, agentId);
    mkdirSync(dir, { recursive: true });
    for (const file of ["records.jsonl", "manifest.json", "manifest.sig"])
      writeFileSync(join(dir, file), `${agentId} ${file}\n`);
    const chunk = { hotelId, agentId, archivePath: dir };
    // The same chunk id in both hotels, so asking by chunk id alone must not mix them.
    await addSealedChunk(db, { ...chunk, hour: `${DAY}T20` });
    await addSealedChunk(db, { ...chunk, hour: `${DAY}T21` });
    await addSealedChunk(db, { ...chunk, hour: `${DAY}T22`, status: "failed" });
  }
  // An hour only B has.
  await addSealedChunk(db, {
    hotelId: B.hotel,
    agentId: B.agent,
    hour: `${DAY}T19`,
    archivePath: join(archive.path, B.agent),
  });
  await db
    .update(tables.chunks)
    .set({ agentCertPem: adminContext.ca.certificatePem })
    .where(eq(tables.chunks.status, "verified"));
  // Awaiting its time-stamp, not due before this test ends (the hub's worker would stamp it).
  await db
    .update(tables.chunks)
    .set({ timestampStatus: "awaiting", timestampDueAt: new Date("2100-01-01T00:00:00Z") })
    .where(eq(tables.chunks.hourStart, new Date(`${DAY}T21:00:00Z`)));
  await addUser("admin.ayse", "chain_admin");
  await addUser("mgr.a", "hotel_manager", [A.hotel]);
  await addUser("it.a", "hotel_it", [A.hotel]);
  await addUser("audit.chain", "auditor");
  await addUser("audit.a", "auditor", [A.hotel]);
}, 120_000);

afterAll(async () => {
  await testHub?.destroy();
  archive.remove();
});

interface Hotel {
  id: string;
  agents: number;
}
interface Agent {
  id: string;
  hotel_id: string;
  state: string;
  revoked_at: string | null;
}
interface Chunk {
  hotel_id: string;
  agent_id: string;
  chunk: string;
}

describe("hotels and agents", () => {
  test("a manager's hotels and agents are their hotel's; a filter for B answers 404", async () => {
    const hotels = await json<Hotel[]>("mgr.a", "/api/hotels");
    expect(hotels.map((hotel) => [hotel.id, hotel.agents])).toEqual([[A.hotel, 2]]);
    const all = await json<Hotel[]>("admin.ayse", "/api/hotels");
    expect(all.map((hotel) => hotel.id)).toEqual([A.hotel, B.hotel]);
    const agents = await json<Agent[]>("mgr.a", "/api/agents");
    expect(agents.map((agent) => agent.id)).toEqual([A.agent, A.spare]);
    // Enrolled in January, never seen: the status says so.
    expect(agents[0]?.state).toBe("never_seen");
    expect(await statusOf("mgr.a", `/api/agents?hotel=${B.hotel}`)).toEqual([
      `/api/agents?hotel=${B.hotel}`,
      404,
    ]);
    expect((await json<Agent[]>("it.a", "/api/agents")).every((a) => a.hotel_id === A.hotel)).toBe(
      true,
    );
  });

  test("the overview: each role its hotels' counts and newest sealed chunk, B's never; counts are no audit row", async () => {
    interface Overview {
      hotels: {
        hotel_id: string;
        histogram: { buckets: unknown[]; total: number };
        last_sealed: { hotel_id: string; chunk: string; status: string } | null;
      }[];
    }
    const auditRows = async () => (await listAudit(testHub.hub.db, 10_000)).length;
    const before = await auditRows();
    const hotelsOf = async (user: string) =>
      (await json<Overview>(user, "/api/overview")).hotels.map((hotel) => [
        hotel.hotel_id,
        hotel.last_sealed?.hotel_id,
        hotel.last_sealed?.chunk,
        // 5-minute buckets over 24 h, the two ends partial.
        hotel.histogram.buckets.length >= 288,
      ]);
    const mine = [A.hotel, A.hotel, `${DAY}T22`, true];
    expect(await hotelsOf("mgr.a")).toEqual([mine]);
    expect(await hotelsOf("it.a")).toEqual([mine]);
    expect(await hotelsOf("audit.a")).toEqual([mine]);
    expect((await hotelsOf("admin.ayse")).map(([hotel]) => hotel)).toEqual([A.hotel, B.hotel]);
    await databaseAlone(async () => {
      expect(await hotelsOf("mgr.a")).toEqual([mine]);
    });
    expect(await auditRows()).toBe(before);
  });

  test("with the code's hotel condition off, the database still shows nothing of B", async () => {
    await databaseAlone(async () => {
      const hotels = await json<Hotel[]>("mgr.a", "/api/hotels");
      expect(hotels.map((hotel) => hotel.id)).toEqual([A.hotel]);
      const agents = await json<Agent[]>("it.a", "/api/agents");
      expect(agents.map((agent) => agent.hotel_id)).toEqual([A.hotel, A.hotel]);
    });
  });

  test("revoking B's agent from A answers 404 and revokes nothing, with or without the code's condition", async () => {
    const path = `/api/agents/${B.agent}/revoke`;
    expect(await statusOf("it.a", path, {})).toEqual([path, 404]);
    await databaseAlone(async () => {
      expect(await statusOf("it.a", path, {})).toEqual([path, 404]);
    });
    expect((await findAgent(testHub.hub.db, B.agent))?.revokedAt).toBeNull();
    // A manager and an auditor may not revoke at all.
    const own = `/api/agents/${A.spare}/revoke`;
    expect(await statusOf("mgr.a", own, {})).toEqual([own, 403]);
    expect(await statusOf("audit.a", own, {})).toEqual([own, 403]);
  });

  test("hotel IT revokes their own hotel's agent, audit-logged", async () => {
    const revoked = await json<Agent>("it.a", `/api/agents/${A.spare}/revoke`, {});
    expect(revoked.revoked_at).not.toBeNull();
    const [row] = (await listAudit(testHub.hub.db, 20)).filter(
      (entry) => entry.action === "agent_revoke",
    );
    expect(row).toMatchObject({
      actor: "user:it.a",
      hotelId: A.hotel,
      detail: {
        kind: "agent_revoke",
        address: expect.any(String),
        scope: [A.hotel],
        params: { agent: A.spare },
        rows: 1,
      },
    });
    const hotels = await json<Hotel[]>("mgr.a", "/api/hotels");
    expect(hotels[0]?.agents).toBe(1);
  });
});

describe("enrollment tokens", () => {
  test("a token for B (by id or by name) answers 404 to A's IT, with or without the code's condition", async () => {
    for (const hotel of [B.hotel, `Hotel ${B.hotel}`]) {
      expect(await statusOf("it.a", "/api/tokens", { hotel })).toEqual(["/api/tokens", 404]);
    }
    await databaseAlone(async () => {
      for (const hotel of [B.hotel, `Hotel ${B.hotel}`]) {
        expect(await statusOf("it.a", "/api/tokens", { hotel })).toEqual(["/api/tokens", 404]);
      }
    });
  });

  test("a manager and an auditor may not make tokens, even for their own hotel", async () => {
    for (const user of ["mgr.a", "audit.a", "audit.chain"]) {
      expect([user, ...(await statusOf(user, "/api/tokens", { hotel: A.hotel }))]).toEqual([
        user,
        "/api/tokens",
        403,
      ]);
    }
  });

  test("hotel IT gets a token for their hotel with the line to paste on the site box; the audit log keeps no token", async () => {
    const response = await call("it.a", "/api/tokens", { hotel: A.hotel, ttl_ms: 3_600_000 });
    expect(response.status).toBe(201);
    const answer = (await response.json()) as {
      token: string;
      hotel_id: string;
      expires_at: string;
      install_command: string;
    };
    expect(answer.hotel_id).toBe(A.hotel);
    expect(answer.install_command).toBe(
      `sudo -u logmaster logmaster-agent enroll --token '${answer.token}' --data-dir /var/lib/logmaster-agent`,
    );
    const [row] = (await listAudit(testHub.hub.db, 20)).filter(
      (entry) => entry.action === "token_create",
    );
    expect(row).toMatchObject({
      actor: "user:it.a",
      hotelId: A.hotel,
      detail: {
        kind: "token_create",
        address: expect.any(String),
        scope: [A.hotel],
        params: { hotel: A.hotel, ttl_ms: 3_600_000, expires_at: answer.expires_at },
        rows: 1,
      },
    });
    expect(JSON.stringify(row)).not.toContain(answer.token.slice(4));
  });
});

describe("accounts", () => {
  const newManagerOfB = { username: "mgr.b", role: "hotel_manager", hotels: [B.hotel] };

  test("only chain admins manage accounts: a manager, hotel IT and auditors get 403", async () => {
    for (const user of ["mgr.a", "it.a", "audit.a", "audit.chain"]) {
      const statuses = [
        await statusOf(user, "/api/users"),
        await statusOf(user, "/api/users", newManagerOfB),
        await statusOf(user, "/api/users", { ...newManagerOfB, hotels: [A.hotel] }),
        await statusOf(user, "/api/users/mgr.a/disable", {}),
        await statusOf(user, "/api/users/mgr.a/password", {}),
      ];
      expect([user, statuses.map(([, status]) => status)]).toEqual([
        user,
        [403, 403, 403, 403, 403],
      ]);
    }
    expect(await json<{ username: string }[]>("admin.ayse", "/api/users")).not.toContainEqual(
      expect.objectContaining({ username: "mgr.b" }),
    );
  });

  test("a chain admin adds, resets and disables an account; each change names the admin", async () => {
    const added = await call("admin.ayse", "/api/users", newManagerOfB);
    expect(added.status).toBe(201);
    const { user, generated_password } = (await added.json()) as {
      user: { username: string; hotels: string[] };
      generated_password: string | null;
    };
    expect(user).toMatchObject({ username: "mgr.b", hotels: [B.hotel] });
    expect(generated_password?.length).toBeGreaterThanOrEqual(12);
    expect((await call("admin.ayse", "/api/users/mgr.b/password", {})).status).toBe(200);
    expect((await call("admin.ayse", "/api/users/mgr.b/disable", {})).status).toBe(200);
    expect((await call("admin.ayse", "/api/users/nobody/disable", {})).status).toBe(404);
    // A chain admin cannot lock themself out; the refusal says who can.
    const self = await call("admin.ayse", "/api/users/admin.ayse/disable", {});
    expect(self.status).toBe(409);
    expect(await self.text()).toContain("your own account");
    const changes = (await listAudit(testHub.hub.db, 50))
      .filter((row) => row.action === "user_change")
      .map((row) => [row.actor, (row.detail as { change: string }).change]);
    expect(changes.slice(0, 3)).toEqual([
      ["user:admin.ayse", "disable"],
      ["user:admin.ayse", "reset_password"],
      ["user:admin.ayse", "add"],
    ]);
  });
});

describe("custody", () => {
  test("chunks: A's manager sees A's only; B by filter answers 404; one day of one hotel; audit-logged", async () => {
    const mine = await json<Chunk[]>("mgr.a", "/api/chunks");
    expect(new Set(mine.map((chunk) => chunk.hotel_id))).toEqual(new Set([A.hotel]));
    expect(mine.map((chunk) => chunk.chunk)).toEqual([`${DAY}T22`, `${DAY}T21`, `${DAY}T20`]);
    const day = await json<Chunk[]>("mgr.a", `/api/chunks?hotel=${A.hotel}&day=${DAY}`);
    expect(day).toHaveLength(3);
    expect(await json<Chunk[]>("mgr.a", `/api/chunks?hotel=${A.hotel}&day=2026-01-30`)).toEqual([]);
    for (const path of [`/api/chunks?hotel=${B.hotel}`, `/api/chunks?hotel=${B.hotel}&day=${DAY}`])
      expect(await statusOf("mgr.a", path)).toEqual([path, 404]);
    const [row] = (await listAudit(testHub.hub.db, 20)).filter(
      (entry) => entry.action === "custody" && entry.actor === "user:mgr.a",
    );
    expect(row?.detail).toMatchObject({ kind: "chunks", scope: [A.hotel] });
    // A chain-wide account sees both hotels.
    const every = await json<Chunk[]>("audit.chain", "/api/chunks");
    expect(new Set(every.map((chunk) => chunk.hotel_id))).toEqual(new Set([A.hotel, B.hotel]));
  });

  test("a month of custody, hour by hour, from the report's builder; B's month answers 404", async () => {
    const month = await json<{
      hours: { hour: string; state: string }[];
      totals: Record<string, number>;
    }>("mgr.a", `/api/custody/month?hotel=${A.hotel}&month=${MONTH}`);
    expect(month.hours).toHaveLength(31 * 24);
    const last = Object.fromEntries(month.hours.slice(-4).map((hour) => [hour.hour, hour.state]));
    expect(last).toEqual({
      [`${DAY}T20`]: "verified",
      [`${DAY}T21`]: "awaiting_timestamp",
      [`${DAY}T22`]: "failed",
      [`${DAY}T23`]: "missing",
    });
    expect(month.totals).toMatchObject({ no_agent: 31 * 24 - 4, verified: 1, failed: 1 });
    const theirs = `/api/custody/month?hotel=${B.hotel}&month=${MONTH}`;
    expect(await statusOf("mgr.a", theirs)).toEqual([theirs, 404]);
  });

  test("export: B's hour, day or chunk answers 404; a chunk id both hotels have exports A's only", async () => {
    for (const path of [
      `/api/export?hotel=${B.hotel}&hour=${DAY}T20`,
      `/api/export?hotel=${B.hotel}&day=${DAY}`,
      `/api/export?chunk=${DAY}T19`,
      `/api/export?chunk=${DAY}T19&agent=${B.agent}`,
    ])
      expect(await statusOf("mgr.a", path)).toEqual([path, 404]);
    const response = await call("mgr.a", `/api/export?chunk=${DAY}T20`);
    expect(response.status).toBe(200);
    const summary = JSON.parse(response.headers.get("x-logmaster-export") ?? "{}") as {
      hotel_id: string;
      chunks: { agent_id: string }[];
    };
    expect(summary.hotel_id).toBe(A.hotel);
    expect(summary.chunks.map((chunk) => chunk.agent_id)).toEqual([A.agent]);
  });

  test("report: B's answers 404; A's is the manager's to download", async () => {
    const theirs = `/api/reports/compliance?hotel=${B.hotel}&month=${MONTH}&format=json`;
    expect(await statusOf("mgr.a", theirs)).toEqual([theirs, 404]);
    const byName = `/api/reports/compliance?hotel=Hotel%20${B.hotel}&month=${MONTH}`;
    expect(await statusOf("mgr.a", byName)).toEqual([byName, 404]);
    const report = await json<{ hotel_id: string; agents: { agent_id: string }[] }>(
      "mgr.a",
      `/api/reports/compliance?hotel=${A.hotel}&month=${MONTH}&format=json`,
    );
    expect(report.hotel_id).toBe(A.hotel);
    expect(report.agents.map((agent) => agent.agent_id)).toEqual([A.agent, A.spare]);
  });

  test("with the code's hotel condition off, chunks, month, export and report still give nothing of B", async () => {
    await databaseAlone(async () => {
      const mine = await json<Chunk[]>("mgr.a", "/api/chunks");
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((chunk) => chunk.hotel_id === A.hotel)).toBe(true);
      for (const path of [
        `/api/custody/month?hotel=${B.hotel}&month=${MONTH}`,
        `/api/export?hotel=${B.hotel}&hour=${DAY}T20`,
        `/api/export?chunk=${DAY}T19`,
        `/api/reports/compliance?hotel=${B.hotel}&month=${MONTH}`,
      ])
        expect(await statusOf("mgr.a", path)).toEqual([path, 404]);
      // Both hotels hold this chunk id: without the code's condition, the database still hands over A's alone.
      const response = await call("mgr.a", `/api/export?chunk=${DAY}T20`);
      expect(response.status).toBe(200);
      const summary = JSON.parse(response.headers.get("x-logmaster-export") ?? "{}") as {
        chunks: { agent_id: string }[];
      };
      expect(summary.chunks.map((chunk) => chunk.agent_id)).toEqual([A.agent]);
    });
  });

  test("hotel IT reads no custody: chunks, month, export and report answer 403", async () => {
    for (const path of [
      "/api/chunks",
      `/api/custody/month?hotel=${A.hotel}&month=${MONTH}`,
      `/api/export?chunk=${DAY}T20`,
      `/api/reports/compliance?hotel=${A.hotel}&month=${MONTH}`,
    ])
      expect(await statusOf("it.a", path)).toEqual([path, 403]);
  });
});

describe("what each role may not do", () => {
  test("an auditor (chain-wide or bound) gets 403 on every change", async () => {
    const changes: [string, unknown, string?][] = [
      ["/api/tokens", { hotel: A.hotel }],
      [`/api/agents/${A.agent}/revoke`, {}],
      ["/api/users", { username: "x.y", role: "auditor" }],
      ["/api/users/mgr.a/disable", {}],
      ["/api/users/mgr.a/password", {}],
      ["/api/devices/any-agent/10.0.0.1", { name: "x" }, "PUT"],
      ["/api/reindex", { hotel: A.hotel }],
    ];
    for (const user of ["audit.chain", "audit.a"]) {
      for (const [path, body, method] of changes) {
        expect([user, ...(await statusOf(user, path, body, method))]).toEqual([user, path, 403]);
      }
    }
  });

  test("hotel IT gets 403 on every guest-event route", async () => {
    const range = "from=2026-01-31T20:00:00Z&to=2026-01-31T23:00:00Z";
    for (const path of [
      `/api/search?${range}`,
      `/api/search/histogram?${range}`,
      `/api/search/top?${range}&field=src_ip`,
      `/api/search/context?agent=${A.agent}&seq=1`,
      `/api/search/export?${range}`,
      "/api/lookup/ip?ip=10.1.1.1&at=2026-01-31T20:40:00Z",
      `/api/lookup/mac?mac=aa:bb:cc:dd:ee:ff&${range}`,
      "/api/lookup/nat?address=192.0.2.1:1234&at=2026-01-31T20:40:00Z",
      "/api/tail",
    ]) {
      expect(await statusOf("it.a", path)).toEqual([path, 403]);
    }
  });
});

interface AuditRow {
  id: number;
  actor: string;
  action: string;
  hotel_id: string | null;
  detail: { marker?: string };
}

describe("the audit log", () => {
  /** A row of each kind, each with a marker: A's, B's, and one about no hotel. */
  const marked = { a: 0, b: 0, none: 0 };
  beforeAll(async () => {
    const { db } = testHub.hub;
    const write = async (marker: string, hotelId?: string) =>
      (
        await writeAudit(db, {
          actor: "test",
          action: hotelId ? "export" : "user_change",
          ...(hotelId ? { hotelId } : {}),
          detail: { marker },
        })
      ).id;
    marked.a = await write("audit-row-of-a", A.hotel);
    marked.b = await write("audit-row-of-b", B.hotel);
    marked.none = await write("audit-row-of-no-hotel");
  });

  /** The first five CSV columns hold no comma: id, at, actor, action, hotel_id. */
  const csvRows = (csv: string) =>
    csv
      .trim()
      .split("\r\n")
      .slice(1)
      .map((line) => {
        const [id, , actor, action, hotelId] = line.split(",");
        return { id: Number(id), actor, action, hotel_id: hotelId || null };
      });

  /** What the auditor bound to A reads, as JSON and as CSV: A's rows only. */
  async function expectOnlyA() {
    const rows = await json<AuditRow[]>("audit.a", "/api/audit?limit=10000");
    expect(rows.map((row) => row.id)).toContain(marked.a);
    expect(new Set(rows.map((row) => row.hotel_id))).toEqual(new Set([A.hotel]));
    const response = await call("audit.a", "/api/audit?format=csv&limit=10000");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/csv");
    const csv = await response.text();
    expect(csv).toContain("audit-row-of-a");
    expect(csv).not.toContain("audit-row-of-b");
    expect(csv).not.toContain("audit-row-of-no-hotel");
    const lines = csvRows(csv);
    expect(lines.map((line) => line.id)).toContain(marked.a);
    expect(new Set(lines.map((line) => line.hotel_id))).toEqual(new Set([A.hotel]));
  }

  test("an auditor bound to A reads A's rows (JSON and CSV), none of B's or of no hotel; the read is audit-logged", async () => {
    await expectOnlyA();
    const [row] = (await listAudit(testHub.hub.db, 20)).filter(
      (entry) => entry.action === "audit" && entry.actor === "user:audit.a",
    );
    expect(row).toMatchObject({
      hotelId: A.hotel,
      detail: {
        kind: "audit_export",
        address: expect.any(String),
        scope: [A.hotel],
        params: { format: "csv", limit: "10000" },
      },
    });
  });

  test("with the code's hotel condition off, the database alone still gives the bound auditor A's rows only", async () => {
    await databaseAlone(expectOnlyA);
  });

  test("a bound auditor may not verify the chain (its verdict names rows of every hotel); managers and hotel IT read no audit log", async () => {
    expect(await statusOf("audit.a", "/api/audit/verify")).toEqual(["/api/audit/verify", 403]);
    for (const user of ["mgr.a", "it.a"]) {
      for (const path of ["/api/audit", "/api/audit?format=csv", "/api/audit/verify"]) {
        expect([user, ...(await statusOf(user, path))]).toEqual([user, path, 403]);
      }
    }
  });

  test("a chain-wide auditor reads every row (B's and those of no hotel too) and verifies the chain", async () => {
    const expectEveryRow = async () => {
      const ids = (await json<AuditRow[]>("audit.chain", "/api/audit?limit=10000")).map(
        (row) => row.id,
      );
      expect(ids).toEqual(expect.arrayContaining([marked.a, marked.b, marked.none]));
      const csv = await (await call("audit.chain", "/api/audit?format=csv&limit=10000")).text();
      expect(csvRows(csv).map((line) => line.id)).toEqual(
        expect.arrayContaining([marked.a, marked.b, marked.none]),
      );
    };
    await expectEveryRow();
    // It reads as the hub's own user: the test switch changes nothing for it.
    await databaseAlone(expectEveryRow);
    const verdict = await json<{ rows: number; unchained: number; broken?: unknown }>(
      "audit.chain",
      "/api/audit/verify",
    );
    expect(verdict).toMatchObject({ unchained: 0 });
    expect(verdict.broken).toBeUndefined();
    const [row] = (await listAudit(testHub.hub.db, 5)).filter(
      (entry) => entry.action === "audit" && entry.actor === "user:audit.chain",
    );
    expect(row?.detail).toMatchObject({
      kind: "audit_verify",
      scope: [A.hotel, B.hotel],
      rows: verdict.rows,
    });
  });
});
