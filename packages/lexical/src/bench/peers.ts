/**
 * Benchmark peers: MiniSearch (npm), and today's Postgres full-text branch: the same tsvector
 * construction as hh-search's candidate repository and the same statement as
 * services/hh-search/src/search/read-repository.ts fullText(), with the query text from
 * query-text.ts ftsQuery(). Postgres runs in a scratch schema of database `test`, dropped at the end.
 */
import MiniSearch from 'minisearch';
import pg from 'pg';
import type { CandidateInput } from '@hh/taxonomy';
import { DEFAULT_WEIGHTS } from '../fields.js';
import type { BenchDoc } from './corpus.js';
import { repoUrl } from './corpus.js';

export interface Peer {
  name: string;
  search(text: string, mode: 'job' | 'query', k: number): Promise<number[]> | number[];
  close?(): Promise<void>;
}

export function miniSearchPeer(docs: BenchDoc[]): { peer: Peer; buildMs: number } {
  const t0 = performance.now();
  const ms = new MiniSearch<{ id: number; title: string; headline: string; summary: string; skills: string; experienceTitle: string; experienceDescription: string }>({
    fields: ['title', 'headline', 'summary', 'skills', 'experienceTitle', 'experienceDescription'],
    storeFields: [],
  });
  for (const { id, doc } of docs) {
    ms.add({
      id,
      title: doc.title,
      headline: doc.headline ?? '',
      summary: doc.summary ?? '',
      skills: (doc.skills ?? []).join(', '),
      experienceTitle: (doc.experience ?? []).map((e) => e.title).join('\n'),
      experienceDescription: (doc.experience ?? []).map((e) => e.description).join('\n'),
    });
  }
  const buildMs = performance.now() - t0;
  return {
    buildMs,
    peer: {
      name: 'minisearch',
      // MiniSearch has no phrases or exclusions: a typed query is the AND of its words.
      search: (text, mode, k) =>
        ms
          .search(text.replace(/["]/g, ' ').replace(/(^|\s)-\S+/g, ' '), { combineWith: mode === 'job' ? 'OR' : 'AND', boost: { ...DEFAULT_WEIGHTS } })
          .slice(0, k)
          .map((r) => r.id as number),
    },
  };
}

type Derive = { deriveCandidate: (c: CandidateInput) => { title: string; headline: string; summary: string; skills: string[]; experienceText: string; language: string }; withJoinedCompounds: (t: string) => string };
type QueryText = { ftsQuery: (req: { query?: string; jobDescription?: string }) => { text: string; mode: 'query' | 'job' } };

export async function postgresPeer(docs: BenchDoc[], url: string, log: (s: string) => void): Promise<{ peer: Peer; loadMs: number; schema: string }> {
  const derive = (await import(repoUrl('services/hh-search/src/candidates/derive.ts'))) as Derive;
  const qt = (await import(repoUrl('services/hh-search/src/search/query-text.ts'))) as QueryText;
  const schema = `lexical_bench_${process.pid}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema}, public`);
  const ext = await client.query<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname IN ('unaccent', 'btree_gin')`);
  const have = new Set(ext.rows.map((r) => r.extname));
  for (const e of ['unaccent', 'btree_gin']) if (!have.has(e)) await client.query(`CREATE EXTENSION ${e} SCHEMA ${schema}`);
  // sql/0001_extensions_and_text_search.sql, in the scratch schema.
  await client.query(`
    CREATE TEXT SEARCH CONFIGURATION hh_english (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION hh_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    CREATE TEXT SEARCH CONFIGURATION hh_portuguese (COPY = portuguese);
    ALTER TEXT SEARCH CONFIGURATION hh_portuguese ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart WITH unaccent, portuguese_stem;
    CREATE FUNCTION hh_ts_config(lang text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN lang = 'pt' THEN '${schema}.hh_portuguese'::regconfig ELSE '${schema}.hh_english'::regconfig END $$;
    CREATE UNLOGGED TABLE candidates (id bigint PRIMARY KEY, tenant_id int NOT NULL, search_doc tsvector NOT NULL);`);
  const t0 = performance.now();
  const B = 2000;
  for (let i = 0; i < docs.length; i += B) {
    const chunk = docs.slice(i, i + B).map((d) => ({ id: d.id, d: derive.deriveCandidate(d.input) }));
    await client.query(
      `INSERT INTO candidates (id, tenant_id, search_doc)
       SELECT id, 1, setweight(to_tsvector(hh_ts_config(lang), a), 'A') || setweight(to_tsvector(hh_ts_config(lang), b), 'B') ||
                     setweight(to_tsvector(hh_ts_config(lang), c), 'C') || setweight(to_tsvector(hh_ts_config(lang), d), 'D')
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, lang, a, b, c, d)`,
      [
        chunk.map((c) => c.id),
        chunk.map((c) => c.d.language),
        chunk.map((c) => derive.withJoinedCompounds(c.d.title)),
        chunk.map((c) => derive.withJoinedCompounds(c.d.skills.join(', '))),
        chunk.map((c) => derive.withJoinedCompounds(`${c.d.headline}\n${c.d.summary}`)),
        chunk.map((c) => derive.withJoinedCompounds(c.d.experienceText)),
      ],
    );
    if ((i / B) % 50 === 0) log(`  postgres: ${i + chunk.length}/${docs.length} rows`);
  }
  await client.query('CREATE INDEX candidates_tenant_doc_idx ON candidates USING gin (tenant_id, search_doc)');
  await client.query('ANALYZE candidates');
  const loadMs = performance.now() - t0;
  // read-repository.ts fullText(), tenant 1, no filter.
  const sql = (mode: 'query' | 'job') => {
    const tsquery =
      mode === 'query'
        ? `(SELECT websearch_to_tsquery('hh_english', $2) || websearch_to_tsquery('hh_portuguese', $2) AS q)`
        : `(WITH lex AS (
              SELECT DISTINCT l AS lexeme
                FROM unnest(tsvector_to_array(to_tsvector('hh_english', $2) || to_tsvector('hh_portuguese', $2))) AS l),
            common AS (
              SELECT u.e AS lexeme, u.f AS freq
                FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)
               WHERE s.schemaname = current_schema() AND s.tablename = 'candidates' AND s.attname = 'search_doc'),
            ranked AS (
              SELECT lex.lexeme, coalesce(common.freq, 0) AS freq, row_number() OVER (ORDER BY coalesce(common.freq, 0), lex.lexeme) AS r
                FROM lex LEFT JOIN common USING (lexeme))
            SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q FROM ranked WHERE r <= 12 AND (freq < 0.03 OR r <= 3))`;
    return `SELECT c.id, ts_rank(c.search_doc, q.q, 1) AS score FROM candidates c, ${tsquery} q
             WHERE c.tenant_id = $1 AND c.search_doc @@ q.q ORDER BY score DESC, c.id LIMIT $3`;
  };
  return {
    loadMs,
    schema,
    peer: {
      name: 'postgres-fts',
      async search(text, mode, k) {
        const q = qt.ftsQuery(mode === 'job' ? { jobDescription: text } : { query: text });
        if (!q.text.trim()) return [];
        const { rows } = await client.query<{ id: string }>(sql(q.mode), [1, q.text, k]);
        return rows.map((r) => Number(r.id));
      },
      async close() {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    },
  };
}
