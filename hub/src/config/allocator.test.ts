import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  allocatorOptionsMissing,
  allocatorStatus,
  HUB_ALLOCATOR_ENV,
  hubAllocatorAssignments,
} from "./allocator.ts";

const repo = join(import.meta.dir, "..", "..", "..");

test("the status says whether freed memory is kept, and how to keep it", () => {
  expect(allocatorOptionsMissing({ MIMALLOC_PURGE_DELAY: "-1" })).toEqual([]);
  expect(allocatorStatus({ MIMALLOC_PURGE_DELAY: "-1" })).toBe(
    "freed memory kept for reuse (MIMALLOC_PURGE_DELAY=-1)",
  );
  expect(allocatorOptionsMissing({})).toEqual(["MIMALLOC_PURGE_DELAY"]);
  expect(allocatorStatus({ MIMALLOC_PURGE_DELAY: "10" })).toContain(
    "(MIMALLOC_PURGE_DELAY=10): indexing pays a page fault per reuse; start the hub with MIMALLOC_PURGE_DELAY=-1",
  );
  expect(allocatorStatus({})).toContain("(MIMALLOC_PURGE_DELAY=unset)");
});

test("the systemd unit starts the hub with the allocator's environment", () => {
  const unit = readFileSync(join(repo, "hub", "packaging", "logmaster-hub.service"), "utf8");
  for (const [name, value] of Object.entries(HUB_ALLOCATOR_ENV))
    expect(unit).toContain(`\nEnvironment=${name}=${value}\n`);
});

test("docs/install-hub.md says how the hub's allocator is set", () => {
  const doc = readFileSync(join(repo, "docs", "install-hub.md"), "utf8");
  expect(doc).toContain(hubAllocatorAssignments());
});
