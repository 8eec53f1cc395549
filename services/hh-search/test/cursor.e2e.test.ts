/**
 * Search cursors: signed (tampered or forged → 400), bound to the tenant (another key's cursor →
 * 400), and stable without the cache: when the cached list is gone, the next page comes from a
 * recomputed list only if that list starts with exactly what was already served — otherwise
 * 410 HH_SEARCH_CURSOR_EXPIRED. Never a duplicate or a silent skip. The page cache lives in a
 * throwaway redis-server so the tests can evict it (FLUSHALL) and stop it.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime.js';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';
import { freePort, startRedis } from './redis-server.js';

let h: Harness;
let redis: ChildProcess;
let redisUrl: string;
let admin: Redis;
let a: Api;
let b: Api;
let keyA: string;

// Rerank off keeps every recomputation cheap; the fused order is deterministic (ties broken by id).
const Q = { jobDescription: NURSE_JD, rerank: false };
const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);
const pool = () => [
  ...Array.from({ length: 8 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: `a-${i}`, ...accountant(i) })),
];

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined); // the last test stops the server
  await admin.connect();
  h = await startHarness({ REDIS_URL: redisUrl });
  const ta = await h.newTenant('cursor-a');
  keyA = ta.key;
  a = client(h.url, ta.key);
  b = client(h.url, (await h.newTenant('cursor-b')).key);
  await a.bulk(pool());
  await b.bulk(pool());
  await h.settle();
});

afterAll(async () => {
  admin?.disconnect();
  await h?.close();
  redis?.kill('SIGKILL');
});

/** Page through `body` `pages` times with `limit`, optionally doing something between pages. */
async function pageThrough(api: Api, limit: number, pages: number, between?: () => Promise<void>) {
  const out: string[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    const res = await api.search({ ...Q, limit, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    out.push(ids(res));
    cursor = res.body.nextCursor;
    if (between) await between();
  }
  return out;
}

describe('cursor pages', () => {
  it('pages concatenated equal the first N of one search', async () => {
    const full = ids(await a.search({ ...Q, limit: 9 }));
    expect(full).toHaveLength(9);
    const pages = await pageThrough(a, 3, 3);
    expect(pages.flat()).toEqual(full);
  });

  it('with the cached list gone after every page, later pages come from a verified recomputation', async () => {
    const full = ids(await a.search({ ...Q, limit: 9 }));
    const pages = await pageThrough(a, 3, 3, async () => {
      await admin.flushall();
    });
    expect(pages.flat()).toEqual(full);
    expect(new Set(pages.flat()).size).toBe(9);
  });

  it('data changed between pages and the list is gone → 410, never a duplicate or a skip', async () => {
    const p1 = await a.search({ ...Q, limit: 3 });
    const top = ids(p1)[0]!;
    // Remove a candidate page 1 showed: a recomputed list no longer starts with page 1.
    expect((await a.del(top)).status).toBe(204);
    await h.settle();
    await admin.flushall();
    const p2 = await a.search({ ...Q, limit: 3, cursor: p1.body.nextCursor });
    expect(p2.status).toBe(410);
    expect(p2.body.code).toBe('HH_SEARCH_CURSOR_EXPIRED');
    expect(p2.body.detail).toMatch(/search again/);
    // A new search works and starts over.
    const again = await a.search({ ...Q, limit: 3 });
    expect(again.status).toBe(200);
    expect(ids(again)).not.toContain(top);
  });

  it('data changed between pages but the first page’s list is still cached → the next page continues that list', async () => {
    const full = ids(await a.search({ ...Q, limit: 6 }));
    const p1 = await a.search({ ...Q, limit: 3 });
    expect(ids(p1)).toEqual(full.slice(0, 3));
    expect((await a.del(full[1]!)).status).toBe(204);
    await h.settle();
    const p2 = await a.search({ ...Q, limit: 3, cursor: p1.body.nextCursor });
    expect(p2.status).toBe(200);
    expect(ids(p2)).toEqual(full.slice(3, 6));
    // A fresh search reflects the delete.
    expect(ids(await a.search({ ...Q, limit: 6 }))).not.toContain(full[1]);
  });

  it('a page 1 from a replica still loading its index (degraded, never cached) continues elsewhere or says 410', async () => {
    const cold = await createRuntime(
      h.config({ REDIS_URL: redisUrl }),
    );
    try {
      await admin.flushall(); // else the cold replica serves the warm one's cached list
      const res = await cold.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${keyA}` }, payload: { ...Q, limit: 3 } });
      const p1 = res.json() as { results: { candidateId: string }[]; degraded: string[]; nextCursor: string };
      expect(p1.degraded).toContain('vector_index_warming');
      const p2 = await a.search({ ...Q, limit: 3, cursor: p1.nextCursor });
      expect([200, 410]).toContain(p2.status);
      if (p2.status === 200) {
        const served = p1.results.map((r) => r.candidateId);
        expect(ids(p2).some((id) => served.includes(id))).toBe(false);
        expect(p2.body.results[0].rank).toBe(4);
      } else {
        expect(p2.body.code).toBe('HH_SEARCH_CURSOR_EXPIRED');
      }
    } finally {
      await cold.close();
    }
  }, 180_000);
});

describe('cursor integrity', () => {
  it('a tampered cursor is a 400 on body.cursor', async () => {
    const p1 = await a.search({ ...Q, limit: 2 });
    const cursor: string = p1.body.nextCursor;
    // Keep the signature, change the offset inside the body.
    const raw = Buffer.from(cursor, 'base64url');
    const body = JSON.parse(raw.subarray(32).toString('utf8')) as unknown[];
    body[0] = 5;
    const altered = Buffer.concat([raw.subarray(0, 32), Buffer.from(JSON.stringify(body))]).toString('base64url');
    // Flip one character of the signature.
    const badSig = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
    // The unsigned format an attacker would guess.
    const unsigned = Buffer.from(JSON.stringify([2, body[1], body[2]])).toString('base64url');
    for (const c of [altered, badSig, unsigned, 'AAAA']) {
      const res = await a.search({ ...Q, limit: 2, cursor: c });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('HH_SEARCH_INVALID_CURSOR');
      expect(res.body.errors[0].field).toBe('body.cursor');
    }
  });

  it("another tenant's cursor is a 400, even for the same search", async () => {
    const p1 = await a.search({ ...Q, limit: 2 });
    const res = await b.search({ ...Q, limit: 2, cursor: p1.body.nextCursor });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('HH_SEARCH_INVALID_CURSOR');
    // B's own cursor works for B.
    const own = await b.search({ ...Q, limit: 2 });
    expect((await b.search({ ...Q, limit: 2, cursor: own.body.nextCursor })).status).toBe(200);
  });

  it('a cursor signed by another deployment (another secret) is a 400; replicas of one database agree', async () => {
    const p1 = await a.search({ ...Q, limit: 2 });
    const sameDb = await createRuntime(h.config({ VECTOR_INDEX: 'exact' }));
    const foreign = await createRuntime(h.config({ VECTOR_INDEX: 'exact', CURSOR_SECRET: 'another-deployment-secret-0123456789abcdef' }));
    try {
      const inject = (rt: typeof sameDb) =>
        rt.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${keyA}` }, payload: { ...Q, limit: 2, cursor: p1.body.nextCursor } });
      // Another replica without CURSOR_SECRET shares the database's generated secret.
      expect((await inject(sameDb)).statusCode).not.toBe(400);
      const res = await inject(foreign);
      expect(res.statusCode).toBe(400);
      expect((res.json() as { code: string }).code).toBe('HH_SEARCH_INVALID_CURSOR');
    } finally {
      await sameDb.close();
      await foreign.close();
    }
  }, 180_000);
});

describe('without Redis', () => {
  it('pages still continue exactly (each page recomputed and verified)', async () => {
    const full = ids(await a.search({ ...Q, limit: 6 }));
    redis.kill('SIGKILL');
    const pages = await pageThrough(a, 2, 3);
    expect(pages.flat()).toEqual(full);
  });
});
