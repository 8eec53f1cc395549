/**
 * Per-tenant quota: past the quota a tenant gets 429 with
 * retry-after and x-ratelimit-* headers while other tenants are unaffected; the counters live in
 * Redis keyed by deployment and tenant; a frozen Redis never fails or hangs a request: the replica
 * counts in memory meanwhile (real headers, the quota still binds) and logs the outage and the
 * recovery once each.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startHarness, type Harness } from './harness.js';
import { captureLogs } from './raw-http.js';
import { freePort, redisServerMissing, startRedis, unlessMissing } from './redis-server.js';

const QUOTA = 4;
let h: Harness;
let redis: ChildProcess | undefined;
let redisUrl: string;
const logs = captureLogs();

// Counters live in a redis-server child of this file's own (it is frozen on purpose below).
const NO_REDIS_SERVER = redisServerMissing();

beforeAll(async () => {
  if (NO_REDIS_SERVER) return;
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  h = await startHarness({ REDIS_URL: redisUrl, SEARCH_RATE_LIMIT_PER_MINUTE: String(QUOTA), LOG_LEVEL: 'info' }, { logStream: logs.stream });
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
    // Counters are shared through Redis, one per tenant, under this deployment's database identity.
    const { rows } = await h.db.pool.query<{ id: string }>('SELECT database_id::text AS id FROM hh_instance');
    const r = new Redis(redisUrl);
    try {
      const keys = (await r.keys('*hh:v1:ratelimit:*')).sort();
      expect(keys.length).toBe(2);
      expect(keys.every((k) => k.startsWith(`db:${rows[0]!.id}:hh:v1:ratelimit:tenant:`) && /tenant:\d+$/.test(k))).toBe(true);
    } finally {
      r.disconnect();
    }
  });

  it('unauthenticated requests are rejected before the limiter counts anything', async () => {
    const res = await fetch(`${h.url}/v1/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('a frozen Redis: counted in memory meanwhile (real headers, the quota binds), outage and recovery logged once each', { timeout: 60_000 }, async () => {
    const c = client(h.url, (await h.newTenant('rl-frozen')).key);
    const said = (re: RegExp) => logs.lines.filter((l) => re.test(String(l.msg))).length;
    redis!.kill('SIGSTOP');
    try {
      for (let i = 0; i < QUOTA; i++) {
        const res = await c.get(`missing-${i}`);
        expect(res.status).toBe(404); // answered, never failed because of the limiter
        expect(res.headers.get('x-ratelimit-remaining')).toBe(String(QUOTA - 1 - i));
      }
      const over = await c.get('missing-over');
      expect(over.status).toBe(429);
      expect(over.body.code).toBe('HH_SEARCH_RATE_LIMITED');
    } finally {
      redis!.kill('SIGCONT');
    }
    expect(said(/rate limiter: Redis unavailable/)).toBe(1);
    // Back to Redis: another tenant's requests are counted there again, and that is logged.
    const d = client(h.url, (await h.newTenant('rl-thawed')).key);
    while (said(/rate limiter: Redis is reachable again/) === 0) {
      expect([404, 429]).toContain((await d.get('missing')).status);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(said(/rate limiter: Redis unavailable/)).toBe(1);
    expect(said(/rate limiter: Redis is reachable again/)).toBe(1);
  });
});
