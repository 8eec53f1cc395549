/**
 * pnpm --filter @hh/lexical bench:job-terms [--size 100000] [--queries 200] [--terms 24,16,12,8]
 *
 * What the number of terms a job description keeps (`maxTerms`, hh-search's LEXICAL_JOB_TERMS)
 * costs: single-thread top-100 latency for the demo pool's job descriptions at each setting, on one
 * index (built once, merged to one segment). Writes bench-results/job-terms-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { LexicalIndex } from '../index.js';
import { demoCorpus } from './corpus.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const size = Number(args.get('size') ?? 100_000);
const queries = Number(args.get('queries') ?? 200);
const settings = (args.get('terms') ?? '24,16,12,8').split(',').map(Number);
if (!(size > 0) || !(queries > 0) || settings.some((t) => !Number.isInteger(t) || t < 1)) {
  console.error('usage: bench:job-terms [--size N] [--queries N] [--terms 24,16,12,8]');
  process.exit(2);
}

const corpus = await demoCorpus(size, queries);
const idx = new LexicalIndex();
for (const d of corpus.docs) idx.upsert(d.id, d.doc);
idx.optimize();
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const rows = settings.map((maxTerms) => {
  const t: number[] = [];
  // One unmeasured pass warms the JIT and caches; the second is measured.
  for (let pass = 0; pass < 2; pass++) {
    for (const text of corpus.jobs) {
      const t0 = performance.now();
      idx.search({ text, mode: 'job', maxTerms }, { k: 100, explain: true });
      if (pass === 1) t.push(performance.now() - t0);
    }
  }
  t.sort((a, b) => a - b);
  const row = { maxTerms, p50: +pct(t, 0.5).toFixed(2), p95: +pct(t, 0.95).toFixed(2), p99: +pct(t, 0.99).toFixed(2) };
  console.log(`maxTerms ${maxTerms}: p50 ${row.p50} ms, p95 ${row.p95} ms, p99 ${row.p99} ms`);
  return row;
});
const dir = new URL('../../bench-results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const out = `${dir}job-terms-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify({ size, queries: corpus.jobs.length, k: 100, loadAvgAtStart: loadavg(), rows }, null, 2));
console.log(`wrote ${out}`);
