-- The events btrees lead with a number for the hotel instead of its slug: an
-- integer compares in one step, and the columns after it sit at fixed offsets
-- in the index tuple (docs/decisions.md, "Event indexes"). `hotel_id` stays on
-- every row: the read policy and every scope still name hotels by it.
ALTER TABLE "hotels" ADD COLUMN "key" integer NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "hotels_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "hotels" ADD CONSTRAINT "hotels_key_unique" UNIQUE("key");--> statement-breakpoint
DROP INDEX "events_hotel_time_idx";--> statement-breakpoint
DROP INDEX "events_hotel_src_ip_idx";--> statement-breakpoint
DROP INDEX "events_hotel_dst_ip_idx";--> statement-breakpoint
DROP INDEX "events_hotel_nat_idx";--> statement-breakpoint
-- Rows indexed before this migration take their hotel's key, then the column is required.
ALTER TABLE "events" ADD COLUMN "hotel_key" integer;--> statement-breakpoint
UPDATE "events" SET "hotel_key" = "hotels"."key" FROM "hotels" WHERE "hotels"."id" = "events"."hotel_id";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "hotel_key" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "events_hotel_time_idx" ON "events" USING btree ("hotel_key","received_at");--> statement-breakpoint
CREATE INDEX "events_hotel_src_ip_idx" ON "events" USING btree ("hotel_key","src_ip","received_at");--> statement-breakpoint
CREATE INDEX "events_hotel_dst_ip_idx" ON "events" USING btree ("hotel_key","dst_ip","received_at") WHERE "events"."dst_ip" is not null;--> statement-breakpoint
CREATE INDEX "events_hotel_nat_idx" ON "events" USING btree ("hotel_key","nat_ip","nat_port","received_at") WHERE "events"."nat_ip" is not null;--> statement-breakpoint
-- The read policy no longer meets an index condition on hotel_id, so it is a filter on every
-- row the read role reads: the scope is taken once per statement (an InitPlan), not parsed
-- from the setting again for each row. Same test, same rows: dropped and made in this one transaction.
DROP POLICY "read_scope" ON "events";--> statement-breakpoint
CREATE POLICY "read_scope" ON "events" TO logmaster_reader USING ("hotel_id" = ANY ((SELECT logmaster_read_scope())::text[]));
