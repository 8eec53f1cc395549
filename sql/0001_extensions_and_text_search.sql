-- Contrib extensions only (available on any PostgreSQL >= 15, managed services included).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Accent-insensitive text search configurations: "Sênior" and "senior" must match, in both
-- languages, while keeping each language's Snowball stemmer ("desenvolvedora" → "desenvolvedor").
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'hh_english') THEN
    CREATE TEXT SEARCH CONFIGURATION hh_english (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION hh_english
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'hh_portuguese') THEN
    CREATE TEXT SEARCH CONFIGURATION hh_portuguese (COPY = portuguese);
    ALTER TEXT SEARCH CONFIGURATION hh_portuguese
      ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, portuguese_stem;
  END IF;
END $$;

-- Language code → configuration. IMMUTABLE so it can be used in index expressions.
CREATE OR REPLACE FUNCTION hh_ts_config(lang text) RETURNS regconfig
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN lang = 'pt' THEN 'hh_portuguese'::regconfig ELSE 'hh_english'::regconfig END $$;
