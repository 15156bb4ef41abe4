CREATE INDEX "audit_log_hotel_idx" ON "audit_log" USING btree ("hotel_id","id");--> statement-breakpoint
-- A hotel-bound auditor reads the audit rows of their hotels as the read role (0003), held to
-- them here as the search tables are (docs/decisions.md "Hotel scope on reads"). Rows without a
-- hotel (logins, account changes) match no scope: they stay for chain-wide accounts, which read
-- the log as the hub's own user. ENABLE without FORCE: the hub's own user (the table's owner)
-- still appends every row and `logmaster-hub audit verify` still walks every row; the reader
-- gets no INSERT, and the append-only triggers of 0005 refuse UPDATE and DELETE to every role.
GRANT SELECT ON "audit_log" TO logmaster_reader;
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "read_scope" ON "audit_log" TO logmaster_reader USING ("hotel_id" = ANY (logmaster_read_scope()));
