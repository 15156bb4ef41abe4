-- An event row names its hotel once, by `hotel_key` (docs/decisions.md, "Event indexes"):
-- the btrees lead with it and the read policy tests it (0014), so the slug beside it was a
-- second copy of the same fact that nothing enforced to agree. Hits name the hotel from
-- their chunk (`chunks.hotel_id`). Dropping a column rewrites nothing: instant on a large store.
ALTER TABLE "events" DROP COLUMN "hotel_id";
