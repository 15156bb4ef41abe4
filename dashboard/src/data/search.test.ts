import { afterEach, describe, expect, test, vi } from "vitest";
import { loadTop } from "./search.ts";

describe("loadTop", () => {
  afterEach(() => vi.unstubAllGlobals());

  test("lines without the field are no value to pick: one more is asked for, and `limit` values remain", async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), "http://hub");
        asked.push(url.searchParams.get("limit") ?? "");
        const values = [
          { value: null, count: 50 },
          ...Array.from({ length: 8 }, (_, i) => ({ value: `10.0.0.${i}`, count: 40 - i })),
        ];
        return new Response(JSON.stringify({ field: "dst_ip", values, took_ms: 1 }));
      }),
    );
    const query = { from: "2026-03-12T00:00:00Z", to: "2026-03-13T00:00:00Z" };
    const answer = await loadTop(query, "dst_ip", 8);
    expect(asked).toEqual(["9"]);
    expect(answer.values.map((entry) => entry.value)).toEqual(
      Array.from({ length: 8 }, (_, i) => `10.0.0.${i}`),
    );
  });
});
