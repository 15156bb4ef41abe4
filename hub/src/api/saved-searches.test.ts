/**
 * Saved searches on real PostgreSQL (DATABASE_URL, a scratch database): a
 * person lists, saves, replaces and deletes their own; user B can neither
 * list, delete nor overwrite user A's, through the API or in SQL under the
 * user scope role (row-level security, migration 0009); roles that may not
 * search get 403, the admin credential 400.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { hashPassword } from "../auth/passwords.ts";
import { type RunningHub, startHub } from "../hub.ts";
import {
  addHotel,
  insertUser,
  inUserScope,
  listSavedSearches,
  MAX_SAVED_SEARCHES_PER_USER,
  tables,
} from "../store/index.ts";
import type { UserRole } from "../store/schema.ts";
import { createScratchDatabase, refusal } from "../store/testing.ts";
import type { SavedSearchView } from "./saved-searches.ts";

const PASSWORD = "correct horse battery staple";
const dir = mkdtempSync(join(tmpdir(), "logmaster-saved-searches-"));
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let hub: RunningHub;
/** user name -> { id, access token } */
const users = new Map<string, { id: string; token: string }>();

async function addUser(username: string, role: UserRole, hotels: string[] = []) {
  const user = await insertUser(hub.db, {
    username,
    role,
    hotels,
    passwordHash: await hashPassword(PASSWORD),
  });
  const response = await fetch(`${hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const { access_token } = (await response.json()) as { access_token: string };
  users.set(username, { id: user.id, token: access_token });
}

function call(user: string, method: string, path: string, body?: unknown): Promise<Response> {
  const token = user === "admin-credential" ? hub.adminCredential : users.get(user)?.token;
  return fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? ""}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function listOf(user: string): Promise<SavedSearchView[]> {
  const response = await call(user, "GET", "/api/saved-searches");
  expect(response.status).toBe(200);
  return (await response.json()) as SavedSearchView[];
}

async function save(user: string, name: string, query: string): Promise<SavedSearchView> {
  const response = await call(user, "POST", "/api/saved-searches", { name, query });
  expect([name, response.status]).toEqual([name, 200]);
  return (await response.json()) as SavedSearchView;
}

const idOf = (user: string) => users.get(user)?.id ?? "";

beforeAll(async () => {
  scratch = await createScratchDatabase();
  hub = await startHub({
    dataDir: join(dir, "hub"),
    ingest: "127.0.0.1:0",
    http: "127.0.0.1:0",
    databaseUrl: scratch.url,
    caKeyBits: 2048,
    quiet: true,
  });
  await addHotel(hub.db, { id: "otel-a", name: "Otel A" });
  await addUser("mgr.a", "hotel_manager", ["otel-a"]);
  await addUser("mgr.b", "hotel_manager", ["otel-a"]);
  await addUser("audit.chain", "auditor");
  await addUser("it.a", "hotel_it", ["otel-a"]);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("saved searches through the API", () => {
  test("save, list by name, replace by name (same id), delete", async () => {
    expect(await listOf("mgr.a")).toEqual([]);
    const dhcp = await save("mgr.a", "  Lara DHCP ", "q=assigned&datasets=dhcp&range=24h");
    expect(dhcp).toMatchObject({ name: "Lara DHCP", query: "q=assigned&datasets=dhcp&range=24h" });
    const firewall = await save("mgr.a", "Firewall drops", "q=drop&range=1h");
    expect((await listOf("mgr.a")).map((search) => search.name)).toEqual([
      "Firewall drops",
      "Lara DHCP",
    ]);

    const replaced = await save("mgr.a", "Lara DHCP", "q=assigned&ip=10.5.0.0%2F16&range=7d");
    expect(replaced.id).toBe(dhcp.id);
    expect(replaced.query).toBe("q=assigned&ip=10.5.0.0%2F16&range=7d");
    expect(Date.parse(replaced.updated_at)).toBeGreaterThan(Date.parse(dhcp.updated_at));
    expect(await listOf("mgr.a")).toHaveLength(2);

    const deleted = await call("mgr.a", "DELETE", `/api/saved-searches/${firewall.id}`);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ deleted: firewall.id });
    expect((await listOf("mgr.a")).map((search) => search.id)).toEqual([dhcp.id]);
    const again = await call("mgr.a", "DELETE", `/api/saved-searches/${firewall.id}`);
    expect(again.status).toBe(404);
  });

  test("bad names and queries answer 422 naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ name: "", query: "q=a" }, "name"],
      [{ name: "   ", query: "q=a" }, "name"],
      [{ name: "x".repeat(81), query: "q=a" }, "name"],
      [{ name: "tab\there", query: "q=a" }, "name"],
      [{ name: "ok", query: "?q=a" }, "query"],
      [{ name: "ok", query: "q=a b" }, "query"],
      [{ name: "ok", query: "q=a#x" }, "query"],
      [{ name: "ok", query: `q=${"a".repeat(4100)}` }, "query"],
      [{ name: "ok" }, "query"],
    ];
    for (const [body, field] of cases) {
      const response = await call("mgr.a", "POST", "/api/saved-searches", body);
      const answer = (await response.json()) as { code: string; message: string };
      expect([JSON.stringify(body).slice(0, 40), response.status, answer.code]).toEqual([
        JSON.stringify(body).slice(0, 40),
        422,
        "invalid_request",
      ]);
      expect(answer.message).toContain(field);
    }
  });

  test("every role that may search has them; hotel IT gets 403, the admin credential 400", async () => {
    await save("audit.chain", "Audit", "q=login");
    expect((await listOf("audit.chain")).map((search) => search.name)).toEqual(["Audit"]);
    for (const [method, path, body] of [
      ["GET", "/api/saved-searches", undefined],
      ["POST", "/api/saved-searches", { name: "x", query: "" }],
      ["DELETE", "/api/saved-searches/anything", undefined],
    ] as const) {
      expect([method, (await call("it.a", method, path, body)).status]).toEqual([method, 403]);
      expect([method, (await call("admin-credential", method, path, body)).status]).toEqual([
        method,
        400,
      ]);
    }
  });

  test("a user keeps at most the limit: a new name beyond it is 409, an old name still saves", async () => {
    const user = idOf("mgr.b");
    await hub.db.insert(tables.savedSearches).values(
      Array.from({ length: MAX_SAVED_SEARCHES_PER_USER }, (_, index) => ({
        id: `limit-${index}`,
        userId: user,
        name: `search ${index}`,
        query: "",
      })),
    );
    const refused = await call("mgr.b", "POST", "/api/saved-searches", {
      name: "one more",
      query: "",
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe("conflict");
    expect((await save("mgr.b", "search 7", "q=replaced")).id).toBe("limit-7");
    await hub.db.delete(tables.savedSearches).where(eq(tables.savedSearches.userId, user));
  });
});

describe("user B against user A's saved searches", () => {
  let mine: SavedSearchView;

  beforeAll(async () => {
    mine = await save("mgr.a", "A's secret", "q=room-106&range=30d");
  });

  test("B lists only B's, deleting A's answers 404, saving under A's name makes B's own", async () => {
    expect((await listOf("mgr.b")).map((search) => search.id)).not.toContain(mine.id);
    const deleted = await call("mgr.b", "DELETE", `/api/saved-searches/${mine.id}`);
    expect(deleted.status).toBe(404);
    expect(((await deleted.json()) as { code: string }).code).toBe("not_found");

    // The same name: B gets a search of B's own; A's is untouched.
    const theirs = await save("mgr.b", "A's secret", "q=overwritten");
    expect(theirs.id).not.toBe(mine.id);
    // A body naming another owner or id is not read: the owner is the session's.
    const smuggled = await call("mgr.b", "POST", "/api/saved-searches", {
      name: "A's secret",
      query: "q=smuggled",
      user_id: idOf("mgr.a"),
      id: mine.id,
    });
    expect(smuggled.status).toBe(200);
    expect(((await smuggled.json()) as SavedSearchView).id).toBe(theirs.id);

    const aList = await listOf("mgr.a");
    expect(aList.find((search) => search.id === mine.id)).toMatchObject({
      name: "A's secret",
      query: "q=room-106&range=30d",
    });
    expect((await listOf("mgr.b")).map((search) => search.query)).toEqual(["q=smuggled"]);
  });

  test("in SQL as the user scope role, B's transaction sees, changes and deletes nothing of A's", async () => {
    const a = idOf("mgr.a");
    const b = idOf("mgr.b");
    // Statements that forget the user condition: the database adds it.
    await inUserScope(hub.db, b, async (tx) => {
      const visible = await tx.select().from(tables.savedSearches);
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.every((row) => row.userId === b)).toBe(true);
      const changed = await tx
        .update(tables.savedSearches)
        .set({ query: "q=changed" })
        .where(eq(tables.savedSearches.id, mine.id))
        .returning();
      expect(changed).toHaveLength(0);
      const removed = await tx
        .delete(tables.savedSearches)
        .where(eq(tables.savedSearches.userId, a))
        .returning();
      expect(removed).toHaveLength(0);
    });
    // Writing a row as A, or moving B's row to A, is refused by the policy.
    expect(
      await refusal(
        inUserScope(hub.db, b, (tx) =>
          tx
            .insert(tables.savedSearches)
            .values({ id: "planted", userId: a, name: "planted", query: "q=planted" }),
        ),
      ),
    ).toMatch(/row-level security/);
    expect(
      await refusal(
        inUserScope(hub.db, b, (tx) =>
          tx
            .update(tables.savedSearches)
            .set({ userId: a })
            .where(eq(tables.savedSearches.userId, b)),
        ),
      ),
    ).toMatch(/row-level security/);
    // The role holds nothing else (no accounts, no tokens), and without the setting sees nothing.
    expect(await refusal(inUserScope(hub.db, b, (tx) => tx.select().from(tables.users)))).toMatch(
      /permission denied/,
    );
    const unset = await hub.db.transaction(async (tx) => {
      await tx.execute(sql`set local role logmaster_user_scope`);
      return tx.select().from(tables.savedSearches);
    });
    expect(unset).toEqual([]);

    const aRows = await listSavedSearches(hub.db, a);
    expect(aRows.find((row) => row.id === mine.id)?.query).toBe("q=room-106&range=30d");
  });
});
