/**
 * The integration tests' ground: the real PostgreSQL and Redis that
 * scripts/test-services.sh starts are reachable and usable.
 */
import { afterAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import postgres from "postgres";

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe("test services", () => {
  const sql = databaseUrl ? postgres(databaseUrl, { max: 1, onnotice: () => {} }) : undefined;
  const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: true }) : undefined;
  afterAll(async () => {
    await sql?.end();
    redis?.disconnect();
  });

  test("DATABASE_URL and REDIS_URL are set by scripts/test.sh", () => {
    expect(databaseUrl).toBeString();
    expect(redisUrl).toBeString();
  });

  test("PostgreSQL >= 15 answers and keeps a row", async () => {
    if (!sql) throw new Error("DATABASE_URL is not set: run tests with `bun run test`");
    const [row] = await sql<{ server_version_num: string }[]>`show server_version_num`;
    expect(Number(row?.server_version_num)).toBeGreaterThanOrEqual(150000);
    await sql`create temporary table smoke (id int primary key, note text)`;
    await sql`insert into smoke values (1, 'kept')`;
    const [kept] = await sql<{ note: string }[]>`select note from smoke where id = 1`;
    expect(kept?.note).toBe("kept");
  });

  test("Redis answers and keeps a key", async () => {
    if (!redis) throw new Error("REDIS_URL is not set: run tests with `bun run test`");
    await redis.connect();
    await redis.set("logmaster:smoke", "kept", "EX", 30);
    expect(await redis.get("logmaster:smoke")).toBe("kept");
  });
});
