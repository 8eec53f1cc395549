/**
 * The search page cache never serves a page cached before a later write: not after a restart,
 * not from another replica sharing the Redis, not from a replica that is still loading. Pages are
 * versioned by each tenant's durable change-log head (tenant_change_heads), not by what a replica
 * happened to replay. Also: the in-process cache is bounded by bytes (CACHE_MAX_BYTES).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';
import { freePort, startRedis } from './redis-server.js';

const ids = (body: { results: { candidateId: string }[] }) => body.results.map((r) => r.candidateId);

describe('page cache versioned by the durable per-tenant head (shared Redis)', () => {
  let h: Harness;
  let redis: ChildProcess;
  let redisUrl: string;
  let key: string;
  let tenantId: number;
  const dir = mkdtempSync(join(tmpdir(), 'hh-pagecache-'));
  const open: Runtime[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    redisUrl = `redis://127.0.0.1:${port}`;
    h = await startHarness({ REDIS_URL: redisUrl, INDEX_SNAPSHOT_DIR: dir });
    const t = await h.newTenant('pages');
    tenantId = t.id;
    key = t.key;
    await client(h.url, key).bulk([
      { id: 'n-1', ...nurse(1) },
      { id: 'n-2', ...nurse(2) },
      { id: 'n-3', ...nurse(3) },
      { id: 'a-1', ...accountant(1) },
    ]);
    await h.settle();
  });

  afterAll(async () => {
    for (const rt of open) await rt.close().catch(() => undefined);
    // The harness's own runtime was closed by the first test (a restart).
    await h?.embed.close();
    await h?.rerank.close();
    await h?.db.drop();
    redis?.kill('SIGKILL');
  });

  const config = (overrides: Record<string, string> = {}) => h.config({ REDIS_URL: redisUrl, INDEX_SNAPSHOT_DIR: dir, ...overrides });

  async function replica(overrides: Record<string, string> = {}, start = true): Promise<Runtime> {
    const rt = await createRuntime(config(overrides));
    open.push(rt);
    if (start) await rt.start();
    return rt;
  }

  async function stop(rt: Runtime): Promise<void> {
    open.splice(open.indexOf(rt), 1);
    await rt.close();
  }

  async function settle(rt: Runtime): Promise<void> {
    while ((await rt.worker.processBatch()) > 0) {
      /* drain */
    }
    const { rows } = await h.db.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
    await rt.sync.waitForSeq(rows[0]?.seq ?? 0);
  }

  const search = async (rt: Runtime, body: object = { jobDescription: NURSE_JD, limit: 20 }) => {
    const res = await rt.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${key}` }, payload: body });
    expect(res.statusCode).toBe(200);
    return res.json() as { results: { candidateId: string; headline: string }[]; cache: string; degraded: string[] };
  };
  const write = async (rt: Runtime, method: 'PUT' | 'DELETE', id: string, body?: object) => {
    const res = await rt.app.inject({ method, url: `/v1/candidates/${id}`, headers: { authorization: `Bearer ${key}` }, ...(body ? { payload: body } : {}) });
    expect(res.statusCode).toBeLessThan(300);
  };

  it('a restarted replica, and a second one, never serve a page cached before a later delete or update', async () => {
    // Restart from a snapshot that already holds every change: nothing is replayed.
    await h.runtime.close();
    const first = await replica();
    expect(first.sync.lastSeq).toBe(h.runtime.sync.lastSeq);
    const cached = await search(first);
    expect(ids(cached)).toContain('n-2');
    expect((await search(first)).cache).toBe('hit');

    await write(first, 'DELETE', 'n-2');
    await write(first, 'PUT', 'n-1', { ...nurse(1), headline: 'Charge nurse, cardiac ICU' });
    await settle(first);
    const fresh = await search(first);
    expect(fresh.cache).toBe('miss');
    expect(ids(fresh)).not.toContain('n-2');

    // Restart again (the final snapshot holds the delete): the page from before it must not come back.
    await stop(first);
    const restarted = await replica();
    const afterRestart = await search(restarted);
    expect(ids(afterRestart)).not.toContain('n-2');
    expect(afterRestart.results.find((r) => r.candidateId === 'n-1')?.headline).toBe('Charge nurse, cardiac ICU');
    expect(restarted.sync.tenantSeq.get(tenantId)).toBe(
      (await h.db.pool.query<{ head_seq: number }>('SELECT head_seq FROM tenant_change_heads WHERE tenant_id = $1', [tenantId])).rows[0]!.head_seq,
    );

    // A second replica on the same Redis, rebuilt from Postgres (no snapshot).
    const second = await replica({ INDEX_SNAPSHOT_DIR: '', VECTOR_INDEX: 'exact' });
    const onSecond = await search(second);
    expect(ids(onSecond)).not.toContain('n-2');
    expect(onSecond.results.find((r) => r.candidateId === 'n-1')?.headline).toBe('Charge nurse, cardiac ICU');

    // A replica still loading its index reads only pages cached at the current version, and its
    // own (degraded) lists are never cached.
    const loading = await replica({ INDEX_SNAPSHOT_DIR: '' }, false);
    const whileLoading = await search(loading);
    expect(ids(whileLoading)).not.toContain('n-2');
    const other = await search(loading, { query: 'accountant general ledger', limit: 5 });
    expect(other.degraded).toContain('vector_index_warming');
    expect((await search(second, { query: 'accountant general ledger', limit: 5 })).degraded).not.toContain('vector_index_warming');
  }, 240_000); // several replica starts on a shared machine

  it('a write applied on one replica changes the version every replica uses', async () => {
    const [a, b] = open;
    await search(a!);
    expect((await search(b!)).cache).toBe('hit'); // shared through Redis
    await write(a!, 'DELETE', 'n-3');
    await settle(a!);
    await settle(b!);
    for (const rt of [a!, b!]) {
      const res = await search(rt);
      expect(ids(res)).not.toContain('n-3');
    }
  });
});

describe('in-process cache bounded by bytes (CACHE_MAX_BYTES)', () => {
  let h: Harness;
  let small: ReturnType<typeof client>;
  let large: ReturnType<typeof client>;

  beforeAll(async () => {
    // No REDIS_URL: the in-process LRU. 16 KiB holds a one-candidate page but not a 40-candidate one.
    h = await startHarness({ CACHE_MAX_BYTES: String(16 * 1024) });
    small = client(h.url, (await h.newTenant('small')).key);
    large = client(h.url, (await h.newTenant('large')).key);
    await small.put('n-1', nurse(1));
    await large.bulk(Array.from({ length: 40 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })));
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps a small page and does not retain a page larger than the bound', async () => {
    const body = { jobDescription: NURSE_JD, limit: 100, rerank: false };
    await small.search(body);
    expect((await small.search(body)).body.cache).toBe('hit');

    const first = await large.search(body);
    expect(first.body.results).toHaveLength(40);
    expect(JSON.stringify(first.body.results).length).toBeGreaterThan(16 * 1024);
    const again = await large.search(body);
    expect(again.status).toBe(200);
    expect(again.body.cache).toBe('miss');
    expect(again.body.results).toHaveLength(40);
  });
});
