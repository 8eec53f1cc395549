/**
 * Degradation: each dependency failing on its own yields a 200 with the answering branches and a
 * degraded code — never a 500 or an empty list that looks real. Faults are injected on throwaway
 * servers and proxies on ephemeral ports, never on the machine's shared services.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, TEST_SERVICE_AUTH_SECRET, type Harness } from './harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { freePort, redisServerMissing, startRedis, unlessMissing } from './redis-server.js';
import { buildApp as buildEmbed } from '@hh/hh-embed';
import { buildApp as buildRerank } from '@hh/hh-rerank';
import { loadEmbedConfig, loadRerankConfig } from '@hh/config';

let h: Harness;
let api: ReturnType<typeof client>;
let embedProxy: TcpProxy;
let rerankProxy: TcpProxy;
let redis: ChildProcess | undefined;
// The Redis faults need a redis-server child of their own; without the binary the other faults still run.
const NO_REDIS_SERVER = redisServerMissing();
const embedApp = buildEmbed(loadEmbedConfig({ LOG_LEVEL: 'silent', SERVICE_AUTH_SECRET: TEST_SERVICE_AUTH_SECRET }));
const rerankApp = buildRerank(loadRerankConfig({ LOG_LEVEL: 'silent', SERVICE_AUTH_SECRET: TEST_SERVICE_AUTH_SECRET }));

beforeAll(async () => {
  await embedApp.listen({ port: 0, host: '127.0.0.1' });
  await rerankApp.listen({ port: 0, host: '127.0.0.1' });
  embedProxy = await startTcpProxy(`http://127.0.0.1:${(embedApp.server.address() as { port: number }).port}`);
  rerankProxy = await startTcpProxy(`http://127.0.0.1:${(rerankApp.server.address() as { port: number }).port}`);
  const redisPort = NO_REDIS_SERVER ? undefined : await freePort();
  if (redisPort) redis = await startRedis(redisPort);
  h = await startHarness(
    { ...(redisPort ? { REDIS_URL: `redis://127.0.0.1:${redisPort}` } : {}), SEARCH_EMBED_TIMEOUT_MS: '1500', SEARCH_RERANK_TIMEOUT_MS: '3000' },
    { embedUrl: embedProxy.url, rerankUrl: rerankProxy.url },
  );
  const t = await h.newTenant('faulty');
  api = client(h.url, t.key);
  await api.bulk([{ id: 'n-1', ...nurse(1) }, { id: 'n-2', ...nurse(2) }, { id: 'a-1', ...accountant(1) }]);
  await h.settle();
});

afterAll(async () => {
  await h?.close();
  await embedProxy?.close();
  await rerankProxy?.close();
  await embedApp.close();
  await rerankApp.close();
  redis?.kill('SIGKILL');
});

const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

describe('degradation', () => {
  it('baseline: all branches answer, the cache misses', async () => {
    const res = await api.search({ jobDescription: NURSE_JD, limit: 5 });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toEqual([]);
    expect(res.body.cache).toBe('miss');
  });

  it('hh-embed down → full-text + specialty results with embed_unavailable', async () => {
    embedProxy.mode = 'down';
    try {
      const res = await api.search({ jobDescription: `${NURSE_JD} (embed down)`, limit: 5 });
      expect(res.status).toBe(200);
      expect(res.body.degraded).toContain('embed_unavailable');
      expect(res.body.partial).toBe(true);
      expect(res.body.branches.vector.status).toBe('error');
      expect(res.body.branches.fts.status).toBe('ok');
      expect(res.body.branches.specialty.status).toBe('ok');
      expect(ids(res).slice(0, 2).sort()).toEqual(['n-1', 'n-2']);
    } finally {
      embedProxy.mode = 'up';
    }
  });

  it('hh-embed hanging → embed_timeout within the budget', async () => {
    embedProxy.mode = 'blackhole';
    try {
      const res = await api.search({ jobDescription: `${NURSE_JD} (embed slow)`, limit: 5 });
      expect(res.status).toBe(200);
      expect(res.body.degraded).toContain('embed_timeout');
      expect(res.body.results.length).toBeGreaterThan(0);
    } finally {
      embedProxy.mode = 'up';
    }
  });

  it('hh-rerank down → fused order with rerank_unavailable', async () => {
    rerankProxy.mode = 'down';
    try {
      const res = await api.search({ jobDescription: `${NURSE_JD} (rerank down)`, limit: 5 });
      expect(res.status).toBe(200);
      expect(res.body.degraded).toContain('rerank_unavailable');
      expect(res.body.branches.rerank.status).toBe('error');
      expect(res.body.results[0].rerankScore).toBeNull();
      expect(ids(res).slice(0, 2).sort()).toEqual(['n-1', 'n-2']);
    } finally {
      rerankProxy.mode = 'up';
    }
  });

  it.skipIf(NO_REDIS_SERVER)(unlessMissing('Redis stopped → searches succeed and report cache_bypass', NO_REDIS_SERVER), async () => {
    redis!.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    const res = await api.search({ jobDescription: `${NURSE_JD} (redis down)`, limit: 5 });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toContain('cache_bypass');
    expect(res.body.cache).toBe('bypass');
    expect(ids(res).slice(0, 2).sort()).toEqual(['n-1', 'n-2']);
    // Writes do not depend on the cache at all.
    expect((await api.put('n-4', nurse(4))).status).toBe(201);
  });
});
