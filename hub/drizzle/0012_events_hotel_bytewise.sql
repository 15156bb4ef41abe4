-- The hotel of an event compares byte by byte: it leads every index a line is
-- written into, and the database locale's strcoll on every btree step cost 9%
-- of PostgreSQL's CPU for a COPY (docs/decisions.md, "Event indexes").
-- A column a policy uses cannot change type: the policy is made again as it was (0003).
DROP POLICY "read_scope" ON "events";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "hotel_id" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
CREATE POLICY "read_scope" ON "events" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
