ALTER TABLE "audit_log" ADD COLUMN "prev_sha256" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "row_sha256" text;--> statement-breakpoint
-- Append-only: no row of the audit log is ever changed or removed, by any role (a superuser
-- can still disable the trigger; the hash chain then shows what was done).
CREATE OR REPLACE FUNCTION logmaster_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP; END $$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION logmaster_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION logmaster_audit_append_only();
