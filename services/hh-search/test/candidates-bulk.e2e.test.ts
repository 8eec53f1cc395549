/**
 * The set-based bulk write (candidates/repository.ts upsertMany) against real Postgres: every
 * outcome of the single upsert (created, updated with and without a new embedding, unchanged,
 * version conflict) in one chunk; an item Postgres refuses fails alone, its neighbours stored;
 * two writers of overlapping ids in opposite orders neither deadlock nor duplicate; and what each
 * write leaves behind (outbox rows only for changed embedded text, one change-log row per written
 * candidate) is the same as writing the items one at a time.
 */
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { occupationsForTitles } from '@hh/taxonomy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCandidateRepository, type CandidateRepository } from '../src/candidates/repository.js';
import type { CandidateInput } from '../src/candidates/schema.js';
import { accountant, nurse } from './fixtures.js';
import { TAXONOMY_SEED } from './harness.js';

let db: TestDatabase;
let repo: CandidateRepository;
/** Why chunks fell back to the item-by-item path, since the test's start. */
let itemByItem: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase(TAXONOMY_SEED);
  repo = createCandidateRepository({ pool: db.pool, occupations: occupationsForTitles, onItemByItem: (err) => itemByItem.push(err.message) });
});
afterAll(async () => {
  await db?.drop();
});

let tenantSeq = 0;
async function newTenant(): Promise<number> {
  const slug = `bulk-${++tenantSeq}-${Date.now().toString(36)}`;
  const { rows } = await db.pool.query<{ id: number }>('INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id', [slug]);
  return rows[0]!.id;
}

async function state(tenantId: number) {
  const { rows: candidates } = await db.pool.query<{ external_id: string; version: number; title: string; years_experience: number | null; occupation_ids: number[]; doc: string }>(
    `SELECT external_id, version, title, years_experience, occupation_ids, search_doc::text AS doc FROM candidates WHERE tenant_id = $1 ORDER BY external_id`,
    [tenantId],
  );
  const { rows: outbox } = await db.pool.query<{ external_id: string; content_hash: string }>(
    `SELECT c.external_id, o.content_hash FROM embedding_outbox o JOIN candidates c ON c.id = o.candidate_id WHERE o.tenant_id = $1 ORDER BY c.external_id`,
    [tenantId],
  );
  const { rows: log } = await db.pool.query<{ external_id: string; n: number }>(
    `SELECT c.external_id, count(*)::int AS n FROM change_log l JOIN candidates c ON c.id = l.candidate_id WHERE l.tenant_id = $1 GROUP BY 1 ORDER BY 1`,
    [tenantId],
  );
  return { candidates, outbox, log };
}

const items = (list: [string, CandidateInput][]) => list.map(([id, input]) => ({ id, input }));

describe('bulk upsert, set-based', () => {
  it('gives every item the outcome a single upsert would, and leaves the same rows behind', async () => {
    const bulkTenant = await newTenant();
    const singleTenant = await newTenant();
    const before: [string, CandidateInput][] = [
      ['same', nurse(1)],
      ['retitled', nurse(2)],
      ['older-years', accountant(1)],
      ['versioned', { ...accountant(2), version: 5 }],
      ['stale', { ...accountant(3), version: 3 }],
    ];
    const after: [string, CandidateInput][] = [
      ['same', nurse(1)], // unchanged
      ['retitled', { ...nurse(2), title: 'ICU Nurse' }], // updated, embedded text changed
      ['older-years', { ...accountant(1), yearsExperience: 30 }], // updated, embedded text unchanged
      ['versioned', { ...accountant(2), headline: 'changed', version: 5 }], // same version, other content: conflict
      ['stale', { ...accountant(3), version: 2 }], // older version: conflict
      ['fresh', nurse(9)], // created
    ];
    itemByItem = [];
    await repo.upsertMany(bulkTenant, items(before));
    const bulk = await repo.upsertMany(bulkTenant, items(after));
    expect(itemByItem).toEqual([]); // both calls took the set-based path
    for (const [id, input] of before) await repo.upsert(singleTenant, id, input);
    const single = [];
    for (const [id, input] of after) single.push(await repo.upsert(singleTenant, id, input));

    expect(bulk).toEqual(single);
    expect(bulk.map((r) => r.status)).toEqual(['unchanged', 'updated', 'updated', 'conflict', 'conflict', 'created']);
    expect(bulk.map((r) => ('embedding' in r ? r.embedding : null))).toEqual(['unchanged', 'queued', 'unchanged', null, null, 'queued']);
    expect(bulk[1]).toMatchObject({ version: 2 });
    const [a, b] = [await state(bulkTenant), await state(singleTenant)];
    expect(a.candidates).toEqual(b.candidates);
    expect(a.outbox).toEqual(b.outbox);
    expect(a.log).toEqual(b.log);
    // The weighted document is computed in SQL from the same parts on both paths.
    expect(a.candidates.find((c) => c.external_id === 'retitled')!.doc).toContain("'icu':1A");
    expect(a.candidates.find((c) => c.external_id === 'older-years')!.years_experience).toBe(30);
  });

  it('reports an item Postgres refuses as an error and stores its neighbours', async () => {
    const tenantId = await newTenant();
    // A real refusal by Postgres for one item: a constraint this test adds for one title.
    await db.pool.query(`ALTER TABLE candidates ADD CONSTRAINT test_refused_title CHECK (title <> 'Refused Title') NOT VALID`);
    try {
      const out = await repo.upsertMany(
        tenantId,
        items([
          ['ok-1', nurse(1)],
          ['bad', { ...nurse(2), title: 'Refused Title' }],
          ['ok-2', accountant(1)],
        ]),
      );
      expect(out.map((r) => r.status)).toEqual(['created', 'error', 'created']);
      expect(itemByItem.at(-1)).toContain('test_refused_title');
      const s = await state(tenantId);
      expect(s.candidates.map((c) => c.external_id)).toEqual(['ok-1', 'ok-2']);
      expect(s.outbox.map((o) => o.external_id)).toEqual(['ok-1', 'ok-2']);
      expect(s.log).toEqual([
        { external_id: 'ok-1', n: 1 },
        { external_id: 'ok-2', n: 1 },
      ]);
    } finally {
      await db.pool.query('ALTER TABLE candidates DROP CONSTRAINT test_refused_title');
    }
  });

  it('lets two writers of overlapping ids in opposite orders both finish, each id stored once', async () => {
    const tenantId = await newTenant();
    const ids = Array.from({ length: 60 }, (_, i) => `c-${String(i).padStart(3, '0')}`);
    const forward = ids.map((id, i) => ({ id, input: nurse(i) }));
    const backward = [...ids].reverse().map((id, i) => ({ id, input: accountant(i) }));
    const [x, y] = await Promise.all([repo.upsertMany(tenantId, forward, 20), repo.upsertMany(tenantId, backward, 20)]);
    for (let i = 0; i < ids.length; i++) {
      const a = x[i]!.status;
      const b = y[ids.length - 1 - i]!.status;
      // One of the two created the candidate, the other updated it (different content each).
      expect([a, b].sort()).toEqual(['created', 'updated']);
    }
    const s = await state(tenantId);
    expect(s.candidates.map((c) => c.external_id)).toEqual(ids);
    expect(s.candidates.every((c) => c.version === 2)).toBe(true);
    expect(s.outbox).toHaveLength(ids.length);
    expect(s.log.every((l) => l.n === 2)).toBe(true);
  });

  it('writes duplicate ids of one call in order, as single upserts would', async () => {
    const tenantId = await newTenant();
    const out = await repo.upsertMany(
      tenantId,
      items([
        ['dup', nurse(1)],
        ['dup', nurse(2)],
      ]),
    );
    expect(out.map((r) => r.status)).toEqual(['created', 'updated']);
    const s = await state(tenantId);
    expect(s.candidates).toHaveLength(1);
    expect(s.candidates[0]!.version).toBe(2);
  });
});
