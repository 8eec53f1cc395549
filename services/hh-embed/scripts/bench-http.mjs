#!/usr/bin/env node
/**
 * HTTP throughput of hh-embed with the built-in model: starts dist/server.js on an ephemeral port as a
 * child process, drives it with autocannon (closed loop) and reads the batch-size histogram afterwards.
 *
 *   pnpm --filter @hh/hh-embed build && node services/hh-embed/scripts/bench-http.mjs [--json out.json]
 *
 * Env: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 16). Profiles are synthetic ~300-word
 * texts (seeded), so the figure does not depend on the dev data being present.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

const vocab = ('senior backend engineer node.js postgresql typescript kubernetes aws microservices team lead experience years ' +
  'developed designed implemented scalable services api rest react desenvolvedor sênior experiência projetos sistemas dados ' +
  'registered nurse icu patient care clinical hospital accountant financial reporting ledger audit the and of to in for with').split(' ');
let seed = 42;
const rnd = () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296;
const profile = () => Array.from({ length: 300 }, () => vocab[Math.floor(rnd() * vocab.length)]).join(' ');

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function metrics(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const get = (name) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').filter((l) => l.startsWith(name + ' ')).join('\n'))?.[2] ?? 0);
  return { calls: get('hh_embed_batch_size_count'), items: get('hh_embed_batch_size_sum') };
}

const port = await freePort();
const child = spawn(process.execPath, [join(here, '../dist/server.js')], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`${base}/health/ready`)).ok) break;
  } catch {
    /* not listening yet */
  }
  await new Promise((r) => setTimeout(r, 100));
}

const scenarios = [
  { name: '1 profile per request', items: 1 },
  { name: '32 profiles per request', items: 32 },
  { name: '32 profiles per request, encoding_format=base64', items: 32, base64: true },
];
const results = [];
try {
  for (const sc of scenarios) {
    const bodies = Array.from({ length: 64 }, () => JSON.stringify({ input: Array.from({ length: sc.items }, profile), ...(sc.base64 ? { encoding_format: 'base64' } : {}) }));
    const before = await metrics(base);
    let k = 0;
    const r = await autocannon({
      url: `${base}/v1/embeddings`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[k++ % bodies.length] }) }],
    });
    const after = await metrics(base);
    const calls = after.calls - before.calls;
    results.push({
      scenario: sc.name,
      connections,
      seconds,
      requestsPerSecond: Math.round(r.requests.average),
      profilesPerSecond: Math.round(r.requests.average * sc.items),
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
      non2xx: r.non2xx,
      errors: r.errors,
      providerCalls: calls,
      avgBatchSize: calls ? Math.round(((after.items - before.items) / calls) * 10) / 10 : 0,
    });
  }
} finally {
  child.kill('SIGTERM');
}
const out = { model: 'hh-hash-768-v1', node: process.version, results };
console.log(JSON.stringify(out, null, 2));
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(out, null, 2) + '\n');
