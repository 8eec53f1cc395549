-- Occupation taxonomy: O*NET 27.0, ESCO v1.0.8, CBO 2002 (see packages/taxonomy/data/ATTRIBUTION.md).
CREATE TABLE occupations (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source      text NOT NULL CHECK (source IN ('onet', 'esco', 'cbo')),
  code        text NOT NULL,
  title       text NOT NULL,
  lang        text NOT NULL CHECK (lang IN ('en', 'pt')),
  description text NOT NULL DEFAULT '',
  UNIQUE (source, code)
);

-- Every name an occupation goes by. alias_norm is lower-case, accent-folded, single-spaced.
CREATE TABLE occupation_aliases (
  occupation_id integer NOT NULL REFERENCES occupations(id) ON DELETE CASCADE,
  alias         text NOT NULL,
  alias_norm    text NOT NULL,
  lang          text NOT NULL CHECK (lang IN ('en', 'pt')),
  kind          text NOT NULL CHECK (kind IN ('title', 'alternate', 'reported', 'synonym')),
  PRIMARY KEY (alias_norm, occupation_id)
);
CREATE INDEX occupation_aliases_trgm_idx ON occupation_aliases USING gin (alias_norm gin_trgm_ops);
CREATE INDEX occupation_aliases_occupation_idx ON occupation_aliases (occupation_id);

CREATE TABLE occupation_skills (
  occupation_id integer NOT NULL REFERENCES occupations(id) ON DELETE CASCADE,
  skill         text NOT NULL,
  hot           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (occupation_id, skill)
);

-- Taxonomy bookkeeping: which version of the shipped files is loaded.
CREATE TABLE taxonomy_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
