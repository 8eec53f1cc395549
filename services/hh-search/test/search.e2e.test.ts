import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountant, backendPt, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let a: ReturnType<typeof client>;
let b: ReturnType<typeof client>;

beforeAll(async () => {
  h = await startHarness();
  const ta = await h.newTenant('acme');
  const tb = await h.newTenant('globex');
  a = client(h.url, ta.key);
  b = client(h.url, tb.key);
});
afterAll(async () => {
  await h?.close();
});

const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

describe('candidate write path', () => {
  it('upsert creates, repeats idempotently, bumps versions and rejects stale ones', async () => {
    const created = await a.put('n-1', nurse(1));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'n-1', status: 'created', version: 1, embedding: 'queued' });

    const again = await a.put('n-1', nurse(1));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'unchanged', version: 1 });

    const moved = await a.put('n-1', { ...nurse(1), location: { country: 'US', city: 'Austin' } });
    expect(moved.body).toMatchObject({ status: 'updated', version: 2, embedding: 'unchanged' });

    const explicit = await a.put('n-1', { ...nurse(1), version: 10, headline: 'Charge nurse' });
    expect(explicit.body).toMatchObject({ status: 'updated', version: 10, embedding: 'queued' });

    const stale = await a.put('n-1', { ...nurse(1), version: 9 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('HH_SEARCH_VERSION_CONFLICT');

    const got = await a.get('n-1');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: 'n-1', version: 10, headline: 'Charge nurse', language: 'en' });
    expect(got.body.occupationIds.length).toBeGreaterThan(0);
  });

  it('bulk accepts JSON arrays and NDJSON with per-item results', async () => {
    const res = await a.bulk([
      { id: 'acc-1', ...accountant(1) },
      { id: 'acc-2', ...accountant(2) },
      { id: 'bad-1', title: '' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 2, invalid: 1 });
    expect(res.body.items[2]).toMatchObject({ index: 2, id: 'bad-1', status: 'invalid' });
    expect(res.body.items[2].errors[0].field).toBe('body[2].title');

    const nd = [{ id: 'n-2', ...nurse(2) }, { id: 'n-3', ...nurse(3) }, { id: 'acc-3', ...accountant(3) }].map((x) => JSON.stringify(x)).join('\n');
    const res2 = await a.bulk(nd, 'application/x-ndjson');
    expect(res2.status).toBe(200);
    expect(res2.body.counts).toEqual({ created: 3 });
  });
});

describe('search', () => {
  beforeAll(async () => {
    await a.put('pt-1', backendPt);
    await b.put('b-nurse', { ...nurse(9), headline: 'Globex nurse' });
    await h.settle();
  });

  it('a registered-nurse job description ranks nurses above accountants, with every branch answering', async () => {
    const res = await a.search({ jobDescription: NURSE_JD, limit: 10 });
    expect(res.status).toBe(200);
    expect(res.body.branches.rerank.detail).toBeUndefined();
    expect(res.body.degraded).toEqual([]);
    expect(res.body.partial).toBe(false);
    for (const br of ['vector', 'fts', 'specialty', 'rerank']) expect(res.body.branches[br].status).toBe('ok');
    const order = ids(res);
    const lastNurse = Math.max(...['n-1', 'n-2', 'n-3'].map((id) => order.indexOf(id)));
    const firstAccountant = Math.min(...['acc-1', 'acc-2', 'acc-3'].map((id) => order.indexOf(id)).filter((i) => i >= 0));
    expect(order.slice(0, 3).sort()).toEqual(['n-1', 'n-2', 'n-3']);
    expect(lastNurse).toBeLessThan(firstAccountant === Infinity ? 99 : firstAccountant);
    const top = res.body.results[0];
    expect(top.branches.vector).toBeDefined();
    expect(top.branches.fts).toBeDefined();
    expect(top.branches.specialty).toBeDefined();
    expect(top.rerankScore).toBeGreaterThan(0);
    expect(top.reasons.length).toBeGreaterThan(0);
    expect(res.headers.get('server-timing')).toMatch(/total;dur=/);
  });

  it('Portuguese stemming and accents: "desenvolvedora backend" finds "Desenvolvedor Back-end"', async () => {
    const res = await a.search({ query: 'desenvolvedora backend', limit: 5, weights: { vector: 0, specialty: 0 } });
    expect(res.status).toBe(200);
    expect(ids(res)).toContain('pt-1');
    expect(res.body.results.find((r: { candidateId: string }) => r.candidateId === 'pt-1').branches.fts).toBeDefined();
  });

  it('filters apply to every branch', async () => {
    const res = await a.search({ jobDescription: NURSE_JD, filters: { countries: ['BR'] }, limit: 20 });
    expect(ids(res)).toEqual(['pt-1'].filter((id) => ids(res).includes(id)));
    const all = await a.search({ query: 'nurse', filters: { mustHaveSkills: ['acls'], minYears: 6 }, limit: 20 });
    expect(ids(all).sort()).toEqual(['n-2', 'n-3']);
  });

  it('tenant A never sees tenant B (search, get, cached pages)', async () => {
    const ra = await a.search({ jobDescription: NURSE_JD, limit: 50 });
    const rb = await b.search({ jobDescription: NURSE_JD, limit: 50 });
    expect(ids(ra)).not.toContain('b-nurse');
    expect(ids(rb)).toEqual(['b-nurse']);
    // Same request again: served from the page cache, still per tenant.
    const rb2 = await b.search({ jobDescription: NURSE_JD, limit: 50 });
    expect(rb2.body.cache).toBe('hit');
    expect(ids(rb2)).toEqual(['b-nurse']);
    expect((await b.get('n-1')).status).toBe(404);
    expect((await a.get('b-nurse')).status).toBe(404);
    expect((await b.del('n-1')).status).toBe(404);
    expect((await a.get('n-1')).status).toBe(200);
  });

  it('pages through the fused list with a cursor', async () => {
    const p1 = await a.search({ query: 'nurse accountant', limit: 2 });
    expect(p1.body.results).toHaveLength(2);
    expect(p1.body.nextCursor).toBeTruthy();
    const p2 = await a.search({ query: 'nurse accountant', limit: 2, cursor: p1.body.nextCursor });
    expect(p2.status).toBe(200);
    expect(p2.body.results[0].rank).toBe(3);
    expect(ids(p2).some((id: string) => ids(p1).includes(id))).toBe(false);
    const wrong = await a.search({ query: 'something else', limit: 2, cursor: p1.body.nextCursor });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('HH_SEARCH_INVALID_CURSOR');
  });

  it('delete removes a candidate from every branch and from get', async () => {
    expect((await a.del('n-3')).status).toBe(204);
    await h.settle();
    expect((await a.get('n-3')).status).toBe(404);
    const res = await a.search({ jobDescription: NURSE_JD, limit: 50 });
    expect(ids(res)).not.toContain('n-3');
    expect(ids(res)).toContain('n-2');
    expect(h.runtime.index.size()).toBe((await h.db.pool.query('SELECT count(*)::int AS n FROM candidate_embeddings')).rows[0].n);
  });

  it('an update is visible to search right away (page cache is versioned by the change log)', async () => {
    const before = await a.search({ query: 'lighthouse keeper', limit: 5 });
    // The vector branch always returns nearest neighbours; no profile matches the words yet.
    expect(before.body.results.filter((r: { branches: { fts?: unknown } }) => r.branches.fts)).toHaveLength(0);
    await a.put('acc-1', { ...accountant(1), title: 'Lighthouse Keeper', summary: 'Keeps the lighthouse running.' });
    await h.settle();
    const after = await a.search({ query: 'lighthouse keeper', limit: 5 });
    expect(after.body.cache).toBe('miss');
    expect(ids(after)[0]).toBe('acc-1');
    expect(after.body.results[0].branches.fts).toBeDefined();
    expect(after.body.results[0].branches.vector).toBeDefined();
  });
});
