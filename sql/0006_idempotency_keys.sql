-- Idempotency-Key for POST /v1/candidates/bulk (RELIABILITY.md §3.5): the first request with a key
-- claims it (response NULL while in flight) and stores its response; a retry with the same key and
-- the same body gets that response again without touching candidates or the embedding outbox.
CREATE TABLE idempotency_keys (
  tenant_id     integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash  text NOT NULL,
  status_code   integer,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
