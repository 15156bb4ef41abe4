-- Tenant isolation, again in the database (docs/decisions.md "Hotel scope in the database").
-- A transaction that acts for one hotel (an agent's ingest request) runs
--   select set_config('logmaster.hotel_id', <hotel>, true); set local role logmaster_hotel_scope;
-- from then on PostgreSQL lets it read and write that hotel's chunks, batches and agent
-- row only, and nothing else, whatever the code asks (hub/src/store/scope.ts). Hub-wide work
-- (time-stamp worker, roll-ups, admin) sets no scope and sees every row.
CREATE OR REPLACE FUNCTION logmaster_hotel_scope() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('logmaster.hotel_id', true), '') $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logmaster_hotel_scope') THEN
    BEGIN
      CREATE ROLE logmaster_hotel_scope NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % may not create roles: ask the DBA to run CREATE ROLE logmaster_hotel_scope NOLOGIN; GRANT logmaster_hotel_scope TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'logmaster_hotel_scope', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT logmaster_hotel_scope TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % is not a member of logmaster_hotel_scope: ask the DBA to run GRANT logmaster_hotel_scope TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO logmaster_hotel_scope;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "chunks", "chunk_batches" TO logmaster_hotel_scope;
--> statement-breakpoint
GRANT SELECT, UPDATE ON "agents" TO logmaster_hotel_scope;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE "chunks_id_seq" TO logmaster_hotel_scope;
--> statement-breakpoint
ALTER TABLE "chunks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "chunks" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "hotel_scope" ON "chunks"
  USING (logmaster_hotel_scope() IS NULL OR "hotel_id" = logmaster_hotel_scope())
  WITH CHECK (logmaster_hotel_scope() IS NULL OR "hotel_id" = logmaster_hotel_scope());
--> statement-breakpoint
ALTER TABLE "chunk_batches" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "chunk_batches" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "hotel_scope" ON "chunk_batches"
  USING (logmaster_hotel_scope() IS NULL OR EXISTS (
    SELECT 1 FROM "chunks" c WHERE c."id" = "chunk_id" AND c."hotel_id" = logmaster_hotel_scope()))
  WITH CHECK (logmaster_hotel_scope() IS NULL OR EXISTS (
    SELECT 1 FROM "chunks" c WHERE c."id" = "chunk_id" AND c."hotel_id" = logmaster_hotel_scope()));
--> statement-breakpoint
ALTER TABLE "agents" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agents" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "hotel_scope" ON "agents"
  USING (logmaster_hotel_scope() IS NULL OR "hotel_id" = logmaster_hotel_scope())
  WITH CHECK (logmaster_hotel_scope() IS NULL OR "hotel_id" = logmaster_hotel_scope());
