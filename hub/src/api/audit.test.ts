/**
 * The audit log's filters on real PostgreSQL (DATABASE_URL, a scratch
 * database): each filter of `GET /api/audit` in the SQL, the `before`
 * cursor paging with no row twice, the CSV export with the same filters,
 * the filters in the read's own audit row; a hotel-bound auditor asking for
 * another hotel gets 404, and no filter widens their scope (nor with the
 * code's hotel condition off: the read policy of migration 0008 alone).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditView } from "../admin/audit.ts";
import { remoteAdmin } from "../admin/index.ts";
import { hashPassword } from "../auth/passwords.ts";
import { type RunningHub, startHub } from "../hub.ts";
import { auditListSchema } from "../query/audit.ts";
import { codeScopeFilter } from "../query/scope.ts";
import { type AuditRecord, addHotel, insertUser, listAudit, writeAudit } from "../store/index.ts";
import type { UserRole } from "../store/schema.ts";
import { createScratchDatabase } from "../store/testing.ts";

const PASSWORD = "correct horse battery staple";
const A = "otel-a";
const B = "otel-b";
const dir = mkdtempSync(join(tmpdir(), "logmaster-audit-api-"));
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let hub: RunningHub;
const tokens = new Map<string, string>();

/** The rows written here, by name; `early` before `boundary`, `late` at or after it. */
const ids: Record<string, number> = {};
let boundary = "";
const idOf = (name: string): number => {
  const id = ids[name];
  if (id === undefined) throw new Error(`no row "${name}" was written`);
  return id;
};
const PAGED_ROWS = 25;

async function addUser(username: string, role: UserRole, hotels: string[] = []) {
  await insertUser(hub.db, { username, role, hotels, passwordHash: await hashPassword(PASSWORD) });
  const response = await fetch(`${hub.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  tokens.set(username, ((await response.json()) as { access_token: string }).access_token);
}

function call(user: string, query: string): Promise<Response> {
  return fetch(`${hub.httpUrl}/api/audit?${query}`, {
    headers: { authorization: `Bearer ${tokens.get(user) ?? ""}` },
  });
}

async function rowsOf(user: string, query: string): Promise<AuditView[]> {
  const response = await call(user, query);
  if (response.status !== 200)
    throw new Error(`${query}: ${response.status} ${await response.text()}`);
  return (await response.json()) as AuditView[];
}

/** The names of the rows written here that a query answers, newest first. */
async function namesOf(user: string, query: string): Promise<string[]> {
  const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  return (await rowsOf(user, query)).flatMap((row) => byId.get(row.id) ?? []);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  await addHotel(hub.db, { id: A, name: "Otel A" });
  await addHotel(hub.db, { id: B, name: "Otel B" });
  const write = async (name: string, record: AuditRecord) => {
    const row = await writeAudit(hub.db, record);
    ids[name] = row.id;
    return row;
  };
  await write("ayseExportA", {
    actor: "test:ayse",
    action: "export",
    hotelId: A,
    detail: { kind: "export", params: { hour: "2026-01-31T20" }, note: "Needle-One" },
  });
  await write("ayseReportB", {
    actor: "test:ayse",
    action: "report",
    hotelId: B,
    detail: { kind: "report", note: "needle-two" },
  });
  await write("ayseBLogin", { actor: "test:ayse.b", action: "login", detail: { note: "welcome" } });
  // A chain-wide search of both hotels is about no one hotel; its scope names both.
  await write("zeynepSearch", {
    actor: "test:zeynep",
    action: "search",
    detail: { kind: "search", scope: [A, B], params: { q: "dhcp" } },
  });
  await sleep(20);
  boundary = (
    await write("mehmetExportB", {
      actor: "test:mehmet",
      action: "export",
      hotelId: B,
      detail: { kind: "export", note: "late" },
    })
  ).at.toISOString();
  await write("mehmetLookupA", {
    actor: "test:mehmet",
    action: "lookup",
    hotelId: A,
    detail: { kind: "lookup_ip", note: "late 100%" },
  });
  for (let index = 0; index < PAGED_ROWS; index++)
    await write(`paged${index}`, {
      actor: "test:pager",
      action: "tail",
      hotelId: index % 2 === 0 ? A : B,
      detail: { kind: "tail", index },
    });
  await addUser("chain.auditor", "auditor");
  await addUser("auditor.a", "auditor", [A]);
  await addUser("manager.a", "hotel_manager", [A]);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Only the rows written above, none of the reads' own rows. */
const mine = "actor=test:*";

describe("each filter narrows the rows in the database", () => {
  test("action: one, several as a comma list, several as repeated keys", async () => {
    expect(await namesOf("chain.auditor", `${mine}&action=export`)).toEqual([
      "mehmetExportB",
      "ayseExportA",
    ]);
    const several = ["mehmetLookupA", "mehmetExportB", "ayseReportB", "ayseExportA"];
    expect(await namesOf("chain.auditor", `${mine}&action=export,report,lookup`)).toEqual(several);
    expect(
      await namesOf("chain.auditor", `${mine}&action=export&action=report&action=lookup`),
    ).toEqual(several);
  });

  test("actor: exact, or a prefix ending in *; LIKE's wildcards are letters", async () => {
    expect(await namesOf("chain.auditor", "actor=test:ayse")).toEqual([
      "ayseReportB",
      "ayseExportA",
    ]);
    expect(await namesOf("chain.auditor", "actor=test:ayse*")).toEqual([
      "ayseBLogin",
      "ayseReportB",
      "ayseExportA",
    ]);
    expect(await namesOf("chain.auditor", "actor=test:ay_e*")).toEqual([]);
    expect(await namesOf("chain.auditor", "actor=test:%25*")).toEqual([]);
    expect(await namesOf("chain.auditor", "actor=TEST:AYSE")).toEqual([]);
  });

  test("hotel: the rows about it, and requests of several hotels whose scope held it", async () => {
    const names = await namesOf("chain.auditor", `${mine}&hotel=${A}&action=export,search,lookup`);
    expect(names).toEqual(["mehmetLookupA", "zeynepSearch", "ayseExportA"]);
  });

  test("from (inclusive) and to (exclusive), ISO 8601 with an offset", async () => {
    const late = await namesOf("chain.auditor", `${mine}&action=export,lookup&from=${boundary}`);
    expect(late).toEqual(["mehmetLookupA", "mehmetExportB"]);
    const early = await namesOf("chain.auditor", `${mine}&to=${encodeURIComponent(boundary)}`);
    expect(early).toEqual(["zeynepSearch", "ayseBLogin", "ayseReportB", "ayseExportA"]);
    // The same instant written in Istanbul time.
    const istanbul = new Date(Date.parse(boundary) + 3 * 3_600_000)
      .toISOString()
      .replace("Z", "+03:00");
    expect(await namesOf("chain.auditor", `${mine}&to=${encodeURIComponent(istanbul)}`)).toEqual(
      early,
    );
    expect(
      await namesOf("chain.auditor", `${mine}&from=${boundary}&to=${encodeURIComponent(boundary)}`),
    ).toEqual([]);
  });

  test("q: text anywhere in the detail, any case; % and _ are letters", async () => {
    expect(await namesOf("chain.auditor", "q=NEEDLE")).toEqual(["ayseReportB", "ayseExportA"]);
    expect(await namesOf("chain.auditor", "q=2026-01-31T20")).toEqual(["ayseExportA"]);
    expect(await namesOf("chain.auditor", "q=needle_")).toEqual([]);
    expect(await namesOf("chain.auditor", "q=100%25")).toEqual(["mehmetLookupA"]);
    expect(await namesOf("chain.auditor", "q=1%25%25")).toEqual([]);
  });

  test("filters combine; the answer stays newest first", async () => {
    const rows = await rowsOf("chain.auditor", `actor=test:*&action=export&hotel=${B}`);
    expect(rows.map((row) => row.id)).toEqual([idOf("mehmetExportB")]);
    const every = await rowsOf("chain.auditor", `${mine}&limit=1000`);
    expect(every.map((row) => row.id)).toEqual(
      [...every.map((row) => row.id)].sort((x, y) => y - x),
    );
  });

  test("bad filters answer 422 naming the parameter; an unknown hotel 404", async () => {
    for (const [query, field] of [
      ["action=drop_table", "action"],
      ["actor=", "actor"],
      [`actor=${"x".repeat(201)}`, "actor"],
      [`q=${"x".repeat(201)}`, "q"],
      ["from=2026-01-31T20:00", "from"],
      ["to=yesterday", "to"],
      ["before=0", "before"],
      ["before=abc", "before"],
      ["limit=10001", "limit"],
      ["hotel=Not%20A%20Hotel", "hotel"],
    ] as const) {
      const response = await call("chain.auditor", query);
      const answer = (await response.json()) as { code: string; message: string };
      expect([query, response.status, answer.code]).toEqual([query, 422, "invalid_request"]);
      expect(answer.message).toContain(field);
    }
    expect((await call("chain.auditor", "hotel=otel-nowhere")).status).toBe(404);
  });
});

describe("paging and export", () => {
  test("`before` pages through every row once, newest first, to an empty page", async () => {
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await rowsOf(
        "chain.auditor",
        `actor=test:pager&limit=10${before ? `&before=${before}` : ""}`,
      );
      if (page.length === 0) break;
      pages++;
      seen.push(...page.map((row) => row.id));
      before = page.at(-1)?.id;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    const expected = Array.from({ length: PAGED_ROWS }, (_, index) => idOf(`paged${index}`));
    expect(seen).toEqual(expected.reverse());
  });

  test("the CSV export applies the same filters", async () => {
    const response = await call("chain.auditor", `format=csv&${mine}&action=export&limit=5`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/csv");
    const lines = (await response.text()).trim().split("\r\n");
    expect(lines[0]).toBe("id,at,actor,action,hotel_id,detail,chunks,row_sha256");
    expect(lines.slice(1).map((line) => line.split(",").slice(0, 5))).toEqual([
      [String(idOf("mehmetExportB")), expect.any(String), "test:mehmet", "export", B],
      [String(idOf("ayseExportA")), expect.any(String), "test:ayse", "export", A],
    ]);
    const paged = await (
      await call("chain.auditor", `format=csv&actor=test:pager&limit=3&before=${idOf("paged10")}`)
    ).text();
    expect(
      paged
        .trim()
        .split("\r\n")
        .slice(1)
        .map((line) => Number(line.split(",")[0])),
    ).toEqual([idOf("paged9"), idOf("paged8"), idOf("paged7")]);
  });

  test("the read's own audit row records the filters it applied", async () => {
    const from = "2026-01-31T23:00:00+03:00";
    await rowsOf(
      "chain.auditor",
      `action=export&action=report&actor=test:*&hotel=${A}&from=${encodeURIComponent(from)}&q=%20Needle%20&before=99999`,
    );
    const [row] = (await listAudit(hub.db, 5)).filter(
      (entry) => entry.actor === "user:chain.auditor",
    );
    expect(row).toMatchObject({
      action: "audit",
      hotelId: A,
      detail: {
        kind: "audit_log",
        scope: [A, B],
        params: {
          limit: "100",
          format: "json",
          action: "export,report",
          actor: "test:*",
          hotel: A,
          from: "2026-01-31T20:00:00.000Z",
          q: "Needle",
          before: "99999",
        },
        rows: 1,
      },
    });
  });
});

describe("the CLI's door", () => {
  test("`/admin/audit` takes the same filters, through the remote admin too", async () => {
    const request = auditListSchema.parse({ actor: "test:*", action: "export", from: boundary });
    const admin = remoteAdmin(hub.httpUrl, hub.adminCredential);
    expect((await admin.auditLog(request)).map((row) => row.id)).toEqual([idOf("mehmetExportB")]);
    const local = await hub.admin.auditLog({ ...request, from: undefined, before: idOf("paged0") });
    expect(local.map((row) => row.id)).toEqual([idOf("mehmetExportB"), idOf("ayseExportA")]);
  });
});

describe("a hotel-bound auditor", () => {
  const expectOwnRowsOnly = async () => {
    const rows = await rowsOf("auditor.a", `${mine}&limit=1000`);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.hotel_id))).toEqual(new Set([A]));
    // Filters that name B's rows, or rows of no hotel, find nothing.
    expect(await namesOf("auditor.a", "q=needle-two")).toEqual([]);
    expect(await namesOf("auditor.a", "action=login,search")).toEqual([]);
    expect(await namesOf("auditor.a", "actor=test:zeynep")).toEqual([]);
    expect(await namesOf("auditor.a", `${mine}&action=export`)).toEqual(["ayseExportA"]);
    expect(await namesOf("auditor.a", `${mine}&hotel=${A}&action=export,search`)).toEqual([
      "ayseExportA",
    ]);
  };

  test("asking for another hotel answers 404, as JSON and as CSV", async () => {
    for (const query of [`hotel=${B}`, `hotel=${B}&format=csv`, `hotel=${B}&${mine}&q=needle`]) {
      const response = await call("auditor.a", query);
      expect([query, response.status]).toEqual([query, 404]);
    }
  });

  test("no filter widens the scope", async () => {
    await expectOwnRowsOnly();
    const csv = await (await call("auditor.a", `format=csv&${mine}&limit=1000`)).text();
    expect(csv).not.toContain(`,${B},`);
    expect(csv).not.toContain("needle-two");
  });

  test("nor with the code's hotel condition off: the database's read policy alone", async () => {
    codeScopeFilter.on = false;
    try {
      await expectOwnRowsOnly();
    } finally {
      codeScopeFilter.on = true;
    }
  });

  test("those without read_audit get 403 whatever the filters", async () => {
    expect((await call("manager.a", `hotel=${A}`)).status).toBe(403);
  });
});
