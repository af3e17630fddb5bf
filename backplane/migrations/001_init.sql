-- Vigil backplane schema, version 1. Applied in order by the migrator (backplane/src/db), each file
-- once, recorded in schema_migrations. Event tables are written only by the Kafka consumer, with
-- idempotent upserts keyed by event_id / transaction_id, so a redelivered batch changes nothing.

-- One row per scored transaction: the decision event, flattened for filtering.
CREATE TABLE transactions (
  transaction_id text PRIMARY KEY,
  event_id       text NOT NULL UNIQUE,
  ts             timestamptz NOT NULL,          -- the transaction's own (event) time
  customer_id    text NOT NULL,
  terminal_id    text NOT NULL,
  amount         double precision NOT NULL,
  currency       text,
  channel        text,
  country        text,
  device_id      text,
  ip             text,
  score          double precision NOT NULL,
  decision       text NOT NULL CHECK (decision IN ('approve', 'review', 'decline')),
  reasons        jsonb NOT NULL,
  features       jsonb NOT NULL,
  model_version  text NOT NULL,
  degraded       boolean NOT NULL,
  scored_at      timestamptz NOT NULL,          -- wall clock at the edge
  runtime        text NOT NULL,
  latency_ms     double precision NOT NULL,
  label          text CHECK (label IN ('fraud', 'legitimate')),  -- latest verdict, kept by the consumer
  ingested_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transactions_scored_at ON transactions (scored_at DESC, transaction_id DESC);
CREATE INDEX transactions_customer ON transactions (customer_id, ts DESC);
CREATE INDEX transactions_terminal ON transactions (terminal_id, ts DESC);
CREATE INDEX transactions_decision ON transactions (decision, scored_at DESC);

-- Every verdict, once (event_id); no foreign key: a label may land before its decision does.
CREATE TABLE feedback (
  event_id       text PRIMARY KEY,
  transaction_id text NOT NULL,
  label          text NOT NULL CHECK (label IN ('fraud', 'legitimate')),
  ts             timestamptz NOT NULL,          -- when the label became known
  source         text NOT NULL,
  actor          text,
  case_id        text,
  customer_id    text,
  ingested_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_transaction ON feedback (transaction_id, ts);

-- A review or decline opens one case (case_id = 'case_' || transaction_id). The consumer inserts
-- it with the decision; analysts' actions (assign, comment, resolve) update it through the API,
-- guarded by `version` (optimistic concurrency).
CREATE TABLE cases (
  case_id        text PRIMARY KEY,
  transaction_id text NOT NULL UNIQUE,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'resolved')),
  assignee       text,
  resolution     text CHECK (resolution IN ('fraud', 'false_positive')),
  opened_at      timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  version        integer NOT NULL DEFAULT 1
);
CREATE INDEX cases_status ON cases (status, opened_at DESC);

CREATE TABLE case_comments (
  id         bigserial PRIMARY KEY,
  case_id    text NOT NULL REFERENCES cases (case_id),
  author     text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_comments_case ON case_comments (case_id, id);
