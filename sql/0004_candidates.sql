CREATE TABLE candidates (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- internal id, used by the vector index
  tenant_id        integer NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  external_id      text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 128),
  version          bigint NOT NULL CHECK (version >= 1),
  profile          jsonb NOT NULL,
  title            text NOT NULL DEFAULT '',
  headline         text NOT NULL DEFAULT '',
  summary          text NOT NULL DEFAULT '',
  skills           text[] NOT NULL DEFAULT '{}',
  skills_norm      text[] NOT NULL DEFAULT '{}',    -- folded, for must-have filters
  country          text CHECK (country ~ '^[A-Z]{2}$'),
  region           text,
  city             text,
  city_norm        text,
  remote           boolean NOT NULL DEFAULT false,
  years_experience real CHECK (years_experience >= 0 AND years_experience <= 80),
  seniority        text CHECK (seniority IN ('intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive')),
  language         text NOT NULL CHECK (language IN ('en', 'pt')),
  occupation_ids   integer[] NOT NULL DEFAULT '{}',
  -- Weighted document: title A, skills B, headline/summary C, experience D, in the candidate's language.
  search_doc       tsvector NOT NULL,
  embed_hash       text NOT NULL,                    -- sha256 of the text that gets embedded
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, external_id)
);
-- btree_gin lets one GIN index serve "tenant = $1 AND doc @@ query" (and the occupation lookup).
CREATE INDEX candidates_tenant_doc_idx ON candidates USING gin (tenant_id, search_doc);
CREATE INDEX candidates_tenant_occupations_idx ON candidates USING gin (tenant_id, occupation_ids);
CREATE INDEX candidates_tenant_skills_idx ON candidates USING gin (tenant_id, skills_norm);

CREATE TABLE candidate_embeddings (
  candidate_id  bigint PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
  tenant_id     integer NOT NULL,
  model         text NOT NULL,
  content_hash  text NOT NULL,
  dims          integer NOT NULL CHECK (dims > 0),
  embedding     bytea NOT NULL,              -- float32 little-endian, dims * 4 bytes
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (octet_length(embedding) = dims * 4)
);
CREATE INDEX candidate_embeddings_model_idx ON candidate_embeddings (model, candidate_id);

-- Transactional outbox: a row per candidate whose embedded text changed. Workers claim rows with
-- FOR UPDATE SKIP LOCKED; a row is deleted only in the transaction that stores its vector.
CREATE TABLE embedding_outbox (
  candidate_id  bigint PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
  tenant_id     integer NOT NULL,
  content_hash  text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  available_at  timestamptz NOT NULL DEFAULT now(),
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX embedding_outbox_available_idx ON embedding_outbox (available_at);

-- Change log for vector-index replicas. seq order equals commit order because appenders take
-- a transaction-scoped advisory lock (see hh_append_change); readers tail "seq > last applied".
CREATE TABLE change_log (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     integer NOT NULL,
  candidate_id  bigint NOT NULL,
  op            text NOT NULL CHECK (op IN ('upsert', 'delete')),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_created_idx ON change_log (created_at);

CREATE OR REPLACE FUNCTION hh_append_change(p_tenant integer, p_candidate bigint, p_op text) RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE s bigint;
BEGIN
  -- Serialise appenders until commit so that no reader ever sees seq N+1 before seq N.
  PERFORM pg_advisory_xact_lock(7243001);
  INSERT INTO change_log (tenant_id, candidate_id, op) VALUES (p_tenant, p_candidate, p_op) RETURNING seq INTO s;
  PERFORM pg_notify('hh_change_log', s::text);
  RETURN s;
END $$;
