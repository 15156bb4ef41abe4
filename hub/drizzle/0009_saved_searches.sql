CREATE TABLE "saved_searches" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"query" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saved_searches_user_name_unique" UNIQUE("user_id","name"),
	CONSTRAINT "saved_searches_name_check" CHECK (char_length("saved_searches"."name") between 1 and 80),
	CONSTRAINT "saved_searches_query_check" CHECK (char_length("saved_searches"."query") <= 4096)
);
--> statement-breakpoint
ALTER TABLE "saved_searches" ADD CONSTRAINT "saved_searches_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Saved searches are a person's own (docs/decisions.md "Saved searches: a user scope in the
-- database"). The API reads and writes them in one transaction that runs
--   select set_config('logmaster.user_id', <user>, true); set local role logmaster_user_scope;
-- (hub/src/store/saved-searches.ts): PostgreSQL then shows and accepts that user's rows only,
-- and nothing without the setting. The role holds no other privilege. ENABLE without FORCE, as
-- for the read role (0003, 0008): the hub's own user, the table's owner, is not held (hub-wide
-- work, such as a DBA's backup); the API never reaches the table as it.
CREATE OR REPLACE FUNCTION logmaster_user_scope() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('logmaster.user_id', true), '') $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logmaster_user_scope') THEN
    BEGIN
      CREATE ROLE logmaster_user_scope NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % may not create roles: ask the DBA to run CREATE ROLE logmaster_user_scope NOLOGIN; GRANT logmaster_user_scope TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'logmaster_user_scope', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT logmaster_user_scope TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % is not a member of logmaster_user_scope: ask the DBA to run GRANT logmaster_user_scope TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO logmaster_user_scope;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "saved_searches" TO logmaster_user_scope;
--> statement-breakpoint
ALTER TABLE "saved_searches" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "user_scope" ON "saved_searches" TO logmaster_user_scope
  USING ("user_id" = logmaster_user_scope())
  WITH CHECK ("user_id" = logmaster_user_scope());
