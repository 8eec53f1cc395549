/**
 * Two deployments (two databases) sharing one Redis: tenant ids start at 1 in every database, so
 * only the database identity in every key keeps one deployment's cached pages and quota counters
 * away from the other's.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';
import { freePort, startRedis } from './redis-server.js';

const QUOTA = 20;
let redis: ChildProcess | undefined;
let redisUrl: string;
let a: Harness;
let b: Harness;
let apiA: Api;
let apiB: Api;

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  const overrides = { REDIS_URL: redisUrl, SEARCH_RATE_LIMIT_PER_MINUTE: String(QUOTA) };
  a = await startHarness(overrides);
  b = await startHarness(overrides);
  const ta = await a.newTenant('acme');
  const tb = await b.newTenant('acme');
  // The premise: the same tenant id in both deployments.
  expect([ta.id, tb.id]).toEqual([1, 1]);
  apiA = client(a.url, ta.key);
  apiB = client(b.url, tb.key);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  redis?.kill('SIGKILL');
});

const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

describe('one Redis, two deployments', () => {
  it('the same search by the same tenant id never returns the other deployment’s cached page', async () => {
    // Identical histories (same change-log positions), different candidates.
    expect((await apiA.put('only-in-a', nurse(1))).status).toBe(201);
    expect((await apiB.put('only-in-b', nurse(1))).status).toBe(201);
    await a.settle();
    await b.settle();
    // Until A's page is in Redis (a page degraded by a slow branch on a busy machine is not cached).
    for (;;) {
      const res = await apiA.search({ jobDescription: NURSE_JD, limit: 5 });
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual(['only-in-a']);
      if (res.body.cache === 'hit') break;
    }
    const other = await apiB.search({ jobDescription: NURSE_JD, limit: 5 });
    expect(other.status).toBe(200);
    expect(other.body.cache).not.toBe('hit');
    expect(ids(other)).toEqual(['only-in-b']);
  });

  it('quota counters are per deployment', async () => {
    for (let i = 0; i < 5; i++) expect((await apiA.get(`nobody-${i}`)).status).toBe(404);
    // B has made two requests so far (the PUT and the search); this is its third.
    const res = await apiB.get('nobody');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-ratelimit-remaining')).toBe(String(QUOTA - 3));
  });

  it('every key in Redis starts with its deployment’s database identity', async () => {
    const idOf = async (h: Harness) => (await h.db.pool.query<{ id: string }>('SELECT database_id::text AS id FROM hh_instance')).rows[0]!.id;
    const [idA, idB] = [await idOf(a), await idOf(b)];
    expect(idA).not.toBe(idB);
    const r = new Redis(redisUrl);
    try {
      const keys = await r.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k.startsWith(`db:${idA}:`) || k.startsWith(`db:${idB}:`)).toBe(true);
      expect(keys.some((k) => k.startsWith(`db:${idA}:hh:v1:ratelimit:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`db:${idB}:hh:v1:ratelimit:`))).toBe(true);
    } finally {
      r.disconnect();
    }
  });
});
