-- The events read policy tests the row's hotel key instead of its slug (docs/decisions.md
-- "Event indexes"). The key is the first column of every events btree, so the policy is an
-- index condition again, as it was while the btrees led with the slug (before 0013), and a
-- query that needs only indexed columns (a top list of addresses, a count) can be an
-- index-only scan; a test of the slug needs the heap row for every row read.
-- The keys are the hotels of the scope, read once per statement (an InitPlan) as the
-- caller: the read role sees only its scope's rows of `hotels`. `events.hotel_key` is
-- written with `events.hotel_id` from one `hotels` row by the index step (planStep).
CREATE OR REPLACE FUNCTION logmaster_read_scope_keys() RETURNS integer[]
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(array_agg(key), '{}') FROM hotels WHERE id = ANY (logmaster_read_scope()) $$;
--> statement-breakpoint
DROP POLICY "read_scope" ON "events";--> statement-breakpoint
CREATE POLICY "read_scope" ON "events" TO logmaster_reader USING ("hotel_key" = ANY ((SELECT logmaster_read_scope_keys())::integer[]));
