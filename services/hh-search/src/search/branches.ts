/**
 * The three retrieval branches. Each returns up to `window` hits in rank order, already
 * restricted to the tenant and to the compiled recruiter filters.
 */
import { fnv1a32 } from '@hh/text';
import type { BranchHit } from './fusion.js';
import type { CompiledFilter } from './filters.js';
import type { VectorIndex } from '../vector/types.js';
import type { BudgetedQuery } from './db.js';

/**
 * Named (prepared) statements: pg plans each distinct SQL text once per connection instead of on
 * every search. The name is derived from the text, which varies only with the filter shape.
 */
export function prepared(kind: string, text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `hh_${kind}_${fnv1a32(text).toString(36)}`, text, values };
}

/** Placeholders for a branch's own parameters, numbered after the filter's $1..$n. */
function params(filter: CompiledFilter, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `$${filter.params.length + i + 1}`);
}

export async function ftsBranch(
  db: BudgetedQuery,
  tenantId: number,
  query: { text: string; mode: 'query' | 'job' },
  filter: CompiledFilter,
  window: number,
): Promise<BranchHit[]> {
  if (!query.text.trim()) return [];
  const [t, q, lim] = params(filter, 3);
  // Candidates are indexed in their own language; query both configurations so an English
  // query finds Portuguese profiles that mention the same technologies, and vice versa.
  // A typed query keeps websearch semantics (AND, quotes, OR, -). A job description becomes an
  // OR of its rarest lexemes: terms the column statistics say occur in more than 3 % of profiles
  // would match most of the pool and only cost ranking time (as Lucene's common-terms query does).
  const tsquery =
    query.mode === 'query'
      ? `(SELECT websearch_to_tsquery('hh_english', ${q}) || websearch_to_tsquery('hh_portuguese', ${q}) AS q)`
      : `(WITH lex AS (
            SELECT DISTINCT l AS lexeme
              FROM unnest(tsvector_to_array(to_tsvector('hh_english', ${q}) || to_tsvector('hh_portuguese', ${q}))) AS l),
          common AS (
            SELECT u.e AS lexeme, u.f AS freq
              FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)
             WHERE s.schemaname = current_schema() AND s.tablename = 'candidates' AND s.attname = 'search_doc'),
          ranked AS (
            SELECT lex.lexeme, coalesce(common.freq, 0) AS freq, row_number() OVER (ORDER BY coalesce(common.freq, 0), lex.lexeme) AS r
              FROM lex LEFT JOIN common USING (lexeme))
          SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q FROM ranked WHERE r <= 12 AND (freq < 0.03 OR r <= 3))`;
  const { rows } = await db<{ id: number; score: number }>(prepared('fts',
    `SELECT c.id, ts_rank(c.search_doc, q.q, 1) AS score
       FROM candidates c, ${tsquery} q
      WHERE c.tenant_id = ${t} AND c.search_doc @@ q.q ${filter.sql}
      ORDER BY score DESC, c.id
      LIMIT ${lim}`,
    [...filter.params, tenantId, query.text, window]),
  );
  return rows;
}

export interface SpecialtyMatch {
  occupationId: number;
  title: string;
  confidence: number;
}

export async function specialtyBranch(
  db: BudgetedQuery,
  tenantId: number,
  matches: SpecialtyMatch[],
  filter: CompiledFilter,
  window: number,
): Promise<BranchHit[]> {
  if (matches.length === 0) return [];
  const [t, ids, confs, titles, lim] = params(filter, 5);
  const { rows } = await db<{ id: number; score: number; occupation: string }>(prepared('specialty',
    `SELECT c.id, m.conf AS score, m.title AS occupation
       FROM candidates c
       CROSS JOIN LATERAL (
         SELECT o.conf, o.title FROM unnest(${ids}::int[], ${confs}::real[], ${titles}::text[]) AS o(id, conf, title)
          WHERE o.id = ANY(c.occupation_ids) ORDER BY o.conf DESC LIMIT 1) m
      WHERE c.tenant_id = ${t} AND c.occupation_ids && ${ids}::int[] ${filter.sql}
      ORDER BY m.conf DESC, c.years_experience DESC NULLS LAST, c.id
      LIMIT ${lim}`,
    [...filter.params, tenantId, matches.map((m) => m.occupationId), matches.map((m) => m.confidence), matches.map((m) => m.title), window]),
  );
  return rows;
}

/**
 * Vector branch: the index answers for the tenant (a hard filter inside the index); recruiter
 * filters are applied afterwards in SQL, over-fetching when filters are present. `short` says
 * the filtered set ran out before the window filled while the index had more.
 */
export async function vectorBranch(
  db: BudgetedQuery,
  index: VectorIndex,
  tenantId: number,
  query: Float32Array,
  filter: CompiledFilter,
  window: number,
): Promise<{ hits: BranchHit[]; short: boolean }> {
  const filtered = filter.params.length > 0;
  const k = filtered ? window * 5 : window;
  const raw = await index.search(tenantId, query, k);
  if (!filtered) return { hits: raw.slice(0, window), short: false };
  const [t, ids] = params(filter, 2);
  const { rows } = await db<{ id: number }>(
    prepared('vfilter', `SELECT c.id FROM candidates c WHERE c.tenant_id = ${t} AND c.id = ANY(${ids}::bigint[]) ${filter.sql}`, [
      ...filter.params,
      tenantId,
      raw.map((h) => h.id),
    ]),
  );
  const keep = new Set(rows.map((r) => r.id));
  const hits = raw.filter((h) => keep.has(h.id)).slice(0, window);
  return { hits, short: hits.length < window && raw.length === k };
}
