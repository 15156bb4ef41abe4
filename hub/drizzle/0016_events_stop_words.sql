-- Stop words (hub/src/index/words.ts STOP_WORDS: the chain, protocol, flags and fixed labels
-- RouterOS writes in nearly every firewall line) leave `events.words`, and so the GIN, for
-- bits in `stop_words`; the query side tests the bits (docs/decisions.md "Free text").
-- Rows indexed before keep every word in `words` with no bit set, and the queries test both,
-- so nothing needs reindexing. A constant default on a new column rewrites nothing: instant.
ALTER TABLE "events" ADD COLUMN "stop_words" integer DEFAULT 0 NOT NULL;
