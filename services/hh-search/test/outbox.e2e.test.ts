/**
 * The embedding outbox under concurrency and faults, against real Postgres and a real hh-embed
 * whose model calls can be held, failed or slowed (test/embed-faults.ts): writers are never
 * blocked by a batch in flight, a rewrite during embedding ends with the new text's vector, an
 * abandoned lease is taken over, stop() gives an in-flight batch back, and the reconciler re-queues
 * what was lost. The worker loops are off (as in every e2e test); the test drives each batch.
 */
import { randomUUID } from 'node:crypto';
import { createBuiltinEmbedder } from '@hh/hh-embed';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveCandidate } from '../src/candidates/derive.js';
import type { CandidateInput } from '../src/candidates/schema.js';
import { embedTextOf } from '../src/embedding/embed-text.js';
import { createOutboxRepository, RECONCILER_LOCK_KEY } from '../src/embedding/outbox-repository.js';
import { accountant, backendPt, nurse } from './fixtures.js';
import { FaultyEmbedProvider, startFaultyEmbed } from './embed-faults.js';
import { client, startHarness, type Api, type Harness } from './harness.js';

let h: Harness;
let provider: FaultyEmbedProvider;
let embedApp: Awaited<ReturnType<typeof startFaultyEmbed>>['app'];
let pool: pg.Pool;
const embedder = createBuiltinEmbedder(768);

beforeAll(async () => {
  provider = new FaultyEmbedProvider();
  const embed = await startFaultyEmbed(provider);
  embedApp = embed.app;
  // A lease far longer than any step here, so nothing expires unless a test makes it.
  h = await startHarness({ EMBED_WORKER_LEASE_MS: '20000' }, { embedUrl: embed.url });
  pool = h.db.pool;
});
afterAll(async () => {
  await h?.close();
  await embedApp?.close();
});

async function tenantApi(slug: string): Promise<{ api: Api; tenantId: number }> {
  const t = await h.newTenant(slug);
  return { api: client(h.url, t.key), tenantId: t.id };
}

async function candidateId(tenantId: number, externalId: string): Promise<number> {
  const { rows } = await pool.query<{ id: number }>('SELECT id FROM candidates WHERE tenant_id = $1 AND external_id = $2', [tenantId, externalId]);
  return rows[0]!.id;
}

async function storedEmbedding(id: number): Promise<{ content_hash: string; model: string; vector: Float32Array } | undefined> {
  const { rows } = await pool.query<{ content_hash: string; model: string; dims: number; embedding: Buffer }>(
    'SELECT content_hash, model, dims, embedding FROM candidate_embeddings WHERE candidate_id = $1',
    [id],
  );
  const r = rows[0];
  if (!r) return undefined;
  const vector = new Float32Array(r.dims);
  for (let i = 0; i < r.dims; i++) vector[i] = r.embedding.readFloatLE(i * 4);
  return { content_hash: r.content_hash, model: r.model, vector };
}

async function outboxRow(id: number) {
  const { rows } = await pool.query<{ content_hash: string; lease_token: string | null; leased_until: Date | null; attempts: number; last_error: string | null }>(
    'SELECT content_hash, lease_token, leased_until, attempts, last_error FROM embedding_outbox WHERE candidate_id = $1',
    [id],
  );
  return rows[0];
}

const hashOf = (input: CandidateInput) => deriveCandidate(input).embedHash;
const vectorOf = (input: CandidateInput) => embedder.embedOne(embedTextOf(input).text);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function metric(name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('a rewrite while the previous text is being embedded', () => {
  it('the PUT is not blocked, the old vector is not stored over it, and the new text ends up embedded and searchable', async () => {
    const { api, tenantId } = await tenantApi('race');
    const v0 = nurse(1);
    const v1 = accountant(1);
    const v2 = backendPt;
    expect((await api.put('race', v0)).status).toBe(201);
    // Decoys carrying the older texts: if 'race' kept an older vector it would tie with one of them.
    expect((await api.bulk([{ id: 'decoy-v0', ...v0 }, { id: 'decoy-v1', ...v1 }])).status).toBe(200);
    await h.settle();
    expect((await api.get('race')).body.embedding.status).toBe('ready');

    expect((await api.put('race', v1)).body).toMatchObject({ status: 'updated', embedding: 'queued' });
    const gate = provider.hold();
    const batch = h.runtime.worker.processBatch(); // claims v1 and waits inside the hh-embed call
    await gate.entered;

    // While the worker holds v1's lease and waits on the model, a new version arrives.
    const put = await api.put('race', v2);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ status: 'updated', embedding: 'queued' });

    gate.release();
    expect(await batch).toBe(1);
    const id = await candidateId(tenantId, 'race');
    // v1's vector was not stored: the candidate changed under the batch. v0's is still there.
    expect((await storedEmbedding(id))?.content_hash).toBe(hashOf(v0));
    expect((await api.get('race')).body.embedding.status).toBe('pending');
    expect(await metric('hh_search_embedding_superseded_total')).toBeGreaterThanOrEqual(1);

    await h.settle();
    const got = await api.get('race');
    expect(got.body.embedding).toEqual({ status: 'ready', model: 'hh-hash-768-v1' });
    const stored = (await storedEmbedding(id))!;
    expect(stored.content_hash).toBe(hashOf(v2));
    expect(dot(stored.vector, vectorOf(v2))).toBeGreaterThan(0.9999);
    expect(await outboxRow(id)).toBeUndefined();

    const res = await api.search({ query: 'Desenvolvedor back-end Node.js TypeScript PostgreSQL APIs REST', limit: 5 });
    expect(res.status).toBe(200);
    const hits = res.body.results as { candidateId: string; branches: { vector?: { rank: number; score: number } } }[];
    const race = hits.find((r) => r.candidateId === 'race');
    expect(race?.branches.vector?.rank).toBe(1);
    for (const other of hits.filter((r) => r.candidateId !== 'race')) {
      expect(race!.branches.vector!.score).toBeGreaterThan(other.branches.vector?.score ?? -1);
    }
  });
});

describe('writes during a slow hh-embed', () => {
  it('PUT, bulk and DELETE of candidates in the batch being embedded all succeed, and the batch then settles to their latest content', async () => {
    const { api, tenantId } = await tenantApi('slow');
    const ids = ['s-1', 's-2', 's-3', 's-4', 's-5'];
    expect((await api.bulk(ids.map((id, i) => ({ id, ...nurse(10 + i) })))).status).toBe(200);
    await h.settle(); // anything other tests left queued is out of the way
    for (const [i, id] of ids.entries()) await api.put(id, { ...nurse(10 + i), headline: `Night-shift ICU nurse ${i}` });

    const gate = provider.hold();
    const batch = h.runtime.worker.processBatch();
    await gate.entered; // the batch holds all five; the model answers only when released

    const puts = await Promise.all([api.put('s-1', accountant(11)), api.put('s-2', accountant(12))]);
    expect(puts.map((r) => r.status)).toEqual([200, 200]);
    const bulk = await api.bulk([
      { id: 's-3', ...accountant(13) },
      { id: 's-4', ...nurse(13), headline: 'Night-shift ICU nurse 3' }, // unchanged text: nothing to queue
    ]);
    expect(bulk.status).toBe(200);
    expect(bulk.body.items.map((it: { status: string }) => it.status)).toEqual(['updated', 'unchanged']);
    expect((await api.del('s-5')).status).toBe(204);

    gate.release();
    await batch;
    await h.settle();
    for (const [id, input] of [
      ['s-1', accountant(11)],
      ['s-2', accountant(12)],
      ['s-3', accountant(13)],
      ['s-4', { ...nurse(13), headline: 'Night-shift ICU nurse 3' }],
    ] as const) {
      const got = await api.get(id);
      expect(got.body.embedding.status, id).toBe('ready');
      expect((await storedEmbedding(await candidateId(tenantId, id)))?.content_hash, id).toBe(hashOf(input));
    }
    expect((await api.get('s-5')).status).toBe(404);
    const res = await api.search({ query: 'ICU nurse', limit: 10 });
    expect(res.body.results.map((r: { candidateId: string }) => r.candidateId)).not.toContain('s-5');
    const left = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding_outbox WHERE tenant_id = $1', [tenantId]);
    expect(left.rows[0]!.n).toBe(0);
  });
});

describe('leases', () => {
  it('a batch claimed by a worker that never came back is left alone while leased, then taken over and applied', async () => {
    const { api, tenantId } = await tenantApi('lease');
    await h.settle();
    expect((await api.put('l-1', nurse(21))).status).toBe(201);
    const id = await candidateId(tenantId, 'l-1');
    const outbox = createOutboxRepository(pool);

    // A worker claims the row and dies before embedding it.
    const crashed = randomUUID();
    const claimed = await outbox.claim({ limit: 100, token: crashed, owner: 'crashed-worker:1', leaseMs: 60_000 });
    expect(claimed.map((r) => r.candidateId)).toEqual([id]);
    expect(await h.runtime.worker.processBatch()).toBe(0); // leased: nobody else embeds it meanwhile

    // The lease runs out (moved into the past rather than waiting a minute).
    await pool.query(`UPDATE embedding_outbox SET leased_until = now() - interval '1 second' WHERE candidate_id = $1`, [id]);
    expect(await h.runtime.worker.processBatch()).toBe(1);
    expect((await api.get('l-1')).body.embedding.status).toBe('ready');
    expect(await outboxRow(id)).toBeUndefined();

    // The crashed worker comes back late with its stale claim after a newer version was written:
    // the hash guard keeps its vector out and the newer version stays queued.
    expect((await api.put('l-1', accountant(21))).body.embedding).toBe('queued');
    const late = await outbox.apply(crashed, 'hh-hash-768-v1', [
      { candidateId: id, tenantId, embedHash: claimed[0]!.embedHash, vector: vectorOf(nurse(21)) },
    ]);
    expect(late).toMatchObject({ stored: [], done: [], superseded: [id] });
    expect((await outboxRow(id))?.content_hash).toBe(hashOf(accountant(21)));
    await h.settle();
    expect((await storedEmbedding(id))?.content_hash).toBe(hashOf(accountant(21)));
    expect((await api.get('l-1')).body.embedding.status).toBe('ready');
  });

  it('a short lease really expires: the abandoned row is claimed again without any intervention', async () => {
    const { api, tenantId } = await tenantApi('lease-short');
    await h.settle();
    expect((await api.put('l-2', nurse(22))).status).toBe(201);
    const id = await candidateId(tenantId, 'l-2');
    await createOutboxRepository(pool).claim({ limit: 100, token: randomUUID(), owner: 'crashed-worker:2', leaseMs: 300 });
    // Poll until the lease lapses (the test timeout bounds it).
    while ((await h.runtime.worker.processBatch()) === 0) await new Promise((r) => setTimeout(r, 50));
    expect((await api.get('l-2')).body.embedding.status).toBe('ready');
    expect(await outboxRow(id)).toBeUndefined();
  });

  it('a failed hh-embed call backs the rows off (attempts, last_error) and releases the lease', async () => {
    const { api, tenantId } = await tenantApi('backoff');
    await h.settle();
    expect((await api.put('b-1', nurse(23))).status).toBe(201);
    const id = await candidateId(tenantId, 'b-1');
    provider.failNext(1);
    await expect(h.runtime.worker.processBatch()).rejects.toThrow(/hh-embed/);
    const row = (await outboxRow(id))!;
    expect(row).toMatchObject({ attempts: 1, lease_token: null, leased_until: null });
    expect(row.last_error).toMatch(/502/);
    expect(await h.runtime.worker.processBatch()).toBe(0); // backing off
    await pool.query('UPDATE embedding_outbox SET available_at = now() WHERE candidate_id = $1', [id]);
    await h.settle();
    expect((await api.get('b-1')).body.embedding.status).toBe('ready');
  });

  it('stop() gives an in-flight batch back at once instead of waiting for hh-embed', async () => {
    const { api, tenantId } = await tenantApi('stop');
    await h.settle();
    const gate = provider.hold();
    h.runtime.worker.start();
    try {
      expect((await api.put('st-1', nurse(24))).status).toBe(201); // wakes the worker loop
      await gate.entered;
      const id = await candidateId(tenantId, 'st-1');
      expect((await outboxRow(id))?.lease_token).not.toBeNull();
      await h.runtime.worker.stop(); // returns with the model call still held
      expect(await outboxRow(id)).toMatchObject({ lease_token: null, leased_until: null, attempts: 0 });
    } finally {
      gate.release();
      await h.runtime.worker.stop();
    }
    await h.settle();
    expect((await api.get('st-1')).body.embedding.status).toBe('ready');
  }, 30_000);
});

describe('reconciler', () => {
  it('re-queues a candidate whose outbox row was lost, whose embedding is of another model, or out of date', async () => {
    const { api, tenantId } = await tenantApi('reconcile');
    await h.settle();
    expect((await api.bulk([{ id: 'r-1', ...nurse(31) }, { id: 'r-2', ...accountant(32) }, { id: 'r-3', ...nurse(33) }])).status).toBe(200);
    await h.settle();
    expect((await h.runtime.reconciler.runOnce())?.repaired).toBe(0); // consistent: nothing to do
    const r1 = await candidateId(tenantId, 'r-1');
    const r2 = await candidateId(tenantId, 'r-2');
    const r3 = await candidateId(tenantId, 'r-3');

    // r-1: an update whose outbox row is lost; r-2: a vector of another model; r-3: of stale content.
    expect((await api.put('r-1', backendPt)).body.embedding).toBe('queued');
    await pool.query('DELETE FROM embedding_outbox WHERE candidate_id = $1', [r1]);
    await pool.query(`UPDATE candidate_embeddings SET model = 'old-model-v0' WHERE candidate_id = $1`, [r2]);
    await pool.query(`UPDATE candidate_embeddings SET content_hash = 'not-the-current-content' WHERE candidate_id = $1`, [r3]);
    await h.settle();
    expect((await api.get('r-1')).body.embedding.status).toBe('pending'); // lost: nothing would ever fix it

    // Another replica holds the reconciler lock: this one skips its pass.
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RECONCILER_LOCK_KEY]);
      expect(await h.runtime.reconciler.runOnce()).toBeNull();
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [RECONCILER_LOCK_KEY]);
      other.release();
    }
    expect((await api.get('r-1')).body.embedding.status).toBe('pending');

    const pass = await h.runtime.reconciler.runOnce();
    expect(pass).toMatchObject({ repaired: 3, byReason: { missing: 0, model: 1, stale: 2 } });
    expect(await metric('hh_search_embedding_reconciler_repairs_total', '{reason="stale"}')).toBe(2);
    expect(await metric('hh_search_embedding_reconciler_repairs_total', '{reason="model"}')).toBe(1);
    expect((await h.runtime.reconciler.runOnce())?.repaired).toBe(0); // queued once, not twice

    await h.settle();
    for (const [x, id, input] of [
      ['r-1', r1, backendPt],
      ['r-2', r2, accountant(32)],
      ['r-3', r3, nurse(33)],
    ] as const) {
      expect((await api.get(x)).body.embedding, x).toEqual({ status: 'ready', model: 'hh-hash-768-v1' });
      expect((await storedEmbedding(id))?.content_hash, x).toBe(hashOf(input));
    }
    const res = await api.search({ query: 'Desenvolvedor back-end Node.js TypeScript PostgreSQL', limit: 3 });
    expect(res.body.results[0]).toMatchObject({ candidateId: 'r-1', branches: { vector: { rank: 1 } } });
    expect((await h.runtime.reconciler.runOnce())?.repaired).toBe(0);
  });

  it('re-queues a candidate that has no embedding and no outbox row', async () => {
    const { api, tenantId } = await tenantApi('reconcile-missing');
    await h.settle();
    expect((await api.put('m-1', nurse(41))).status).toBe(201);
    const id = await candidateId(tenantId, 'm-1');
    await pool.query('DELETE FROM embedding_outbox WHERE candidate_id = $1', [id]);
    expect((await h.runtime.reconciler.runOnce())?.byReason).toEqual({ missing: 1, model: 0, stale: 0 });
    await h.settle();
    expect((await api.get('m-1')).body.embedding.status).toBe('ready');
  });
});

describe('outbox metrics', () => {
  it('report queued rows and the age of the oldest, back to 0 once drained', async () => {
    const { api } = await tenantApi('metrics');
    await h.settle();
    expect(await metric('hh_search_embedding_outbox_rows', '{state="ready"}')).toBe(0);
    expect(await metric('hh_search_embedding_outbox_oldest_age_seconds')).toBe(0);
    expect((await api.bulk([{ id: 'x-1', ...nurse(51) }, { id: 'x-2', ...nurse(52) }, { id: 'x-3', ...nurse(53) }])).status).toBe(200);
    expect(await metric('hh_search_embedding_outbox_rows', '{state="ready"}')).toBe(3);
    expect(await metric('hh_search_embedding_outbox_rows', '{state="waiting"}')).toBe(0);
    expect(await metric('hh_search_embedding_outbox_oldest_age_seconds')).toBeGreaterThan(0);
    const jobsBefore = (await metric('hh_search_embedding_jobs_total')) ?? 0;
    await h.settle();
    expect(await metric('hh_search_embedding_outbox_rows', '{state="ready"}')).toBe(0);
    expect(await metric('hh_search_embedding_outbox_oldest_age_seconds')).toBe(0);
    expect(await metric('hh_search_embedding_jobs_total')).toBe(jobsBefore + 3);
  });
});
