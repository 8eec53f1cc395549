CREATE TABLE tenants (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- also the tenant's label in the vector index
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Only SHA-256 digests of API keys are stored; the plaintext is shown once at creation.
CREATE TABLE api_keys (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   integer NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_hash    bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  key_prefix  text NOT NULL,            -- first characters, to recognise a key in listings
  name        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);
