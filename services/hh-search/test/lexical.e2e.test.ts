/**
 * The in-memory lexical index behind the full-text branch: it answers typed-query operators and
 * job descriptions with the matched terms, follows writes, survives a snapshot and restart, falls
 * back to Postgres (saying `lexical_index_warming`) until loaded, and LEXICAL_INDEX=postgres keeps
 * the SQL branch with no in-memory lexical structure at all.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime.js';
import { createTenantRepository } from '../src/tenants/repository.js';
import { accountant, backendPt, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';

let h: Harness;
let api: Api;
let other: Api;
let tenantId: number;
const dir = mkdtempSync(join(tmpdir(), 'hh-lex-'));
const textOnly = (body: Record<string, unknown>) => ({ limit: 20, rerank: false, weights: { vector: 0, specialty: 0 }, ...body });
const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

beforeAll(async () => {
  h = await startHarness({ INDEX_SNAPSHOT_DIR: dir });
  const t = await h.newTenant('lexical');
  tenantId = t.id;
  api = client(h.url, t.key);
  other = client(h.url, (await h.newTenant('other')).key);
  await other.put('o-nurse', nurse(9));
  await api.bulk([
    { id: 'n-1', ...nurse(1) },
    { id: 'n-2', ...nurse(2), title: 'Pediatric Nurse', summary: 'Pediatric nursing and neonatal intensive care.' },
    { id: 'a-1', ...accountant(1) },
    { id: 'pt-1', ...backendPt },
  ]);
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

describe('full text from the in-memory lexical index', () => {
  it('is loaded, reported in readiness and in the index metrics', async () => {
    const ready = await fetch(`${h.url}/health/ready`);
    const body = (await ready.json()) as { index: { structures: Record<string, { ready: boolean; bytes: number }> } };
    expect(Object.keys(body.index.structures).sort()).toEqual(['attributes', 'documents', 'lexical', 'vector']);
    expect(body.index.structures.lexical!.bytes).toBeGreaterThan(0);
  });

  it('keeps typed-query semantics: all words, "phrases", -exclusions, OR; only the caller’s tenant', async () => {
    expect(ids(await api.search(textOnly({ query: 'registered nurse' }))).sort()).toEqual(['n-1', 'n-2']);
    expect(ids(await api.search(textOnly({ query: 'registered nurse neonatal' })))).toEqual(['n-2']);
    expect(ids(await api.search(textOnly({ query: 'nurse -pediatric' })))).toEqual(['n-1']);
    expect(ids(await api.search(textOnly({ query: '"neonatal intensive care"' })))).toEqual(['n-2']);
    expect(ids(await api.search(textOnly({ query: 'gaap OR typescript' }))).sort()).toEqual(['a-1', 'pt-1']);
    expect(ids(await api.search(textOnly({ query: 'desenvolvedora backend' })))).toEqual(['pt-1']);
  });

  it('ranks a job description and says which terms matched where', async () => {
    const res = await api.search(textOnly({ jobDescription: NURSE_JD }));
    expect(res.body.branches.fts.status).toBe('ok');
    expect(res.body.degraded).not.toContain('lexical_index_warming');
    expect(ids(res).slice(0, 2).sort()).toEqual(['n-1', 'n-2']);
    const top = res.body.results[0] as { branches: { fts: { matched: { field: string; terms: string[] }[] } }; reasons: string[] };
    expect(top.branches.fts.matched.length).toBeGreaterThan(0);
    expect(top.reasons.some((r) => /^Matches “.+” in /.test(r))).toBe(true);
  });

  it('follows writes and deletes', async () => {
    await api.put('a-2', { ...accountant(2), title: 'Forensic Accountant', summary: 'Fraud examination and litigation support.' });
    await h.settle();
    expect(ids(await api.search(textOnly({ query: 'forensic fraud' })))).toEqual(['a-2']);
    await api.del('a-2');
    await h.settle();
    expect(ids(await api.search(textOnly({ query: 'forensic fraud' })))).toEqual([]);
  });

  it('is snapshotted with the other structures and restored on restart, with the change log replayed after it', async () => {
    await h.runtime.saveSnapshot();
    expect(readdirSync(dir)).toContain('lexical.hhsnap');
    await api.put('n-3', { ...nurse(3), title: 'Dialysis Nurse', summary: 'Hemodialysis and nephrology nursing.' });
    await h.settle();
    const logs: string[] = [];
    const restarted = await createRuntime(h.config({ INDEX_SNAPSHOT_DIR: dir, LOG_LEVEL: 'info' }), {
      logStream: { write: (line: string) => void logs.push(line) },
    });
    try {
      await restarted.start();
      expect(logs.some((l) => l.includes('lexical snapshot loaded'))).toBe(true);
      expect(logs.some((l) => l.includes('in-memory indexes loaded from Postgres'))).toBe(false);
      const key = await createTenantRepository(h.db.pool).issueKey(tenantId, 'test');
      const res = await restarted.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${key}` }, payload: textOnly({ query: 'hemodialysis' }) });
      expect((res.json() as { results: { candidateId: string }[] }).results.map((r) => r.candidateId)).toEqual(['n-3']);
    } finally {
      await restarted.close();
    }
  });

  it('while the in-memory structures load, Postgres answers and the response says lexical_index_warming', async () => {
    const cold = await createRuntime(h.config());
    try {
      const key = await createTenantRepository(h.db.pool).issueKey(tenantId, 'test');
      const res = await cold.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${key}` }, payload: textOnly({ query: 'gaap ledger' }) });
      const body = res.json() as { degraded: string[]; results: { candidateId: string }[]; branches: { fts: { status: string } } };
      expect(body.branches.fts.status).toBe('ok');
      expect(body.degraded).toContain('lexical_index_warming');
      expect(body.results.map((r) => r.candidateId)).toEqual(['a-1']);
    } finally {
      await cold.close();
    }
  });

  it('LEXICAL_INDEX=postgres keeps the SQL branch and holds no lexical structure', async () => {
    const pg = await createRuntime(h.config({ LEXICAL_INDEX: 'postgres' }));
    try {
      await pg.start();
      const ready = await pg.app.inject({ method: 'GET', url: '/health/ready' });
      expect(Object.keys((ready.json() as { index: { structures: object } }).index.structures)).not.toContain('lexical');
      const key = await createTenantRepository(h.db.pool).issueKey(tenantId, 'test');
      const res = await pg.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${key}` }, payload: textOnly({ query: 'gaap ledger' }) });
      const body = res.json() as { degraded: string[]; results: { candidateId: string; branches: { fts?: { matched?: unknown } } }[] };
      expect(body.results.map((r) => r.candidateId)).toEqual(['a-1']);
      expect(body.degraded).not.toContain('lexical_index_warming');
      expect(body.results[0]!.branches.fts?.matched).toBeUndefined();
    } finally {
      await pg.close();
    }
  });
});
