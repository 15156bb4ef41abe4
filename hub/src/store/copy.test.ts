/**
 * Binary COPY as the server reads it: every value written with BinaryCopy
 * comes back, as text, the way the same value typed in SQL would. On the test
 * services' PostgreSQL and on PGlite (the zero-setup store).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BinaryCopy, pgMicros, unixMicros } from "./copy.ts";
import { openStore, type RawClient, rawQuery, rawTransaction, type Store } from "./index.ts";
import { createScratchDatabase } from "./testing.ts";

const COLUMNS = ["at", "name", "big", "small", "num", "addr", "mac", "list", "words"] as const;
const CREATE = `create table copy_check (at timestamptz, name text, big bigint, small smallint,
  num integer, addr inet, mac macaddr, list text[], words tsvector)`;

interface Row {
  at: string | null;
  name: string | null;
  big: number | null;
  small: number | null;
  num: number | null;
  addr: string | null;
  mac: string | null;
  list: string[] | null;
  words: string[] | null;
}

const ROWS: Row[] = [
  {
    at: "2026-03-12T14:32:05.123456Z",
    name: "Şişli İzmir \t tab \n newline \\ back 'quote' \"dq\" 🛎",
    big: 2 ** 53 - 1,
    small: 7,
    num: 65_535,
    addr: "10.5.1.23",
    mac: "d6:92:be:b8:74:6c",
    list: ["dhcp", "info", "a,b", 'q"uote', "{}"],
    words: [
      "zeta",
      "alpha",
      "İzmir",
      "it's",
      "a\\b",
      "dhcp-guest",
      "çok-uzun-bir-kelime-türkçe-harfler-şğü",
    ],
  },
  {
    at: "2026-03-12T17:32:05.5+03:00",
    name: "nul\0dropped",
    big: -42,
    small: -1,
    num: -2_147_483_648,
    addr: "2001:db8::1",
    mac: "00:00:00:00:00:00",
    list: [],
    // A lexeme with a NUL loses it, as text does (a lexeme is sent as a C string).
    words: ["solo", "nul\0inside", "Ünlü"],
  },
  {
    at: "1999-12-31T23:59:59.999999Z",
    name: "",
    big: 0,
    small: 0,
    num: 0,
    addr: "::ffff:192.0.2.1",
    mac: null,
    list: null,
    words: null,
  },
  {
    at: null,
    name: null,
    big: null,
    small: null,
    num: null,
    addr: "fe80::a:b:c:d",
    mac: null,
    list: ["x"],
    words: null,
  },
  {
    at: "2026-03-12T14:32:05Z",
    // Past 32 characters text is written natively: a NUL is left out there too.
    name: `${"a long ascii line ".repeat(4)}\0 with a NUL`,
    big: 1,
    small: 1,
    num: 1,
    addr: "::",
    mac: null,
    list: null,
    words: null,
  },
  {
    at: "2026-03-12T14:32:05.1234565Z",
    name: "x".repeat(33),
    big: 1,
    small: 1,
    num: 1,
    addr: "1::",
    mac: null,
    list: null,
    words: null,
  },
];

function copyOf(rows: readonly Row[]): Uint8Array {
  const out = new BinaryCopy();
  for (const row of rows) {
    out.row(COLUMNS.length);
    out.timestamptz(row.at);
    out.text(row.name);
    out.int64(row.big);
    out.int16(row.small);
    out.int32(row.num);
    out.inet(row.addr);
    out.macaddr(row.mac);
    out.textArray(row.list);
    out.tsvector(row.words);
  }
  return out.bytes();
}

/** What the server holds, as text, against what SQL literals of the same values give. */
async function check(raw: RawClient): Promise<void> {
  await rawQuery(raw, CREATE);
  await rawTransaction(raw, (tx) => tx.copyIn("copy_check", COLUMNS, copyOf(ROWS)));
  const got = await rawQuery<Record<string, string | null>>(
    raw,
    `select ${COLUMNS.map((c) => `${c}::text as ${c}`).join(", ")} from copy_check`,
  );
  expect(got).toHaveLength(ROWS.length);
  for (const [index, row] of ROWS.entries()) {
    const [want] = await rawQuery<Record<string, string | null>>(
      raw,
      `select $1::text::timestamptz::text as at, $2::text as name, $3::bigint::text as big,
              $4::smallint::text as small, $5::integer::text as num, $6::inet::text as addr,
              $7::macaddr::text as mac, $8::text[]::text as list,
              array_to_tsvector($9::text[])::text as words`,
      [
        row.at,
        row.name?.replaceAll("\0", "") ?? null,
        row.big,
        row.small,
        row.num,
        row.addr,
        row.mac,
        row.list,
        row.words?.map((word) => word.replaceAll("\0", "")) ?? null,
      ],
    );
    expect(got[index]).toEqual(want as Record<string, string | null>);
  }
}

describe("BinaryCopy", () => {
  test("microseconds since 2000, any offset", () => {
    expect(pgMicros("2000-01-01T00:00:00Z")).toBe(0);
    expect(pgMicros("2000-01-01T00:00:00.000001Z")).toBe(1);
    expect(pgMicros("2000-01-01T03:00:00.000002+03:00")).toBe(2);
    expect(pgMicros("1999-12-31T23:59:59.999999Z")).toBe(-1);
    expect(() => pgMicros("yesterday")).toThrow("not an ISO 8601 time");
  });

  test("unixMicros: microseconds since 1970, undefined for what is no time", () => {
    expect(unixMicros("1970-01-01T00:00:00.000001Z")).toBe(1);
    expect(unixMicros("2026-03-12T17:32:05.123456+03:00")).toBe(
      Date.UTC(2026, 2, 12, 14, 32, 5) * 1000 + 123_456,
    );
    for (const bad of [
      "yesterday",
      "2026-02-30T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "",
      "2026-03-12T25:00:00Z",
    ])
      expect(unixMicros(bad)).toBeUndefined();
  });

  test("the digit-by-digit UTC path agrees with Date on every day from 1970 to 2100", () => {
    const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
    for (let ms = 0; ms < Date.UTC(2100, 0, 1); ms += 86_400_000 + 3_723_456) {
      const iso = new Date(ms).toISOString(); // .mmmZ
      expect(pgMicros(iso)).toBe((ms - PG_EPOCH_MS) * 1000);
      expect(pgMicros(iso.replace("Z", "789Z"))).toBe((ms - PG_EPOCH_MS) * 1000 + 789);
      expect(pgMicros(`${iso.slice(0, 19)}Z`)).toBe(
        (Math.floor(ms / 1000) * 1000 - PG_EPOCH_MS) * 1000,
      );
    }
    expect(pgMicros("2024-02-29T23:59:59.5Z")).toBe(
      (Date.UTC(2024, 1, 29, 23, 59, 59) - PG_EPOCH_MS) * 1000 + 500_000,
    );
    expect(() => pgMicros("2026-02-29T00:00:00Z")).toThrow("not an ISO 8601 time");
  });

  test("an address or MAC that is not one is refused, not sent", () => {
    const out = new BinaryCopy();
    for (const bad of [
      "10.5.1",
      "10.5.1.256",
      "1.2.3.4.5",
      "1:2:3",
      "1::2::3",
      "g::1",
      "1:2:3:4:5:6:7:8:9",
    ])
      expect(() => out.inet(bad)).toThrow("not an IP");
    expect(() => out.macaddr("zz:00:00:00:00:00")).toThrow("not a MAC");
  });

  describe("on PostgreSQL", () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      store = await openStore({ kind: "postgres", url: scratch.url });
    });
    afterAll(async () => {
      await store.close();
      await drop();
    });
    test("every type comes back as its SQL literal would", () => check(store.raw));
    test("a stream longer than one socket piece arrives whole", async () => {
      const many = Array.from({ length: 3000 }, (_, i) => ({ ...(ROWS[0] as Row), big: i }));
      await rawTransaction(store.raw, (tx) => tx.copyIn("copy_check", COLUMNS, copyOf(many)));
      const [row] = await rawQuery<{ n: string; sum: string }>(
        store.raw,
        "select count(*)::text as n, sum(big)::text as sum from copy_check where name like 'Şişli%'",
      );
      expect(row).toEqual({ n: "3001", sum: String(2999n * 1500n + 2n ** 53n - 1n) });
    });
  });

  test("on PGlite, every type comes back as its SQL literal would", async () => {
    const store = await openStore({ kind: "pglite" });
    try {
      await check(store.raw);
    } finally {
      await store.close();
    }
  });
});
