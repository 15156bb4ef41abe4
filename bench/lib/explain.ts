/**
 * The plans of what the query engine really runs: a raw client that records
 * each statement (text and parameters) the engine sends, and EXPLAIN
 * (ANALYZE, BUFFERS) of them run again as the read role in the same scope,
 * so row-level security and partition pruning are those of the real query.
 */
import type postgres from "postgres";
import { inReadScope, type ReadScope } from "../../hub/src/query/scope.ts";
import type { RawClient } from "../../hub/src/store/index.ts";

export interface Statement {
  text: string;
  params: readonly unknown[];
}

/**
 * A client over `raw` (postgres.js) that records the statements of its transactions.
 *
 * @example
 * const recorder = recordingClient(store.raw);
 * await new Lookups(recorder.raw).ip(scope, request);
 * recorder.taken; // [{ text: "select set_config(...)", ... }, { text: "select ... from leases ...", ... }]
 */
export function recordingClient(raw: RawClient): { raw: RawClient; taken: Statement[] } {
  if (raw.kind !== "postgres") throw new Error("recordingClient needs PostgreSQL");
  const taken: Statement[] = [];
  const record = (tx: postgres.TransactionSql) =>
    new Proxy(tx, {
      get(target, key, receiver) {
        if (key !== "unsafe") return Reflect.get(target, key, receiver);
        return (text: string, params: never[] = []) => {
          taken.push({ text, params });
          return target.unsafe(text, params);
        };
      },
    });
  const sql = new Proxy(raw.sql, {
    get(target, key, receiver) {
      if (key !== "begin") return Reflect.get(target, key, receiver);
      return (work: (tx: postgres.TransactionSql) => unknown) =>
        target.begin((tx) => work(record(tx)));
    },
  });
  return { raw: { kind: "postgres", sql }, taken };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of recorded statements (the scope's own
 * `set_config` left out), as the read role; one plan text per statement.
 */
export async function explainStatements(
  raw: RawClient,
  scope: ReadScope,
  statements: readonly Statement[],
): Promise<{ text: string; plan: string }[]> {
  const plans: { text: string; plan: string }[] = [];
  for (const statement of statements) {
    if (statement.text.trimStart().startsWith("select set_config(")) continue;
    const rows = await inReadScope(raw, scope, (tx) =>
      tx.query<{ "QUERY PLAN": string }>(
        `explain (analyze, buffers) ${statement.text}`,
        statement.params,
      ),
    );
    plans.push({
      text: statement.text.replace(/\s+/g, " ").trim(),
      plan: rows.map((row) => row["QUERY PLAN"]).join("\n"),
    });
  }
  return plans;
}
