CREATE TABLE "devices" (
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"address" "inet" NOT NULL,
	"name" text,
	"last_host" text,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"event_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "devices_agent_id_address_pk" PRIMARY KEY("agent_id","address")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"received_at" timestamp with time zone NOT NULL,
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"chunk_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"logged_at" timestamp with time zone,
	"device_ip" "inet" NOT NULL,
	"host" text,
	"severity" smallint,
	"dataset" text,
	"topics" text[],
	"action" text,
	"src_ip" "inet",
	"src_port" integer,
	"src_mac" "macaddr",
	"dst_ip" "inet",
	"dst_port" integer,
	"nat_ip" "inet",
	"nat_port" integer,
	"protocol" text,
	"user_name" text,
	"raw" text NOT NULL,
	"words" "tsvector"
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
CREATE TABLE "hotspot_sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"user_name" text NOT NULL,
	"ip" "inet" NOT NULL,
	"mac" "macaddr",
	"login_at" timestamp with time zone NOT NULL,
	"logout_at" timestamp with time zone,
	"logout_reason" text,
	"start_chunk_id" bigint NOT NULL,
	"start_seq" bigint NOT NULL,
	"end_chunk_id" bigint,
	"end_seq" bigint,
	CONSTRAINT "hotspot_sessions_agent_start_seq_unique" UNIQUE("agent_id","start_seq")
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"ip" "inet" NOT NULL,
	"mac" "macaddr" NOT NULL,
	"hostname" text,
	"server" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"start_chunk_id" bigint NOT NULL,
	"start_seq" bigint NOT NULL,
	"end_chunk_id" bigint,
	"end_seq" bigint,
	CONSTRAINT "leases_agent_start_seq_unique" UNIQUE("agent_id","start_seq")
);
--> statement-breakpoint
CREATE TABLE "record_gaps" (
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"chunk_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"lost" bigint NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "record_gaps_agent_id_seq_pk" PRIMARY KEY("agent_id","seq")
);
--> statement-breakpoint
ALTER TABLE "chunks" ADD COLUMN "indexed_length" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "devices_hotel_idx" ON "devices" USING btree ("hotel_id");--> statement-breakpoint
CREATE INDEX "events_hotel_time_idx" ON "events" USING btree ("hotel_id","received_at");--> statement-breakpoint
CREATE INDEX "events_hotel_src_ip_idx" ON "events" USING btree ("hotel_id","src_ip","received_at");--> statement-breakpoint
CREATE INDEX "events_words_idx" ON "events" USING gin ("words");--> statement-breakpoint
CREATE INDEX "events_hotel_nat_idx" ON "events" USING btree ("hotel_id","nat_ip","nat_port","received_at") WHERE "events"."nat_ip" is not null;--> statement-breakpoint
CREATE INDEX "hotspot_sessions_hotel_ip_idx" ON "hotspot_sessions" USING btree ("hotel_id","ip","login_at");--> statement-breakpoint
CREATE INDEX "hotspot_sessions_hotel_mac_idx" ON "hotspot_sessions" USING btree ("hotel_id","mac","login_at");--> statement-breakpoint
CREATE INDEX "hotspot_sessions_hotel_user_idx" ON "hotspot_sessions" USING btree ("hotel_id","user_name","login_at");--> statement-breakpoint
CREATE INDEX "leases_hotel_ip_idx" ON "leases" USING btree ("hotel_id","ip","starts_at");--> statement-breakpoint
CREATE INDEX "leases_hotel_mac_idx" ON "leases" USING btree ("hotel_id","mac","starts_at");--> statement-breakpoint
CREATE INDEX "record_gaps_hotel_time_idx" ON "record_gaps" USING btree ("hotel_id","first_at");--> statement-breakpoint
CREATE INDEX "chunks_unindexed_idx" ON "chunks" USING btree ("agent_id","hour_start","part") WHERE "chunks"."indexed_length" < "chunks"."length";
--> statement-breakpoint
-- Partitions of events, one per UTC day (events_YYYYMMDD), made by the index worker before it
-- writes a day and ahead by the daily job; an advisory lock keeps two hubs from racing.
CREATE OR REPLACE FUNCTION logmaster_ensure_events_partition(day date) RETURNS text
  LANGUAGE plpgsql
  AS $$
DECLARE
  name text := 'events_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(name) IS NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext('logmaster_events_partition'));
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
        name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
      EXECUTE format('GRANT SELECT ON %I TO logmaster_reader', name);
    END IF;
  END IF;
  RETURN name;
END
$$;
--> statement-breakpoint
-- The read role: every query of the search engine runs as it, with the caller's hotels in
-- logmaster.read_hotels ('{a,b}'); without them it sees nothing (docs/decisions.md
-- "Hotel scope on reads").
CREATE OR REPLACE FUNCTION logmaster_read_scope() RETURNS text[]
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('logmaster.read_hotels', true), '')::text[] $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logmaster_reader') THEN
    BEGIN
      CREATE ROLE logmaster_reader NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % may not create roles: ask the DBA to run CREATE ROLE logmaster_reader NOLOGIN; GRANT logmaster_reader TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'logmaster_reader', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT logmaster_reader TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE EXCEPTION 'the hub''s database user % is not a member of logmaster_reader: ask the DBA to run GRANT logmaster_reader TO %; then start the hub again (docs/install-hub.md)', current_user, current_user;
    END;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO logmaster_reader;
--> statement-breakpoint
GRANT SELECT ON "events", "leases", "hotspot_sessions", "record_gaps", "devices", "chunks", "agents", "hotels" TO logmaster_reader;
--> statement-breakpoint
-- ENABLE without FORCE on the index tables: the hub's own user (the index worker, which
-- bulk-loads with COPY, and COPY FROM refuses tables whose policies apply to the caller)
-- writes them; the read role is held to its hotels.
ALTER TABLE "events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "events" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
ALTER TABLE "leases" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "leases" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
ALTER TABLE "hotspot_sessions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "hotspot_sessions" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
ALTER TABLE "record_gaps" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "record_gaps" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
ALTER TABLE "devices" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "devices" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
ALTER TABLE "hotels" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "hotels" TO logmaster_reader USING ("id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
-- chunks and agents already carry the ingest scope's permissive policy (0001); the read role
-- is narrowed further.
CREATE POLICY "read_scope" ON "chunks" AS RESTRICTIVE TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
CREATE POLICY "read_scope" ON "agents" AS RESTRICTIVE TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
