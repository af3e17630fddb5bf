-- Vigil backplane schema, version 3: a covering index for the analysts' API's GET /api/stats.
-- The statistics read five columns of every decision in a window; with them in the index Postgres
-- answers from the index alone (an index-only scan) instead of visiting each wide row (features
-- and reasons as jsonb). Measured on 100k decisions: about 1.5–2× faster for the 7-day window.
-- The cost is one more index entry per inserted decision.
CREATE INDEX transactions_stats ON transactions (scored_at) INCLUDE (decision, score, latency_ms, label);
