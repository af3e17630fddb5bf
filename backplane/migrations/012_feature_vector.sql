-- Vigil backplane schema, version 12: the feature vector beside the features json, for backtests.
--
-- A rule backtest (POST /api/rules/backtest) reads the features its rules name for every decision
-- of the window. Out of the json column (migration 004) each one is `(features ->> name)::float8`,
-- which lexes the stored text up to the key: measured on PGlite (Postgres in WASM, in the
-- backplane's own thread) about 4 µs a decision, a third of a million-row backtest; on
-- PostgreSQL it is the server's largest cost in the backtest's scan. Eight bytes cut out of an
-- inline bytea are nearly free instead (docs/benchmarks.md has the numbers).
--
-- feature_vector: each feature a float8, big-endian (what float8send gives), in core's
-- FEATURE_NAMES order — names are only ever appended, so a position keeps its meaning, and past
-- the end of a shorter vector a feature reads as absent, as an absent json key does; NaN where the
-- decision had no number for it (absent too). Bytes rather than a float8[]: the consumer writes it
-- from the event it already parsed without printing 24 numbers as text for Postgres to parse back
-- (measured: ~1 µs a decision against 6–9 µs), and the bits stored are the double the edge's rules
-- saw. Nullable: rows written by anything else (and those the backfill below leaves) keep NULL,
-- and the backtest reads their json, which gives the same double for the same stored number.
--
-- Backfill: the rows stored before this migration, each number taken from the json as the
-- backtest read it, in the names of this build. A row with a feature the json path could not
-- cast (not a number, or one a float8 cannot hold, like 1e-400) keeps NULL: the migration must
-- not fail on a row, and the backtest treats that row exactly as before. On a large database
-- this rewrites `transactions` inside the start-up migration's transaction (as migration 004
-- did): minutes per tens of millions of rows; plan it for a quiet hour (docs/operations.md).
ALTER TABLE transactions ADD COLUMN feature_vector bytea;

-- json_each raises on a json that is not an object; the consumer stores only objects, but the
-- backfill must not depend on it.
CREATE FUNCTION vigil_object(j json) RETURNS json LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN json_typeof(j) = 'object' THEN j ELSE '{}'::json END $$;

UPDATE transactions t SET feature_vector = v.vector
FROM (
  SELECT x.transaction_id,
    string_agg(float8send(CASE WHEN json_typeof(j.value) = 'number' THEN j.value::text::float8
                                ELSE 'NaN' END), ''::bytea ORDER BY n.i) AS vector
  FROM transactions x
  CROSS JOIN unnest(ARRAY[
    -- core's FEATURE_NAMES of this build, in order (a test keeps them equal).
    'amount', 'tx_during_weekend', 'tx_during_night', 'customer_nb_tx_1d', 'customer_nb_tx_7d',
    'customer_nb_tx_30d', 'customer_avg_amount_1d', 'customer_avg_amount_7d',
    'customer_avg_amount_30d', 'terminal_nb_tx_1d_delay7', 'terminal_nb_tx_7d_delay7',
    'terminal_nb_tx_30d_delay7', 'terminal_risk_1d_delay7', 'terminal_risk_7d_delay7',
    'terminal_risk_30d_delay7', 'amount_to_mean_30d', 'amount_zscore_30d', 'amount_to_max_30d',
    'seconds_since_prev_tx', 'terminal_nb_tx_today', 'hour_of_day', 'terminal_fraud_age_days',
    'customer_known_frauds_30d', 'customer_fraud_recency_days'
  ]) WITH ORDINALITY AS n(name, i)
  LEFT JOIN LATERAL json_each(vigil_object(x.features)) AS j(key, value) ON j.key = n.name
  WHERE json_typeof(x.features) = 'object'
    -- A key given twice: which one a reader takes is not worth betting on; the row keeps NULL.
    AND (SELECT count(*) = count(DISTINCT key) FROM json_each(vigil_object(x.features)))
    AND NOT EXISTS (
      SELECT 1 FROM json_each(vigil_object(x.features)) AS k(key, value)
      WHERE CASE json_typeof(k.value)
        WHEN 'null' THEN false
        -- A float8 holds it (or it is 0): its cast cannot fail.
        WHEN 'number' THEN k.value::text::numeric <> 0
          AND abs(k.value::text::numeric) NOT BETWEEN 1e-307 AND 1e308
        ELSE true
      END)
  GROUP BY x.transaction_id
) AS v
WHERE t.transaction_id = v.transaction_id;

DROP FUNCTION vigil_object(json);
