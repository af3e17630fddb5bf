-- Vigil backplane schema, version 10: the model registry (issue 18; ARCHITECTURE.md "Models").
-- A model is its ONNX file and the metadata `npm run train -- --in` wrote beside it: both stored
-- here whole, so the edges fetch the artifact from Postgres (GET /internal/models/{version}) and a
-- registered model outlives the file it came from. Thresholds set for a version live in the
-- thresholds table (migration 008), not here: one place for thresholds.
CREATE TABLE models (
  version           text PRIMARY KEY,
  status            text NOT NULL DEFAULT 'candidate'
                      CHECK (status IN ('candidate', 'challenger', 'champion', 'retired')),
  onnx              bytea NOT NULL,
  sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes        integer NOT NULL CHECK (size_bytes > 0),
  metadata          jsonb NOT NULL,            -- core's trainedModelMetadataSchema, validated on the way in
  created_at        timestamptz NOT NULL,
  created_by        text NOT NULL,             -- the analyst's session subject, or 'api' for a key
  promoted_at       timestamptz,               -- when it last became champion
  -- The champion the current one replaced: "roll back" promotes it. At most one row.
  previous_champion boolean NOT NULL DEFAULT false
);
-- At most one champion and one challenger, whatever two analysts do at once.
CREATE UNIQUE INDEX models_one_champion ON models (status) WHERE status = 'champion';
CREATE UNIQUE INDEX models_one_challenger ON models (status) WHERE status = 'challenger';
CREATE UNIQUE INDEX models_one_previous ON models (previous_champion) WHERE previous_champion;
CREATE INDEX models_listing ON models (created_at DESC, version);

-- What the challenger said of a decision: `{ model_version, score, decision }` as the decision
-- event carries it (null: no challenger scored it). Read by GET /api/models/compare.
ALTER TABLE transactions ADD COLUMN challenger jsonb;
