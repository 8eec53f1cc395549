/**
 * Every SQL statement the search path still runs, in one place: the Postgres full-text branch (for
 * LEXICAL_INDEX=postgres, and while the in-memory lexical index warms), the specialty query used
 * while the in-memory occupation postings load, and hydration by primary key (likewise).
 * Each runs through a BudgetedQuery, so it is cancelled server-side when its branch gives up.
 */
import { fnv1a32 } from '@hh/text';
import type { BranchHit } from './branch.js';
import type { BudgetedQuery } from './db.js';
import type { CompiledFilter } from './filters.js';

/**
 * Named (prepared) statements: pg plans each distinct SQL text once per connection instead of on
 * every search. The name is derived from the text, which varies only with the filter shape.
 */
export function prepared(kind: string, text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `hh_${kind}_${fnv1a32(text).toString(36)}`, text, values };
}

/** Placeholders for a statement's own parameters, numbered after the filter's $1..$n. */
function params(filter: CompiledFilter, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `$${filter.params.length + i + 1}`);
}

/** A candidate as a page and the reranker see it. */
export interface CandidateDoc {
  id: number;
  externalId: string;
  version: number;
  title: string;
  headline: string;
  /** The start of the summary: what the reranker's text features read. */
  excerpt: string;
  skills: string[];
  skillsNorm: string[];
  country: string | null;
  region: string | null;
  city: string | null;
  remote: boolean;
  yearsExperience: number | null;
  seniority: string | null;
  language: 'en' | 'pt';
}

/** How much of a summary the reranker reads (its text features saturate well before this). */
export const EXCERPT_CHARS = 1_000;

export function createSearchReadRepository() {
  return {
    /**
     * Full text in Postgres. A typed query keeps websearch semantics (AND, quotes, OR, -); a job
     * description becomes an OR of its rarest lexemes (terms the column statistics say occur in
     * more than 3 % of profiles would match most of the pool and only cost ranking time). Both
     * text-search configurations are queried, so an English query finds Portuguese profiles that
     * mention the same technologies, and vice versa. Not a named statement: a generic plan would
     * evaluate the tsquery per row.
     */
    async fullText(db: BudgetedQuery, tenantId: number, query: { text: string; mode: 'query' | 'job' }, filter: CompiledFilter, window: number): Promise<BranchHit[]> {
      if (!query.text.trim()) return [];
      const [t, q, lim] = params(filter, 3);
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
      const { rows } = await db<{ id: number; score: number }>({
        text: `SELECT c.id, ts_rank(c.search_doc, q.q, 1) AS score
                 FROM candidates c, ${tsquery} q
                WHERE c.tenant_id = ${t} AND c.search_doc @@ q.q ${filter.sql}
                ORDER BY score DESC, c.id
                LIMIT ${lim}`,
        values: [...filter.params, tenantId, query.text, window],
      });
      return rows;
    },

    /** Candidates of the matched occupations, best match first (SQL form of the specialty branch). */
    async specialty(
      db: BudgetedQuery,
      tenantId: number,
      matches: { occupationId: number; title: string; confidence: number }[],
      filter: CompiledFilter,
      window: number,
    ): Promise<BranchHit[]> {
      if (matches.length === 0) return [];
      const [t, ids, confs, titles, lim] = params(filter, 5);
      const { rows } = await db<{ id: number; score: number; occupation: string }>(
        prepared(
          'specialty',
          `SELECT c.id, m.conf AS score, m.title AS occupation
             FROM candidates c
             CROSS JOIN LATERAL (
               SELECT o.conf, o.title FROM unnest(${ids}::int[], ${confs}::real[], ${titles}::text[]) AS o(id, conf, title)
                WHERE o.id = ANY(c.occupation_ids) ORDER BY o.conf DESC LIMIT 1) m
            WHERE c.tenant_id = ${t} AND c.occupation_ids && ${ids}::int[] ${filter.sql}
            ORDER BY m.conf DESC, c.years_experience DESC NULLS LAST, c.id
            LIMIT ${lim}`,
          [...filter.params, tenantId, matches.map((m) => m.occupationId), matches.map((m) => m.confidence), matches.map((m) => m.title), window],
        ),
      );
      return rows;
    },

    /** Page and rerank fields of these candidates, by primary key. */
    async documents(db: BudgetedQuery, tenantId: number, ids: number[]): Promise<Map<number, CandidateDoc>> {
      if (ids.length === 0) return new Map();
      const { rows } = await db<{
        id: number;
        external_id: string;
        version: number;
        title: string;
        headline: string;
        excerpt: string;
        skills: string[];
        skills_norm: string[];
        country: string | null;
        region: string | null;
        city: string | null;
        remote: boolean;
        years_experience: number | null;
        seniority: string | null;
        language: 'en' | 'pt';
      }>({
        name: 'hh_load_docs',
        text: `SELECT id, external_id, version, title, headline, left(summary, ${EXCERPT_CHARS}) AS excerpt, skills, skills_norm,
                      country, region, city, remote, years_experience, seniority, language
                 FROM candidates WHERE tenant_id = $1 AND id = ANY($2::bigint[])`,
        values: [tenantId, ids],
      });
      return new Map(
        rows.map((r) => [
          r.id,
          {
            id: r.id,
            externalId: r.external_id,
            version: r.version,
            title: r.title,
            headline: r.headline,
            excerpt: r.excerpt,
            skills: r.skills,
            skillsNorm: r.skills_norm,
            country: r.country,
            region: r.region,
            city: r.city,
            remote: r.remote,
            yearsExperience: r.years_experience,
            seniority: r.seniority,
            language: r.language,
          },
        ]),
      );
    },
  };
}
export type SearchReadRepository = ReturnType<typeof createSearchReadRepository>;
