-- Drift (issue 18): one row per run of the drift job (backplane/src/drift), hourly by default —
-- the population stability (PSI) of the champion's score and of each feature over the window's
-- stored decisions against the training reference in the model's metadata. GET /api/drift reads
-- the newest; runs older than 90 days are deleted by the job, so the table stays ~2,000 rows.
CREATE TABLE drift_runs (
  id            bigserial PRIMARY KEY,
  computed_at   timestamptz NOT NULL,
  model_version text,                   -- null: no model registered and no decision stored
  window_from   timestamptz NOT NULL,
  window_to     timestamptz NOT NULL,
  rows          integer NOT NULL CHECK (rows >= 0),
  status        text NOT NULL CHECK (status IN ('ok', 'no_reference', 'no_data')),
  score_psi     double precision CHECK (score_psi >= 0),
  -- [{feature, psi}], most drifting first; empty unless status is 'ok'.
  features      json NOT NULL
);
CREATE INDEX drift_runs_computed_at ON drift_runs (computed_at DESC, id DESC);
