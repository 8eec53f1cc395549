/**
 * One behavioural contract, run against both adapters: the in-process LRU and a real Redis
 * (REDIS_URL: the caller's, or the test setup's throwaway redis-server) under a key prefix unique
 * to this run, removed at the end. Without any Redis the Redis half is skipped, and says why.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, createCache, createMemoryCache, createRedisCache, type Cache, type CacheEvent } from '@hh/cache';
import { deferred, eventually, redisMissing, sleep, unlessMissing } from '@hh/testkit';

const NO_REDIS = redisMissing();
const REDIS_URL = process.env.REDIS_URL ?? '';
const PREFIX = `hhtest:cache:${process.pid}:${randomUUID().slice(0, 8)}:`;

let admin: Redis | undefined;
beforeAll(async () => {
  if (NO_REDIS) return;
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
});
afterAll(async () => {
  if (!admin) return;
  // Remove everything this run wrote to the shared Redis.
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
});

interface Adapter {
  name: 'memory' | 'redis';
  make(events?: CacheEvent[]): Promise<Cache>;
}

const adapters: Adapter[] = [
  {
    name: 'memory',
    make: async (events) => createMemoryCache({ maxEntries: 1000, ...(events ? { onEvent: (e) => events.push(e) } : {}) }),
  },
  {
    name: 'redis',
    make: async (events) => {
      // A generous command timeout: these tests are about semantics, and the shared box is busy.
      const c = createRedisCache({ url: REDIS_URL, keyPrefix: PREFIX, commandTimeoutMs: 1_000, ...(events ? { onEvent: (e) => events.push(e) } : {}) });
      expect(await c.ready(5_000)).toBe(true);
      return c;
    },
  },
];

let tenantSeq = 0;
/** A fresh tenant per test keeps tests independent while sharing one backend. */
const tenant = () => `t${++tenantSeq}-${randomUUID().slice(0, 6)}`;

for (const { name, make } of adapters) describe.skipIf(name === 'redis' && NO_REDIS)(unlessMissing(`${name} adapter`, name === 'redis' ? NO_REDIS : undefined), () => {
  let cache: Cache;
  beforeAll(async () => {
    cache = await make();
    expect(cache.kind).toBe(name);
  });
  afterAll(async () => {
    await cache.close();
  });

  it('raw get/set/del round-trip bytes and strings', async () => {
    const t = tenant();
    const k = cacheKey('raw', t, 'a');
    expect(await cache.get(k)).toEqual({ status: 'miss' });
    const bytes = Buffer.from([0, 1, 2, 255, 254, 0]);
    expect(await cache.set(k, bytes, 60)).toBe('ok');
    const got = await cache.get(k);
    expect(got.status).toBe('hit');
    expect(got.status === 'hit' && got.value.equals(bytes)).toBe(true);

    const k2 = cacheKey('raw', t, 'b');
    await cache.set(k2, 'olá, enfermeira', 60);
    const got2 = await cache.get(k2);
    expect(got2.status === 'hit' && got2.value.toString('utf8')).toBe('olá, enfermeira');

    expect(await cache.del(k)).toBe('ok');
    expect(await cache.get(k)).toEqual({ status: 'miss' });
  });

  it('getOrLoad: miss calls the loader once, then hits without it', async () => {
    const k = cacheKey('page', tenant(), 'q');
    let calls = 0;
    const loader = async () => {
      calls++;
      return { ids: ['c-1', 'c-2'], total: 2, nested: { score: 0.5 } };
    };
    const a = await cache.getOrLoad(k, loader, { ttlSeconds: 60 });
    expect(a).toEqual({ status: 'miss', value: { ids: ['c-1', 'c-2'], total: 2, nested: { score: 0.5 } } });
    const b = await cache.getOrLoad(k, loader, { ttlSeconds: 60 });
    expect(b).toEqual({ status: 'hit', value: { ids: ['c-1', 'c-2'], total: 2, nested: { score: 0.5 } } });
    expect(calls).toBe(1);
    // A cached object is a copy: mutating what a caller got does not change the cache.
    b.value.ids.push('tampered');
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).value.ids).toEqual(['c-1', 'c-2']);
  });

  it('getOrLoad with a binary codec (embedding vectors)', async () => {
    const k = cacheKey('qemb', tenant(), 'model', 'text');
    const vec = Float32Array.from([0.25, -1.5, 3.75, Number.MIN_VALUE]);
    const opts = {
      ttlSeconds: 60,
      encode: (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength),
      decode: (raw: Buffer) => new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)),
    };
    expect((await cache.getOrLoad(k, async () => vec, opts)).status).toBe('miss');
    const hit = await cache.getOrLoad(k, async () => new Float32Array(4), opts);
    expect(hit.status).toBe('hit');
    expect(Array.from(hit.value)).toEqual(Array.from(vec));
  });

  it('tenants never share entries for identical inputs', async () => {
    const [a, b] = [tenant(), tenant()];
    const ra = await cache.getOrLoad(cacheKey('page', a, 'same query'), async () => `for ${a}`, { ttlSeconds: 60 });
    const rb = await cache.getOrLoad(cacheKey('page', b, 'same query'), async () => `for ${b}`, { ttlSeconds: 60 });
    expect([ra.status, rb.status]).toEqual(['miss', 'miss']);
    expect((await cache.getOrLoad(cacheKey('page', a, 'same query'), async () => 'x', { ttlSeconds: 60 })).value).toBe(`for ${a}`);
    expect((await cache.getOrLoad(cacheKey('page', b, 'same query'), async () => 'x', { ttlSeconds: 60 })).value).toBe(`for ${b}`);
  });

  it('entries expire after their TTL', async () => {
    const t = tenant();
    const raw = cacheKey('ttl', t, 'raw');
    await cache.set(raw, 'v', 0.15);
    const k = cacheKey('ttl', t, 'loaded');
    let calls = 0;
    const loader = async () => ++calls;
    await cache.getOrLoad(k, loader, { ttlSeconds: 0.15, jitter: 0 });
    expect((await cache.get(raw)).status).toBe('hit');
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 0.15, jitter: 0 })).status).toBe('hit');
    await sleep(400);
    expect(await cache.get(raw)).toEqual({ status: 'miss' });
    expect(await cache.getOrLoad(k, loader, { ttlSeconds: 0.15, jitter: 0 })).toEqual({ status: 'miss', value: 2 });
  });

  it('single-flight: 50 concurrent callers of one key share one loader call', async () => {
    const k = cacheKey('sf', tenant(), 'q');
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad(k, loader, { ttlSeconds: 60 })));
    await sleep(20);
    gate.resolve('loaded once');
    const results = await all;
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => `${r.status}:${r.value}`))).toEqual(new Set(['miss:loaded once']));
    // Different keys do not wait on each other.
    const other = await cache.getOrLoad(cacheKey('sf', tenant(), 'q'), async () => 'other', { ttlSeconds: 60 });
    expect(other).toEqual({ status: 'miss', value: 'other' });
  });

  it('loader errors reach every waiting caller and are not cached', async () => {
    const k = cacheKey('err', tenant(), 'q');
    const gate = deferred<string>();
    let calls = 0;
    const failing = () => {
      calls++;
      return gate.promise;
    };
    const settled = Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrLoad(k, failing, { ttlSeconds: 60 })));
    await sleep(10);
    gate.reject(new Error('hh-embed unavailable'));
    const outcomes = await settled;
    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'hh-embed unavailable')).toBe(true);
    expect(await cache.get(k)).toEqual({ status: 'miss' });
    const next = await cache.getOrLoad(k, async () => 'recovered', { ttlSeconds: 60 });
    expect(next).toEqual({ status: 'miss', value: 'recovered' });
    expect((await cache.getOrLoad(k, async () => 'never', { ttlSeconds: 60 })).status).toBe('hit');
  });

  it('stale-while-revalidate: serves the old value at once and refreshes it once in the background', async () => {
    const k = cacheKey('swr', tenant(), 'q');
    const opts = { ttlSeconds: 0.1, staleSeconds: 30, jitter: 0 };
    expect((await cache.getOrLoad(k, async () => 'v1', opts)).status).toBe('miss');
    await sleep(250);
    const gate = deferred<string>();
    let calls = 0;
    const loader = (ctx: { reason: string }) => {
      calls++;
      expect(ctx.reason).toBe('revalidate');
      return gate.promise;
    };
    // Resolves while the refresh is still blocked on `gate`, so the caller did not wait for it.
    const s1 = await cache.getOrLoad(k, loader, opts);
    const s2 = await cache.getOrLoad(k, loader, opts);
    expect([s1, s2]).toEqual([
      { status: 'stale', value: 'v1' },
      { status: 'stale', value: 'v1' },
    ]);
    expect(calls).toBe(1);
    gate.resolve('v2');
    await eventually(async () => (await cache.get(k)).status === 'hit', 'revalidated entry');
    expect(await cache.getOrLoad(k, async () => 'unused', opts)).toEqual({ status: 'hit', value: 'v2' });
    expect(calls).toBe(1);
  });

  it('stale-while-revalidate: a failed refresh keeps serving stale and is reported, not thrown', async () => {
    const events: CacheEvent[] = [];
    const c = await make(events);
    try {
      const k = cacheKey('swr', tenant(), 'fail');
      const opts = { ttlSeconds: 0.1, staleSeconds: 30, jitter: 0 };
      await c.getOrLoad(k, async () => 'v1', opts);
      await sleep(250);
      const r = await c.getOrLoad(k, () => Promise.reject(new Error('rerank down')), opts);
      expect(r).toEqual({ status: 'stale', value: 'v1' });
      await eventually(() => events.some((e) => e.type === 'revalidate_error'), 'revalidate_error event');
      // Still stale v1 (the entry was not dropped); this call starts a new refresh, which succeeds.
      expect(await c.getOrLoad(k, async () => 'v2', opts)).toEqual({ status: 'stale', value: 'v1' });
      await eventually(async () => (await c.get(k)).status === 'hit', 'second refresh');
      expect(await c.getOrLoad(k, async () => 'v3', opts)).toEqual({ status: 'hit', value: 'v2' });
    } finally {
      await c.close();
    }
  });

  it('past the stale window an entry is a miss', async () => {
    const k = cacheKey('swr', tenant(), 'window');
    await cache.getOrLoad(k, async () => 'v1', { ttlSeconds: 0.1, staleSeconds: 0.1, jitter: 0 });
    await sleep(400);
    expect(await cache.getOrLoad(k, async () => 'v2', { ttlSeconds: 0.1, staleSeconds: 0.1, jitter: 0 })).toEqual({ status: 'miss', value: 'v2' });
  });

  it('a caller without a stale window does not accept a stale entry', async () => {
    const k = cacheKey('swr', tenant(), 'nostale');
    await cache.getOrLoad(k, async () => 'v1', { ttlSeconds: 0.1, staleSeconds: 30, jitter: 0 });
    await sleep(250);
    expect(await cache.getOrLoad(k, async () => 'v2', { ttlSeconds: 60 })).toEqual({ status: 'miss', value: 'v2' });
  });

  it('a TTL function returning 0 leaves the value uncached', async () => {
    const k = cacheKey('page', tenant(), 'degraded');
    const ttlSeconds = (v: { degraded: boolean }) => (v.degraded ? 0 : 60);
    let calls = 0;
    const loader = async () => ({ degraded: ++calls === 1 });
    expect(await cache.getOrLoad(k, loader, { ttlSeconds })).toEqual({ status: 'miss', value: { degraded: true } });
    expect(await cache.getOrLoad(k, loader, { ttlSeconds })).toEqual({ status: 'miss', value: { degraded: false } });
    expect(await cache.getOrLoad(k, loader, { ttlSeconds })).toEqual({ status: 'hit', value: { degraded: false } });
  });

  it('an undecodable entry counts as a miss and is replaced', async () => {
    const events: CacheEvent[] = [];
    const c = await make(events);
    try {
      const k = cacheKey('codec', tenant(), 'q');
      await c.set(k, '{not json', 60);
      expect(await c.getOrLoad(k, async () => ({ ok: true }), { ttlSeconds: 60 })).toEqual({ status: 'miss', value: { ok: true } });
      expect(events.some((e) => e.type === 'codec_error' && e.op === 'decode')).toBe(true);
      expect(await c.getOrLoad(k, async () => ({ ok: false }), { ttlSeconds: 60 })).toEqual({ status: 'hit', value: { ok: true } });
    } finally {
      await c.close();
    }
  });

  it('an unencodable value is returned but not cached', async () => {
    const k = cacheKey('codec', tenant(), 'bigint');
    let calls = 0;
    const loader = async () => ({ n: BigInt(++calls) });
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).value.n).toBe(1n);
    expect(await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).toEqual({ status: 'miss', value: { n: 2n } });
  });

  it('programming errors (bad key or TTL) reject with a TypeError, not a bypass', async () => {
    await expect(cache.getOrLoad('', async () => 1, { ttlSeconds: 60 })).rejects.toThrow(TypeError);
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: Number.NaN })).rejects.toThrow(/ttlSeconds/);
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 1, staleSeconds: -1 })).rejects.toThrow(/staleSeconds/);
    await expect(cache.getOrLoad('k', async () => 1, { ttlSeconds: 1, jitter: 1 })).rejects.toThrow(/jitter/);
    await expect(cache.set('k', 'v', -5)).rejects.toThrow(/ttlSeconds/);
    await expect(cache.get('x'.repeat(2000))).rejects.toThrow(TypeError);
  });

  it('ping and ready report a usable backend', async () => {
    expect(await cache.ping()).toEqual({ ok: true });
    expect(await cache.ready(100)).toBe(true);
  });

  it('after close every call bypasses with reason closed and loaders still run', async () => {
    const c = await make();
    await c.close();
    await c.close(); // idempotent
    const k = cacheKey('closed', tenant(), 'q');
    expect(await c.get(k)).toEqual({ status: 'bypass', reason: 'closed' });
    expect(await c.set(k, 'v', 60)).toBe('bypass');
    expect(await c.del(k)).toBe('bypass');
    expect(await c.getOrLoad(k, async () => 'origin', { ttlSeconds: 60 })).toEqual({ status: 'bypass', value: 'origin' });
    expect(await c.ping()).toMatchObject({ ok: false, reason: 'closed' });
    expect(await c.ready(50)).toBe(false);
  });

  it('emits one request event per caller, labelled by key namespace', async () => {
    const events: CacheEvent[] = [];
    const c = await make(events);
    try {
      const k = cacheKey('specialty', tenant(), 'nurse');
      await Promise.all([1, 2, 3].map(() => c.getOrLoad(k, async () => 'x', { ttlSeconds: 60 })));
      await c.getOrLoad(k, async () => 'x', { ttlSeconds: 60 });
      await c.getOrLoad('custom-key-' + randomUUID(), async () => 'x', { ttlSeconds: 60, name: 'adhoc' });
      const requests = events.filter((e) => e.type === 'request');
      expect(requests).toEqual([
        { type: 'request', cache: 'specialty', result: 'miss' },
        { type: 'request', cache: 'specialty', result: 'miss' },
        { type: 'request', cache: 'specialty', result: 'miss' },
        { type: 'request', cache: 'specialty', result: 'hit' },
        { type: 'request', cache: 'adhoc', result: 'miss' },
      ]);
    } finally {
      await c.close();
    }
  });

  it('a throwing event listener does not break cache calls', async () => {
    const c = await make();
    try {
      c.onEvent(() => {
        throw new Error('buggy listener');
      });
      const k = cacheKey('page', tenant(), 'q');
      expect((await c.getOrLoad(k, async () => 1, { ttlSeconds: 60 })).status).toBe('miss');
      expect((await c.getOrLoad(k, async () => 1, { ttlSeconds: 60 })).status).toBe('hit');
    } finally {
      await c.close();
    }
  });
});

describe.skipIf(NO_REDIS)(unlessMissing('redis adapter specifics (shared Redis, prefixed keys)', NO_REDIS), () => {
  let cache: Cache;
  beforeAll(async () => {
    cache = createRedisCache({ url: REDIS_URL, keyPrefix: PREFIX, commandTimeoutMs: 1_000 });
    expect(await cache.ready(5_000)).toBe(true);
  });
  afterAll(async () => {
    await cache.close();
  });

  it('stores under the prefix with the tenant visible to SCAN and the query text hashed', async () => {
    const t = tenant();
    await cache.getOrLoad(cacheKey('search', t, 'registered nurse são paulo'), async () => [1, 2, 3], { ttlSeconds: 60 });
    const [, keys] = await admin!.scan('0', 'MATCH', `${PREFIX}hh:v1:*:${t}:*`, 'COUNT', 10_000);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${PREFIX}hh:v1:search:${t}:[A-Za-z0-9_-]{43}$`));
    expect(keys[0]).not.toMatch(/nurse/);
  });

  it('applies ±10% jitter to the TTL Redis holds, and adds the stale window to it', async () => {
    const t = tenant();
    const ttls: number[] = [];
    for (let i = 0; i < 40; i++) {
      const k = cacheKey('jit', t, i);
      await cache.getOrLoad(k, async () => i, { ttlSeconds: 100 });
      ttls.push(await admin!.pttl(PREFIX + k));
    }
    expect(Math.min(...ttls)).toBeGreaterThan(89_000); // PTTL only counts down, a little, between set and read
    expect(Math.max(...ttls)).toBeLessThanOrEqual(110_000);
    expect(new Set(ttls).size).toBeGreaterThan(30);

    const k = cacheKey('jit', t, 'swr');
    await cache.getOrLoad(k, async () => 'v', { ttlSeconds: 100, staleSeconds: 50, jitter: 0 });
    const pttl = await admin!.pttl(PREFIX + k);
    expect(pttl).toBeGreaterThan(149_000);
    expect(pttl).toBeLessThanOrEqual(150_000);
  });

  it('bytes not written by this package are a miss and get replaced', async () => {
    const k = cacheKey('foreign', tenant(), 'q');
    await admin!.set(PREFIX + k, 'written by something else', 'EX', 60);
    expect(await cache.get(k)).toEqual({ status: 'miss' });
    expect(await cache.getOrLoad(k, async () => 'ours', { ttlSeconds: 60 })).toEqual({ status: 'miss', value: 'ours' });
    expect(await cache.getOrLoad(k, async () => 'x', { ttlSeconds: 60 })).toEqual({ status: 'hit', value: 'ours' });
  });

  it('two cache instances (two replicas) share entries through Redis', async () => {
    const other = createRedisCache({ url: REDIS_URL, keyPrefix: PREFIX, commandTimeoutMs: 1_000 });
    try {
      expect(await other.ready(5_000)).toBe(true);
      const k = cacheKey('page', tenant(), 'shared');
      await cache.getOrLoad(k, async () => 'from replica A', { ttlSeconds: 60 });
      expect(await other.getOrLoad(k, async () => 'from replica B', { ttlSeconds: 60 })).toEqual({ status: 'hit', value: 'from replica A' });
    } finally {
      await other.close();
    }
  });
});

describe('memory adapter specifics', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const c = createMemoryCache({ maxEntries: 2 });
    await c.set('a', '1', 60);
    await c.set('b', '2', 60);
    await c.get('a'); // a is now more recent than b
    await c.set('c', '3', 60);
    expect((await c.get('a')).status).toBe('hit');
    expect((await c.get('b')).status).toBe('miss');
    expect((await c.get('c')).status).toBe('hit');
    await c.close();
  });

  it('bounds stored bytes with maxBytes and skips entries larger than the bound', async () => {
    const c = createMemoryCache({ maxEntries: 100, maxBytes: 300 });
    await c.set('big', Buffer.alloc(400), 60);
    expect((await c.get('big')).status).toBe('miss');
    for (let i = 0; i < 5; i++) await c.set(`k${i}`, Buffer.alloc(100), 60);
    const present = [];
    for (let i = 0; i < 5; i++) if ((await c.get(`k${i}`)).status === 'hit') present.push(i);
    expect(present).toEqual([3, 4]); // 2 × (100 B + 10 B header + key) fit in 300 B; older ones evicted
    await c.close();
  });

  it('rejects nonsensical sizes', () => {
    expect(() => createMemoryCache({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createMemoryCache({ maxBytes: -1 })).toThrow(/maxBytes/);
  });
});

describe('createCache', () => {
  it.skipIf(NO_REDIS)(unlessMissing('picks memory without a URL and Redis with one', NO_REDIS), async () => {
    const m = createCache({ maxEntries: 10 });
    expect(m.kind).toBe('memory');
    const r = createCache({ redisUrl: REDIS_URL, keyPrefix: PREFIX });
    expect(r.kind).toBe('redis');
    expect(await r.ready(5_000)).toBe(true);
    await Promise.all([m.close(), r.close()]);
    expect(() => createCache({ redisUrl: 'http://nope' })).toThrow(/redis:\/\//);
  });
});
