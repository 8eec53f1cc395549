import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { cacheKey, cacheMetricsListener, createMemoryCache, createRedisCache, instrumentCache } from '@hh/cache';
import { eventually, freePort, redisMissing, unlessMissing } from '@hh/testkit';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const v = metric?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value;
}

describe('metrics', () => {
  it('counts hh_cache_requests_total by key namespace and result', async () => {
    const registry = new Registry();
    const cache = createMemoryCache({ onEvent: cacheMetricsListener(registry, 'memory') });
    const k = cacheKey('qemb', 1, 'm', 'nurse');
    await cache.getOrLoad(k, async () => 1, { ttlSeconds: 60 });
    await cache.getOrLoad(k, async () => 1, { ttlSeconds: 60 });
    await cache.getOrLoad(k, async () => 1, { ttlSeconds: 60 });
    await cache.get(cacheKey('search', 1, 'absent'));
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'qemb', result: 'miss' })).toBe(1);
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'qemb', result: 'hit' })).toBe(2);
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'search', result: 'miss' })).toBe(1);
    expect(await value(registry, 'hh_cache_backend_up', { backend: 'memory' })).toBe(1);
    await cache.close();
  });

  it('a down Redis shows as bypass requests, backend errors by reason and up = 0', async () => {
    const registry = new Registry();
    const cache = createRedisCache({ url: `redis://127.0.0.1:${await freePort()}` });
    instrumentCache(cache, registry);
    await eventually(async () => (await value(registry, 'hh_cache_backend_up', { backend: 'redis' })) === 0, 'up gauge 0');
    await cache.getOrLoad(cacheKey('rerank', 3, 'q'), async () => 'x', { ttlSeconds: 60 });
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'rerank', result: 'bypass' })).toBe(1);
    expect(await value(registry, 'hh_cache_backend_errors_total', { backend: 'redis', reason: 'disconnected' })).toBe(1);
    await cache.close();
  });

  it.skipIf(redisMissing())(unlessMissing('a connected Redis instrumented after connecting shows up = 1', redisMissing()), async () => {
    const registry = new Registry();
    const cache = createRedisCache({ url: process.env.REDIS_URL!, keyPrefix: `hhtest:metrics:${process.pid}:` });
    expect(await cache.ready(5_000)).toBe(true);
    instrumentCache(cache, registry);
    await eventually(async () => (await value(registry, 'hh_cache_backend_up', { backend: 'redis' })) === 1, 'up gauge 1');
    await cache.close();
  });

  it('several caches can share one registry, and detaching stops counting', async () => {
    const registry = new Registry();
    const a = createMemoryCache();
    const b = createMemoryCache();
    const detachA = instrumentCache(a, registry);
    instrumentCache(b, registry);
    await a.get('x');
    await b.get('x');
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'memory', result: 'miss' })).toBe(2);
    detachA();
    await a.get('x');
    expect(await value(registry, 'hh_cache_requests_total', { cache: 'memory', result: 'miss' })).toBe(2);
  });
});
