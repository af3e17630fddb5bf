-- Vigil backplane schema, version 8: score thresholds per model version (issue 16; ARCHITECTURE.md,
-- POST /api/thresholds/preview and PUT /api/models/{version}/thresholds). The one place thresholds
-- set for a model version live: PUT /api/thresholds/{model_version} writes here (with its audit
-- row, in one transaction), and the edges' rules sync (POST /internal/rules/sync) hands each edge
-- the row of the model it serves; without a row, an edge decides with its model's own thresholds.
CREATE TABLE thresholds (
  model_version text PRIMARY KEY,
  review        double precision NOT NULL,
  decline       double precision NOT NULL,
  updated_at    timestamptz NOT NULL,
  updated_by    text NOT NULL,              -- the analyst's session subject, or 'api' for a key
  CHECK (0 <= review AND review <= decline AND decline <= 1)
);

-- The models edges report serving in their rules sync, with the thresholds of the model's own
-- metadata: what the thresholds preview compares with when none are set, and which model it
-- replays by default. Written by the sync at most every few seconds per model and process.
CREATE TABLE served_models (
  model_version text PRIMARY KEY,
  review        double precision NOT NULL,  -- the model's metadata's thresholds
  decline       double precision NOT NULL,
  seen_at       timestamptz NOT NULL        -- when an edge last reported it (to a few seconds)
);
