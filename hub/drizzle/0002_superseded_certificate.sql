ALTER TABLE "agents" ADD COLUMN "previous_cert_sha256" text;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "previous_cert_until" timestamp with time zone;