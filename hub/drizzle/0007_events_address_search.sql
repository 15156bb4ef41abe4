CREATE INDEX "events_hotel_dst_ip_idx" ON "events" USING btree ("hotel_id","dst_ip","received_at") WHERE "events"."dst_ip" is not null;--> statement-breakpoint
-- Free text under row-level security: only a leakproof operator may use an index below the
-- read role's policy, and `tsvector @@ tsquery` is not marked so, though it raises no error
-- that depends on its arguments (both are parsed before it runs). Marked here when the
-- migration runs as a superuser; otherwise the hub says at start how a DBA marks it
-- (docs/decisions.md "Free text under row-level security").
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
  END IF;
END $$;
