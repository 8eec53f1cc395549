/**
 * Prints what the cache costs per call in each state: memory hit, Redis hit, Redis bypass while
 * refused / black-holed / breaker-open, reconnect time after a restart, and single-flight fan-in.
 *
 *   npx tsx packages/cache/scripts/bench.ts            (from /work/main; needs redis-server on PATH)
 *   REDIS_URL=redis://host:6379 npx tsx packages/cache/scripts/bench.ts --json out.json
 *
 * Faults are injected on a throwaway redis-server on an ephemeral port, never on REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { cacheKey, createMemoryCache, createRedisCache } from '../src/index.js';
import { freePort, startRedisServer } from '@hh/testkit';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `hhbench:cache:${process.pid}:${randomUUID().slice(0, 8)}:`;
const results: Record<string, unknown> = {};

function summarize(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return { n: s.length, p50Ms: r(q(0.5)), p99Ms: r(q(0.99)), maxMs: r(s[s.length - 1] ?? NaN) };
}

async function timeCalls(n: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

function report(name: string, value: unknown) {
  results[name] = value;
  console.log(`${name.padEnd(44)} ${JSON.stringify(value)}`);
}

const value = { ids: Array.from({ length: 100 }, (_, i) => `cand-${i}`), scores: Array.from({ length: 100 }, (_, i) => 1 / (i + 1)) };
const load = async () => value;

async function main() {
  // 1. In-process LRU hit.
  const mem = createMemoryCache({ maxEntries: 10_000 });
  const mk = cacheKey('bench', 1, 'q');
  await mem.getOrLoad(mk, load, { ttlSeconds: 600 });
  await timeCalls(2_000, () => mem.getOrLoad(mk, load, { ttlSeconds: 600 })); // warm-up
  report('memory getOrLoad hit (100-id page, JSON)', await timeCalls(20_000, () => mem.getOrLoad(mk, load, { ttlSeconds: 600 })));
  await mem.close();

  // 2. Redis hit on the real server.
  const redis = createRedisCache({ url: REDIS_URL, keyPrefix: PREFIX });
  if (!(await redis.ready(5_000))) throw new Error(`Redis at ${REDIS_URL} is not reachable`);
  const rk = cacheKey('bench', 1, 'q');
  await redis.getOrLoad(rk, load, { ttlSeconds: 600 });
  await timeCalls(500, () => redis.getOrLoad(rk, load, { ttlSeconds: 600 }));
  report('redis getOrLoad hit (loopback)', await timeCalls(5_000, () => redis.getOrLoad(rk, load, { ttlSeconds: 600 })));
  report('redis getOrLoad miss+set (loopback)', await timeCalls(2_000, (i) => redis.getOrLoad(cacheKey('bench', 1, 'miss', i), load, { ttlSeconds: 60 })));

  // 3. Single-flight fan-in: 1 000 concurrent callers of one cold key.
  let loads = 0;
  const slow = async () => {
    loads++;
    await new Promise((r) => setTimeout(r, 20));
    return value;
  };
  await Promise.all(Array.from({ length: 1_000 }, () => redis.getOrLoad(cacheKey('bench', 1, 'sf'), slow, { ttlSeconds: 60 })));
  report('single-flight: loader calls for 1000 callers', loads);
  await redis.close();

  // 4. Refused port: bypass cost.
  const refused = createRedisCache({ url: `redis://127.0.0.1:${await freePort()}` });
  report('bypass, connection refused (per call)', await timeCalls(2_000, () => refused.getOrLoad(rk, load, { ttlSeconds: 60 })));
  await refused.close();

  // 5. Black hole (SIGSTOP) on a throwaway server: without and with the breaker.
  const server = await startRedisServer();
  try {
    const noBreaker = createRedisCache({ url: server.url, commandTimeoutMs: 100, breaker: false });
    const withBreaker = createRedisCache({ url: server.url, commandTimeoutMs: 100 });
    await Promise.all([noBreaker.ready(5_000), withBreaker.ready(5_000)]);
    server.pause();
    report('bypass, black-holed, no breaker (per call)', await timeCalls(20, () => noBreaker.getOrLoad(rk, load, { ttlSeconds: 60 })));
    report('bypass, black-holed, first 3 calls (breaker)', await timeCalls(3, () => withBreaker.getOrLoad(rk, load, { ttlSeconds: 60 })));
    report('bypass, black-holed, breaker open (per call)', await timeCalls(2_000, () => withBreaker.getOrLoad(rk, load, { ttlSeconds: 60 })));

    // 6. Crash then restart: how long until the cache is used again (reconnect backoff ≤ 2 s + jitter).
    await server.kill();
    const restarted = await startRedisServer(server.port);
    try {
      const t = performance.now();
      let attempts = 0;
      for (;;) {
        attempts++;
        if ((await withBreaker.getOrLoad(rk, load, { ttlSeconds: 60 })).status !== 'bypass') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      report('restart → first non-bypass call', { ms: Math.round(performance.now() - t), attempts });
    } finally {
      await Promise.allSettled([noBreaker.close(), withBreaker.close()]);
      await restarted.kill();
    }
  } finally {
    await server.kill();
  }

  const admin = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();

  const jsonAt = process.argv.indexOf('--json');
  const out = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  if (out) writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
}

await main();
