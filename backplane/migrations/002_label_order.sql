-- Vigil backplane schema, version 2: which verdict transactions.label holds.
-- The consumer sets label to the latest feedback by (ts, event_id), whatever order verdicts and
-- decisions arrive in (two partitions, redeliveries). It keeps that verdict's ts and event_id so
-- that an update computed from an older view of `feedback` can never overwrite a newer label.
ALTER TABLE transactions ADD COLUMN label_ts timestamptz;
ALTER TABLE transactions ADD COLUMN label_event_id text;
