-- Vigil backplane schema, version 5: an analyst's verdict is never silently lost on its way to the
-- edge. Resolving a case writes one row here in the same transaction as the resolution; the API
-- tries the edge's POST /v1/feedback at once and a background sweep retries what is still pending
-- (backoff, claimed with FOR UPDATE SKIP LOCKED so several backplanes never send one twice at a
-- time), across restarts. The dashboard shows the state: applied at the edge, pending (retrying),
-- or failed with the reason (an edge that never learnt the transaction, a 4xx that cannot succeed).
CREATE TABLE verdict_deliveries (
  case_id         text PRIMARY KEY REFERENCES cases (case_id),
  transaction_id  text NOT NULL,
  label           text NOT NULL CHECK (label IN ('fraud', 'legitimate')),
  ts              timestamptz NOT NULL,       -- the verdict's timestamp, as the feedback event has it
  event_id        text NOT NULL,              -- that feedback event's id
  state           text NOT NULL CHECK (state IN ('pending', 'applied', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,       -- pending: when the sweep may try it (a lease while one does)
  last_status     integer,                    -- the edge's HTTP status at the last try; null = unreachable
  detail          text,                       -- why it is not applied (the edge's problem detail)
  retry_from      timestamptz NOT NULL,       -- start of this run of tries (resolution, or an analyst's retry)
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
-- The sweep reads the due pending rows; the metrics count pending and failed ones. Applied rows,
-- nearly all of them, stay out of the index.
CREATE INDEX verdict_deliveries_due ON verdict_deliveries (state, next_attempt_at)
  WHERE state <> 'applied';
