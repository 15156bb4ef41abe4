CREATE TABLE "event_minutes" (
	"hotel_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"chunk_id" bigint NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "event_minutes_chunk_id_minute_pk" PRIMARY KEY("chunk_id","minute")
);
--> statement-breakpoint
CREATE INDEX "event_minutes_hotel_minute_idx" ON "event_minutes" USING btree ("hotel_id","minute");--> statement-breakpoint
GRANT SELECT ON "event_minutes" TO logmaster_reader;
--> statement-breakpoint
-- As the other index tables (0003): the hub's own user writes, the read role is held to its hotels.
ALTER TABLE "event_minutes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "event_minutes" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
--> statement-breakpoint
-- What was indexed before this migration, counted once; from now on the index step counts.
INSERT INTO "event_minutes" ("hotel_id", "agent_id", "chunk_id", "minute", "count")
SELECT "hotel_id", "agent_id", "chunk_id", date_bin('1 minute', "received_at", '2000-01-01T00:00:00Z'), count(*)
  FROM "events" GROUP BY 1, 2, 3, 4;
