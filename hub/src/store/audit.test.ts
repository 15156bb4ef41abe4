/** The audit log is append-only and hash-chained: tampering shows, and names the row. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { verifyAuditChain, writeAudit } from "./audit.ts";
import { openStore, type Store } from "./db.ts";

let store: Store;

beforeAll(async () => {
  store = await openStore({ kind: "pglite" });
  await store.migrate();
  for (let i = 1; i <= 5; i++) {
    await writeAudit(store.db, {
      actor: `user:u${i}`,
      action: "search",
      hotelId: "grand",
      detail: {
        kind: "search",
        params: { ip: [`10.0.0.${i}`] },
        rows: i,
        nested: { b: 1, a: [1, "x"] },
      },
    });
  }
}, 60_000);
afterAll(async () => {
  await store.close();
});

/** What a database superuser can do behind the hub's back. */
async function tamper(statement: string) {
  await store.db.execute(sql.raw("alter table audit_log disable trigger audit_log_append_only"));
  await store.db.execute(sql.raw(statement));
  await store.db.execute(sql.raw("alter table audit_log enable trigger audit_log_append_only"));
}

const refusal = (statement: string) =>
  store.db.execute(sql.raw(statement)).then(
    () => "done",
    (error: { cause?: unknown }) => String(error.cause ?? error),
  );

describe("audit log (one log, tampered step by step)", () => {
  test("an untouched log verifies", async () => {
    expect(await verifyAuditChain(store.db)).toEqual({ rows: 5, unchained: 0 });
  });

  test("the hub's own SQL cannot change or remove a row", async () => {
    expect(await refusal("update audit_log set actor = 'x' where id = 2")).toContain("append-only");
    expect(await refusal("delete from audit_log where id = 2")).toContain("append-only");
    expect(await refusal("truncate audit_log")).toContain("append-only");
  });

  test("an edited row is named; put back, the log verifies again", async () => {
    await tamper(`update audit_log set detail = jsonb_set(detail, '{rows}', '99') where id = 4`);
    expect((await verifyAuditChain(store.db)).broken).toEqual({
      id: 4,
      reason: "its content does not hash to its row_sha256: the row was edited",
    });
    await tamper(`update audit_log set detail = jsonb_set(detail, '{rows}', '4') where id = 4`);
    expect((await verifyAuditChain(store.db)).broken).toBeUndefined();
  });

  test("a removed row is found at its successor", async () => {
    await tamper("delete from audit_log where id = 2");
    const verdict = await verifyAuditChain(store.db);
    expect(verdict.broken?.id).toBe(3);
    expect(verdict.broken?.reason).toContain("removed or changed");
  });
});
