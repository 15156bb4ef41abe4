/** docs/fields.md explains every field of the event: a new field without its line there fails here. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { syslogEventSchema } from "./event.ts";

const fieldsDoc = readFileSync(
  join(import.meta.dir, "..", "..", "..", "docs", "fields.md"),
  "utf8",
);

test.each(Object.keys(syslogEventSchema.shape))("docs/fields.md documents `%s`", (field) => {
  expect(fieldsDoc).toContain(`\`${field}\``);
});
