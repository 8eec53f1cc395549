/**
 * The indexes exist for the queries we run: EXPLAIN each hot query and check that the planner
 * can serve it from the intended index. The test pool is small, so sequential scans (and
 * competing indexes) are disabled for the check: what is verified is that the index matches the
 * query's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { generateDemoCandidates, occupationsForTitles } from '@hh/taxonomy';
import { createCandidateRepository } from '../src/candidates/repository.js';
import { compileFilters } from '../src/search/filters.js';
import { TAXONOMY_SEED } from './harness.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(TAXONOMY_SEED);
  await db.pool.query(`INSERT INTO tenants (slug, name) VALUES ('t', 'T')`);
  const repo = createCandidateRepository({ pool: db.pool, occupations: (c, t, l) => occupationsForTitles(c, t, l) });
  const items = generateDemoCandidates({ count: 300, seed: 7 }).map(({ id, ...input }) => ({ id, input }));
  await repo.upsertMany(1, items);
  await db.pool.query('ANALYZE');
});
afterAll(async () => {
  await db?.drop();
});

/** `only`: drop the other tenant-prefixed indexes inside the transaction, leaving this one. */
async function plan(sql: string, params: unknown[], only?: string): Promise<string> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    // In a 300-row tenant, any index with a tenant_id prefix looks as good as the one that covers
    // the whole condition; drop the others inside this transaction (DDL rolls back) so the plan
    // shows that the intended index serves the query. (On a realistic pool the planner picks it.)
    if (only) {
      await client.query('ALTER TABLE candidates DROP CONSTRAINT candidates_tenant_id_external_id_key');
      for (const idx of ['candidates_tenant_doc_idx', 'candidates_tenant_occupations_idx', 'candidates_tenant_skills_idx']) {
        if (idx !== only) await client.query(`DROP INDEX ${idx}`);
      }
    }
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return JSON.stringify(rows[0]);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('query plans use the intended indexes', () => {
  it('full text: (tenant, search_doc) GIN', async () => {
    const p = await plan(
      `SELECT c.id FROM candidates c WHERE c.tenant_id = $1 AND c.search_doc @@ (websearch_to_tsquery('hh_english', $2) || websearch_to_tsquery('hh_portuguese', $2))`,
      [1, 'nurse'],
      'candidates_tenant_doc_idx',
    );
    expect(p, p).toContain('candidates_tenant_doc_idx');
  });
  it('specialty: (tenant, occupation_ids) GIN', async () => {
    expect(await plan('SELECT c.id FROM candidates c WHERE c.tenant_id = $1 AND c.occupation_ids && $2::int[]', [1, [1, 2, 3]], 'candidates_tenant_occupations_idx')).toContain(
      'candidates_tenant_occupations_idx',
    );
  });
  it('must-have skills filter: (tenant, skills_norm) GIN', async () => {
    const f = compileFilters({ mustHaveSkills: ['python'] });
    expect(await plan(`SELECT c.id FROM candidates c WHERE c.tenant_id = $2 ${f.sql}`, [...f.params, 1], 'candidates_tenant_skills_idx')).toContain('candidates_tenant_skills_idx');
  });
  it('candidate by external id: the unique (tenant, external_id) index', async () => {
    expect(await plan('SELECT * FROM candidates WHERE tenant_id = $1 AND external_id = $2', [1, 'demo-000001'])).toContain(
      'candidates_tenant_id_external_id_key',
    );
  });
  it('occupation aliases: trigram GIN for similarity matches', async () => {
    expect(await plan('SELECT occupation_id FROM occupation_aliases WHERE alias_norm % $1', ['registred nurse'])).toContain(
      'occupation_aliases_trgm_idx',
    );
  });
  it('change-log tail and outbox claim: primary keys / available_at', async () => {
    expect(await plan('SELECT seq FROM change_log WHERE seq > $1 ORDER BY seq LIMIT 1000', [0])).toContain('change_log_pkey');
    expect(
      await plan(
        `SELECT candidate_id FROM embedding_outbox
          WHERE available_at <= now() AND (leased_until IS NULL OR leased_until <= now())
          ORDER BY available_at, candidate_id LIMIT 64 FOR UPDATE SKIP LOCKED`,
        [],
      ),
    ).toContain('embedding_outbox_available_idx');
  });
});
