/**
 * pnpm --filter @hh/lexical bench [--sizes 100000,1000000] [--corpora demo,resumes]
 *   [--peers exhaustive,minisearch,postgres] [--queries 200] [--peer-queries 50] [--k 100]
 *   [--peer-max-size 100000] [--resume-max-size 100000]
 *
 * Per corpus and size: indexing rate (upserts with the tiered merges they trigger, until
 * searchable), bytes per document by structure, and single-thread latency (p50/p95/p99) of top-k
 * for job descriptions and typed queries, for the index and its peers in the same run. Writes
 * bench-results/bench-<timestamp>.json and bench-results/latest.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ExhaustiveScorer, LexicalIndex } from '../index.js';
import { demoCorpus, resumeCorpus, type Corpus } from './corpus.js';
import { miniSearchPeer, postgresPeer, type Peer } from './peers.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const list = (k: string, d: string) => (args.get(k) ?? d).split(',').filter(Boolean);
const num = (k: string, d: number) => Number(args.get(k) ?? d);

const sizes = list('sizes', '100000').map(Number);
const corpora = list('corpora', 'demo,resumes');
const peers = new Set(list('peers', 'exhaustive,minisearch,postgres'));
const Q = num('queries', 200);
const PQ = num('peer-queries', 50);
const K = num('k', 100);
const peerMax = num('peer-max-size', 100_000);
const resumeMax = num('resume-max-size', 100_000);
// ../shared next to the checkout (or next to its parent, for a git worktree under a subfolder).
const resumePath =
  args.get('resume-csv') ??
  ['../../../../../shared/', '../../../../../../shared/'].map((p) => new URL(`${p}data/corpus/livecareer-resumes/livecareer_resumes.csv`, import.meta.url).pathname).find((p) => existsSync(p)) ??
  'livecareer_resumes.csv (not found: pass --resume-csv)';
const dbUrl = process.env.LEXICAL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

function pct(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function time(queries: string[], run: (q: string) => unknown): Promise<{ ms: ReturnType<typeof pct>; results: unknown[] }> {
  for (const q of queries.slice(0, Math.min(10, queries.length))) await run(q); // warm-up (JIT, caches)
  const ms: number[] = [];
  const results: unknown[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = await run(q);
    ms.push(performance.now() - t0);
    results.push(r);
  }
  return { ms: pct(ms), results };
}

async function benchOne(corpus: Corpus) {
  const N = corpus.docs.length;
  log(`${corpus.name} ${N}: indexing`);
  const idx = new LexicalIndex({ backgroundMerges: false });
  const seal = idx.options.sealDocs;
  const t0 = performance.now();
  corpus.docs.forEach(({ id, doc }, i) => {
    idx.upsert(id, doc);
    // What background merges do after each seal, run inline so the rate includes them.
    if ((i + 1) % seal === 0) idx.merge();
  });
  const indexMs = performance.now() - t0;
  const bytes = idx.bytes();
  const perDoc = Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round((v / N) * 10) / 10]));
  const out: Record<string, unknown> = {
    corpus: corpus.name,
    docs: N,
    indexing: { ms: Math.round(indexMs), docsPerSecond: Math.round(N / (indexMs / 1000)), segments: idx.segmentCount() },
    bytesPerDoc: { ...perDoc, postingsAndBlocks: Math.round(((bytes.postings! + bytes.blocks!) / N) * 10) / 10, total: Math.round((Object.values(bytes).reduce((a, b) => a + b, 0) / N) * 10) / 10 },
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  log(`  ${JSON.stringify(out.indexing)} bytes/doc ${JSON.stringify(out.bytesPerDoc)}`);
  const lat: Record<string, Record<string, unknown>> = {};
  const modes = [
    ['job', corpus.jobs],
    ['query', corpus.typed],
  ] as const;
  for (const [mode, qs] of modes) {
    const lex = await time(qs, (text) => idx.search({ text, mode }, { k: K }));
    const stats = (lex.results as { stats: { terms: number; scored: number; skippedBlocks?: number } }[]).map((r) => r.stats);
    lat[mode] = {
      lexical: { ...lex.ms, meanScored: Math.round(stats.reduce((a, s) => a + s.scored, 0) / stats.length), meanTerms: Math.round((stats.reduce((a, s) => a + s.terms, 0) / stats.length) * 10) / 10 },
    };
    // A filter inside the loop: half of the ids accepted.
    const filt = await time(qs, (text) => idx.search({ text, mode }, { k: K, accept: (id) => id % 2 === 0 }));
    lat[mode]!.lexicalAcceptHalf = filt.ms;
    log(`  ${mode}: lexical ${JSON.stringify(lex.ms)}`);
    if (peers.has('exhaustive')) {
      const ex = new ExhaustiveScorer(idx);
      const sub = qs.slice(0, PQ);
      const r = await time(sub, (text) => ex.search({ text, mode }, { k: K }));
      // Sanity: the pruned search returns exactly the exhaustive top-k.
      const same = sub.every((text, i) => JSON.stringify(idx.search({ text, mode }, { k: K }).hits) === JSON.stringify((r.results[i] as { hits: unknown }).hits));
      lat[mode]!.exhaustive = { ...r.ms, identicalTopK: same };
      log(`  ${mode}: exhaustive ${JSON.stringify(r.ms)} identical=${same}`);
    }
  }
  if (peers.has('minisearch') && N <= peerMax) {
    log('  minisearch: indexing');
    const { peer, buildMs } = miniSearchPeer(corpus.docs);
    out.minisearchIndexing = { ms: Math.round(buildMs), docsPerSecond: Math.round(N / (buildMs / 1000)) };
    for (const [mode, qs] of modes) {
      const r = await time(qs.slice(0, PQ), (text) => peer.search(text, mode, K));
      lat[mode]!.minisearch = r.ms;
      log(`  ${mode}: minisearch ${JSON.stringify(r.ms)}`);
    }
  }
  if (peers.has('postgres')) {
    log('  postgres: loading');
    let pgPeer: Peer | undefined;
    try {
      const { peer, loadMs } = await postgresPeer(corpus.docs, dbUrl, log);
      pgPeer = peer;
      out.postgresLoad = { ms: Math.round(loadMs), docsPerSecond: Math.round(N / (loadMs / 1000)), note: 'batched INSERT … SELECT to_tsvector, then GIN index and ANALYZE' };
      for (const [mode, qs] of modes) {
        const r = await time(qs.slice(0, PQ), (text) => peer.search(text, mode, K));
        lat[mode]!.postgresFts = r.ms;
        log(`  ${mode}: postgres ${JSON.stringify(r.ms)}`);
      }
    } finally {
      await pgPeer?.close?.();
    }
  }
  out.latencyMs = lat;
  return out;
}

async function main() {
  const runs: unknown[] = [];
  const started = new Date().toISOString();
  for (const name of corpora) {
    for (const size of sizes) {
      if (name === 'resumes' && size > resumeMax) {
        log(`resumes ${size}: skipped (--resume-max-size ${resumeMax}; replicated resumes are ~5 KB of text each)`);
        continue;
      }
      const corpus = name === 'demo' ? await demoCorpus(size, Q) : await resumeCorpus(resumePath, size, Q);
      runs.push(await benchOne(corpus));
      if (global.gc) global.gc();
    }
  }
  const result = {
    started,
    finished: new Date().toISOString(),
    k: K,
    queries: { lexical: Q, peers: PQ },
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), loadavgAtEnd: loadavg(), node: process.version, note: 'shared 2-core machine, other jobs running: absolute times are noisy, compare peers within a run' },
    command: `pnpm --filter @hh/lexical bench ${process.argv.slice(2).join(' ')}`.trim(),
    runs,
  };
  const dir = new URL('../../bench-results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(`${dir}bench-${started.replace(/[:.]/g, '-')}.json`, json);
  writeFileSync(`${dir}latest.json`, json);
  process.stdout.write(json + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
