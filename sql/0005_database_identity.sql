-- A random identity for this database, so artefacts derived from it (vector-index snapshots)
-- are never applied to another database that happens to have the same schema and model.
CREATE TABLE hh_instance (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  database_id uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hh_instance DEFAULT VALUES;
