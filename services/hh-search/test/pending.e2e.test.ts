/**
 * Candidates that are stored but not yet searchable by every branch are reported, per tenant, in
 * each search (`pending`, degraded `embeddings_pending` / `index_pending`) and in readiness — so a
 * short answer during a bulk load never looks like "nobody matches".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountant, nurse } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let api: ReturnType<typeof client>;
let other: ReturnType<typeof client>;

beforeAll(async () => {
  h = await startHarness(); // the outbox worker is off: the test decides when embeddings happen
  api = client(h.url, (await h.newTenant('pending')).key);
  other = client(h.url, (await h.newTenant('pending-other')).key);
});
afterAll(async () => {
  await h?.close();
});

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

it('a search says how many of the tenant\'s candidates are not searchable yet, and readiness reports the backlog', async () => {
  const bulk = await api.bulk(Array.from({ length: 7 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })));
  expect(bulk.status).toBe(200);
  // Applied to the in-memory indexes (the change log), not embedded: the worker is off.
  await h.indexed();
  const waiting = await eventually(
    () => api.search({ query: 'registered nurse' }),
    (r) => r.body.pending?.embeddings === 7,
  );
  expect(waiting.status).toBe(200);
  expect(waiting.body.degraded).toContain('embeddings_pending');
  // Full text already finds them (the lexical index holds the stored profiles); the vector branch cannot yet.
  expect(waiting.body.results.length).toBeGreaterThan(0);

  // Another tenant's backlog is not this tenant's business.
  const elsewhere = await other.search({ query: 'accountant' });
  expect(elsewhere.body.pending).toEqual({ embeddings: 0, indexing: 0 });
  expect(elsewhere.body.degraded).not.toContain('embeddings_pending');

  const ready = (await (await fetch(`${h.url}/health/ready`)).json()) as { status: string; pending: { embeddings: number } };
  expect(ready.status).toBe('ready');
  expect(ready.pending.embeddings).toBe(7);

  await h.settle();
  await h.runtime.backlog.refresh();
  const done = await api.search({ query: 'registered nurse ICU' });
  expect(done.body.pending).toEqual({ embeddings: 0, indexing: 0 });
  expect(done.body.degraded).not.toContain('embeddings_pending');
  expect(done.body.degraded).not.toContain('index_pending');
  expect(done.body.branches.vector.count).toBeGreaterThan(0);
});

it('changes the index has not applied yet count as index_pending', async () => {
  // Stop this replica's change-log consumer so an embedded write stays unapplied.
  await h.runtime.sync.stop();
  expect((await api.put('a-1', accountant(1))).status).toBe(201);
  await h.runtime.worker.processBatch();
  await h.runtime.backlog.refresh();
  const res = await api.search({ query: 'accountant' });
  expect(res.body.pending.indexing).toBeGreaterThan(0);
  expect(res.body.degraded).toContain('index_pending');
});
