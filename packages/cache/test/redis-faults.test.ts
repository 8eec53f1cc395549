/**
 * Redis faults, injected only on throwaway servers: a closed port (refused), a redis-server child
 * frozen with SIGSTOP (black hole: TCP stays up, nothing answers), then SIGKILLed (crash), then
 * restarted. Callers must always get their value with status `bypass` and never hang; no time
 * is asserted, only that calls complete and report why they bypassed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cacheKey, createRedisCache, type Cache, type CacheEvent } from '@hh/cache';
import { eventually, freePort, redisServerMissing, startRedisServer, unlessMissing, type RedisChild } from '@hh/testkit';

const children: RedisChild[] = [];
const caches: Cache[] = [];
afterAll(async () => {
  await Promise.allSettled(caches.map((c) => c.close()));
  await Promise.allSettled(children.map((c) => c.kill()));
});

describe('Redis unreachable (closed port)', () => {
  let consoleError: ReturnType<typeof vi.spyOn>;
  beforeAll(() => {
    consoleError = vi.spyOn(console, 'error');
  });
  afterEach(() => {
    consoleError.mockClear();
  });
  afterAll(() => {
    consoleError.mockRestore();
  });

  it('getOrLoad calls the loader and reports bypass; single-flight still applies', async () => {
    const events: CacheEvent[] = [];
    const cache = createRedisCache({ url: `redis://127.0.0.1:${await freePort()}`, onEvent: (e) => events.push(e) });
    caches.push(cache);
    const k = cacheKey('page', 7, 'q');
    expect(await cache.getOrLoad(k, async () => 'from origin', { ttlSeconds: 60 })).toEqual({ status: 'bypass', value: 'from origin' });

    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setImmediate(r));
      return calls;
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad(k, loader, { ttlSeconds: 60 })));
    expect(calls).toBe(1);
    expect(results.every((r) => r.status === 'bypass' && r.value === 1)).toBe(true);
    // Nothing is remembered while bypassing: the next call goes to the origin again.
    expect(await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).toEqual({ status: 'bypass', value: 2 });

    expect(await cache.get(k)).toEqual({ status: 'bypass', reason: 'disconnected' });
    expect(await cache.set(k, 'v', 60)).toBe('bypass');
    expect(await cache.del(k)).toBe('bypass');
    expect(await cache.ping()).toMatchObject({ ok: false, reason: 'disconnected' });
    expect(await cache.ready(50)).toBe(false);
    const reqs = events.filter((e) => e.type === 'request');
    expect(reqs.length).toBe(13);
    expect(reqs.every((e) => e.type === 'request' && e.result === 'bypass' && e.reason === 'disconnected')).toBe(true);
  });

  it('loader errors still propagate while bypassing', async () => {
    const cache = createRedisCache({ url: `redis://127.0.0.1:${await freePort()}` });
    caches.push(cache);
    await expect(cache.getOrLoad(cacheKey('page', 1, 'q'), () => Promise.reject(new Error('pg down')), { ttlSeconds: 60 })).rejects.toThrow(
      'pg down',
    );
  });

  it('connection errors are handled: reported once as an event, no "Unhandled error event" output', async () => {
    const events: CacheEvent[] = [];
    const warnings: string[] = [];
    const cache = createRedisCache({
      url: `redis://127.0.0.1:${await freePort()}`,
      reconnectMaxDelayMs: 20,
      onEvent: (e) => events.push(e),
      logger: { warn: (_o, msg) => warnings.push(msg), info: () => undefined },
    });
    caches.push(cache);
    // Let ioredis fail to connect several times (it retries every ≤ 120 ms here).
    const errorsSeen = () => events.filter((e) => e.type === 'connection').length;
    await eventually(() => errorsSeen() >= 1, 'a connection-down event');
    await new Promise((r) => setTimeout(r, 400));
    expect(events.filter((e) => e.type === 'connection')).toEqual([
      { type: 'connection', state: 'down', error: expect.objectContaining({ message: expect.stringMatching(/ECONNREFUSED/) }) },
    ]);
    expect(warnings).toHaveLength(1);
    const printed = consoleError.mock.calls.map((args: unknown[]) => args.map(String).join(' '));
    expect(printed.filter((line: string) => /Unhandled error event/.test(line))).toEqual([]);
  });
});

describe.skipIf(redisServerMissing())(unlessMissing('throwaway redis-server: black hole, crash, restart', redisServerMissing()), () => {
  let server: RedisChild;
  let cache: Cache;
  const events: CacheEvent[] = [];
  const k = cacheKey('page', 42, 'registered nurse');
  const loaderCalls: string[] = [];
  const loader = async (ctx: { reason: string }) => {
    loaderCalls.push(ctx.reason);
    return { ids: ['n-1', 'n-2'] };
  };
  const bypassReasons = () => events.flatMap((e) => (e.type === 'request' && e.result === 'bypass' ? [e.reason] : []));

  beforeAll(async () => {
    server = await startRedisServer();
    children.push(server);
    cache = createRedisCache({
      url: server.url,
      commandTimeoutMs: 100,
      reconnectMaxDelayMs: 200,
      breaker: { threshold: 3, cooldownMs: 60_000 },
      onEvent: (e) => events.push(e),
    });
    caches.push(cache);
    expect(await cache.ready(5_000)).toBe(true);
  });

  it('healthy: miss then hit', async () => {
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).status).toBe('miss');
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).status).toBe('hit');
    expect(loaderCalls).toEqual(['miss']);
  });

  it('SIGSTOP (black hole): calls complete with bypass via the command timeout, then the breaker skips Redis', async () => {
    server.pause();
    events.length = 0;
    loaderCalls.length = 0;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await cache.getOrLoad(k, loader, { ttlSeconds: 60 }));
    expect(results.map((r) => r.status)).toEqual(['bypass', 'bypass', 'bypass', 'bypass', 'bypass']);
    expect(results.every((r) => r.value.ids.length === 2)).toBe(true);
    expect(loaderCalls).toEqual(['bypass', 'bypass', 'bypass', 'bypass', 'bypass']);
    // Three timed-out reads open the breaker; later calls do not touch the frozen server at all.
    expect(bypassReasons()).toEqual(['timeout', 'timeout', 'timeout', 'breaker_open', 'breaker_open']);
    // Raw operations never throw either.
    expect(await cache.get(k)).toEqual({ status: 'bypass', reason: 'breaker_open' });
    expect(await cache.set(k, 'x', 60)).toBe('bypass');
    expect(await cache.del(k)).toBe('bypass');
  });

  it('SIGKILL (crash): bypass with reason disconnected', async () => {
    await server.kill();
    await eventually(() => events.some((e) => e.type === 'connection' && e.state === 'down'), 'connection down');
    events.length = 0;
    const r = await cache.getOrLoad(k, loader, { ttlSeconds: 60 });
    expect(r).toEqual({ status: 'bypass', value: { ids: ['n-1', 'n-2'] } });
    expect(bypassReasons()).toEqual(['disconnected']);
  });

  it('restart on the same port: reconnects in the background, breaker resets, caching resumes', async () => {
    server = await startRedisServer(server.port);
    children.push(server);
    expect(await cache.ready(10_000)).toBe(true);
    loaderCalls.length = 0;
    // The new server is empty, so a miss first; the breaker (60 s cool-down) was reset by the reconnect.
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).status).toBe('miss');
    expect((await cache.getOrLoad(k, loader, { ttlSeconds: 60 })).status).toBe('hit');
    expect(loaderCalls).toEqual(['miss']);
    expect(events.some((e) => e.type === 'connection' && e.state === 'ready')).toBe(true);
  });

  it('SIGSTOP then SIGCONT: the half-open probe closes the breaker again', async () => {
    const probeCache = createRedisCache({ url: server.url, commandTimeoutMs: 100, breaker: { threshold: 2, cooldownMs: 300 } });
    caches.push(probeCache);
    expect(await probeCache.ready(5_000)).toBe(true);
    const key = cacheKey('page', 43, 'q');
    await probeCache.set(key, 'v', 60);
    server.pause();
    try {
      expect(await probeCache.get(key)).toEqual({ status: 'bypass', reason: 'timeout' });
      expect(await probeCache.get(key)).toEqual({ status: 'bypass', reason: 'timeout' });
      expect(await probeCache.get(key)).toEqual({ status: 'bypass', reason: 'breaker_open' });
    } finally {
      server.resume();
    }
    // After the cool-down one probe goes through; it succeeds, so the breaker closes.
    await eventually(async () => (await probeCache.get(key)).status === 'hit', 'breaker closed after resume');
    expect(await probeCache.get(key)).toMatchObject({ status: 'hit' });
  });
});
