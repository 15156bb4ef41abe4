CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"hotel_id" text NOT NULL,
	"hostname" text,
	"cert_serial" text NOT NULL,
	"cert_sha256" text NOT NULL,
	"cert_pem" text NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"last_agent_time" timestamp with time zone,
	"last_clock_skew_ms" double precision,
	"last_stats" jsonb
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"hotel_id" text,
	"detail" jsonb NOT NULL,
	"chunks" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chunk_batches" (
	"chunk_id" bigint NOT NULL,
	"offset" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "chunk_batches_chunk_id_offset_pk" PRIMARY KEY("chunk_id","offset")
);
--> statement-breakpoint
CREATE TABLE "chunks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"hotel_id" text NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"part" integer DEFAULT 0 NOT NULL,
	"window_start" timestamp (6) with time zone,
	"window_end" timestamp (6) with time zone,
	"length" bigint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"reason" text,
	"manifest" "bytea",
	"signature" "bytea",
	"records_sha256" text,
	"first_seq" bigint,
	"last_seq" bigint,
	"record_count" bigint,
	"agent_cert_pem" text,
	"archive_path" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sealed_at" timestamp with time zone,
	"manifest_sha256" text,
	"gap_lost" bigint,
	"timestamp_status" text,
	"timestamp_error" text,
	"timestamp_attempts" integer DEFAULT 0 NOT NULL,
	"timestamp_due_at" timestamp with time zone,
	"timestamp_gen_time" timestamp with time zone,
	"timestamp_serial" text,
	"timestamp_policy" text,
	"timestamp_tsa_name" text,
	CONSTRAINT "chunks_agent_hour_part_unique" UNIQUE("agent_id","hour_start","part"),
	CONSTRAINT "chunks_status_check" CHECK ("chunks"."status" in ('open', 'verified', 'failed')),
	CONSTRAINT "chunks_part_check" CHECK ("chunks"."part" >= 0),
	CONSTRAINT "chunks_timestamp_status_check" CHECK ("chunks"."timestamp_status" in ('awaiting', 'timestamped', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "day_rollups" (
	"hotel_id" text NOT NULL,
	"day" text NOT NULL,
	"manifest" "bytea" NOT NULL,
	"signature" "bytea" NOT NULL,
	"tsr" "bytea",
	"archive_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "day_rollups_hotel_id_day_pk" PRIMARY KEY("hotel_id","day")
);
--> statement-breakpoint
CREATE TABLE "enrollment_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_sha256" text NOT NULL,
	"hotel_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_agent_id" text
);
--> statement-breakpoint
CREATE TABLE "hotels" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retention_days" integer DEFAULT 730 NOT NULL,
	"legal_hold" boolean DEFAULT false NOT NULL,
	CONSTRAINT "hotels_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_hotel_id_hotels_id_fk" FOREIGN KEY ("hotel_id") REFERENCES "public"."hotels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunk_batches" ADD CONSTRAINT "chunk_batches_chunk_id_chunks_id_fk" FOREIGN KEY ("chunk_id") REFERENCES "public"."chunks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_hotel_id_hotels_id_fk" FOREIGN KEY ("hotel_id") REFERENCES "public"."hotels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "day_rollups" ADD CONSTRAINT "day_rollups_hotel_id_hotels_id_fk" FOREIGN KEY ("hotel_id") REFERENCES "public"."hotels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_tokens" ADD CONSTRAINT "enrollment_tokens_hotel_id_hotels_id_fk" FOREIGN KEY ("hotel_id") REFERENCES "public"."hotels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agents_hotel_idx" ON "agents" USING btree ("hotel_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "chunks_timestamp_due_idx" ON "chunks" USING btree ("timestamp_due_at");--> statement-breakpoint
CREATE INDEX "chunks_hotel_hour_idx" ON "chunks" USING btree ("hotel_id","hour_start");--> statement-breakpoint
CREATE INDEX "chunks_agent_window_end_idx" ON "chunks" USING btree ("agent_id","window_end");