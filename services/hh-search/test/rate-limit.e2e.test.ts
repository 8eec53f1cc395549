/**
 * Per-tenant quota (RELIABILITY.md §7 targets 2 and 4): past the quota a tenant gets 429 with
 * retry-after and x-ratelimit-* headers while other tenants are unaffected; the counters live in
 * Redis keyed by tenant; a frozen Redis lets requests through (fail-open) instead of failing them.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startHarness, type Harness } from './harness.js';
import { freePort, redisServerMissing, startRedis, unlessMissing } from './redis-server.js';

const QUOTA = 4;
let h: Harness;
let redis: ChildProcess | undefined;
let redisUrl: string;

// Counters live in a redis-server child of this file's own (it is frozen on purpose below).
const NO_REDIS_SERVER = redisServerMissing();

beforeAll(async () => {
  if (NO_REDIS_SERVER) return;
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  h = await startHarness({ REDIS_URL: redisUrl, SEARCH_RATE_LIMIT_PER_MINUTE: String(QUOTA) });
});

afterAll(async () => {
  if (redis) redis.kill('SIGCONT');
  await h?.close();
  redis?.kill('SIGKILL');
});

describe.skipIf(NO_REDIS_SERVER)(unlessMissing('per-tenant rate limit', NO_REDIS_SERVER), () => {
  it('a tenant past its quota gets 429 with retry-after and x-ratelimit-*; another tenant is unaffected', async () => {
    const a = client(h.url, (await h.newTenant('rl-a')).key);
    const b = client(h.url, (await h.newTenant('rl-b')).key);
    const statuses: number[] = [];
    for (let i = 0; i < QUOTA; i++) {
      const res = await a.get(`missing-${i}`); // 404s count too: the quota is per request
      statuses.push(res.status);
      expect(res.headers.get('x-ratelimit-limit')).toBe(String(QUOTA));
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(QUOTA - 1 - i));
    }
    expect(statuses).toEqual(Array(QUOTA).fill(404));
    const over = await a.search({ query: 'registered nurse', limit: 3 });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('HH_SEARCH_RATE_LIMITED');
    expect(over.body.detail).toMatch(/quota of 4 requests per minute/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    const other = await b.search({ query: 'registered nurse', limit: 3 });
    expect(other.status).toBe(200);
    // Counters are shared through Redis, one per tenant.
    const r = new Redis(redisUrl);
    try {
      const keys = (await r.keys('hh:v1:ratelimit:*')).sort();
      expect(keys.length).toBe(2);
      expect(keys.every((k) => /^hh:v1:ratelimit:tenant:\d+$/.test(k))).toBe(true);
    } finally {
      r.disconnect();
    }
  });

  it('unauthenticated requests are rejected before the limiter counts anything', async () => {
    const res = await fetch(`${h.url}/v1/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('a frozen Redis fails open: requests are answered, not rejected or hung', async () => {
    const c = client(h.url, (await h.newTenant('rl-frozen')).key);
    redis!.kill('SIGSTOP');
    try {
      for (let i = 0; i < QUOTA + 2; i++) {
        const res = await c.get(`missing-${i}`);
        expect(res.status).toBe(404); // past the quota too: the limiter cannot count, so it lets requests through
      }
    } finally {
      redis!.kill('SIGCONT');
    }
  });
});
