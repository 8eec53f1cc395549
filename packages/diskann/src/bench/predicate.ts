// Predicate search vs exact scan of the matching set: `pnpm --filter @hh/diskann bench:predicate --
// [--n 100000] [--dims 768] [--nq 200] [--selectivities 0.5,0.1,...] [--ks 10:50,100:128]
// [--index-cache] [--tag name]`, or `--data sigmod [--dir …]` for the SIGMOD'24 sample's timestamp
// and category + timestamp queries (shipped ground truth).
//
// Synthetic: every point gets one uniform attribute a ∈ [0, 1); query q with selectivity s accepts
// the points with (a − o_q) mod 1 < s for its own random offset o_q, so each query has a different
// matching set of ≈ s·n points, unrelated to the vectors (the case a predicate walk finds hardest
// short of anti-correlation). For each k (with its list size) and selectivity it times, single
// threaded on the same queries: the predicate walk (`search` with `accept`) and the exact scan of
// the matching ids (`searchAmong`; the ids are collected before the clock starts, and collecting
// them from the attribute column is timed separately), with recall@k against the exact answer. The
// matching-set size where the two p50 curves cross is the exact-scan threshold.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { recallAtK } from '../dataset.js';
import { DiskAnnIndex, mulberry32, PREDICATE_EXACT_SCAN_MAX } from '../engine.js';
import { cacheDir, fingerprint, readSigmod, synthetic, type BenchData } from './data.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (!a.startsWith('--')) continue;
  const next = process.argv[i + 1];
  if (next === undefined || next.startsWith('--')) args.set(a.slice(2), 'true');
  else {
    args.set(a.slice(2), next);
    i++;
  }
}
const arg = (k: string, d: string): string => args.get(k) ?? d;
const num = (k: string, d: number): number => Number(arg(k, String(d)));
const log = (m: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const pct = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

const kind = arg('data', 'synthetic');
const data: BenchData = kind === 'sigmod'
  ? readSigmod(arg('dir', '/work/shared/data/dev/sigmod24-hybrid-dummy'), { rangeQueries: true })
  : synthetic(num('n', 100_000), num('nq', 200), num('dims', 768), num('clusters', 100), num('seed', 42));
const tag = arg('tag', kind === 'sigmod' ? 'predicate-sigmod24-dummy' : `predicate-${data.n}`);
const q = (i: number): Float32Array => data.queries.subarray(i * data.dims, (i + 1) * data.dims);

/** Builds the index, or with --index-cache reuses an identical earlier build from .cache/. */
async function buildOrLoad(): Promise<{ idx: DiskAnnIndex; buildSeconds: number | null; cached: boolean }> {
  const key = fingerprint([data.name, data.metric, data.n, data.dims, 'predicate', JSON.stringify(data.labels?.slice(0, 50) ?? null)], [data.base]);
  const snap = join(cacheDir(), `predicate-${key}.snap`);
  const options = { dims: data.dims, metric: data.metric, capacity: data.n, queryWorkers: 1 };
  if (args.has('index-cache') && existsSync(snap)) {
    const idx = await DiskAnnIndex.load(snap, { dims: data.dims, metric: data.metric, modelId: 'bench-predicate' }, options);
    const meta = JSON.parse(readFileSync(`${snap}.json`, 'utf8')) as { buildSeconds: number };
    log(`index loaded from ${snap}`);
    return { idx, buildSeconds: meta.buildSeconds, cached: true };
  }
  const idx = new DiskAnnIndex(options);
  const t = performance.now();
  await idx.build({ ids: Array.from({ length: data.n }, (_, i) => i), vectors: data.base, labels: data.labels }, { threads: num('threads', 2) });
  const buildSeconds = (performance.now() - t) / 1000;
  log(`built ${data.n} × ${data.dims} in ${buildSeconds.toFixed(1)} s (kernel ${idx.kernelName})`);
  if (args.has('index-cache')) {
    await idx.save(snap, { modelId: 'bench-predicate', lastSeq: 0 });
    writeFileSync(`${snap}.json`, JSON.stringify({ buildSeconds }));
  }
  return { idx, buildSeconds, cached: false };
}

interface Case {
  /** Per query: the predicate, its matching ids (ascending) and the labels it requires. */
  accept: (id: number) => boolean;
  matching: Uint32Array;
  labels?: number[];
  truth?: ArrayLike<number>;
}

interface Measured {
  recall: number;
  p50: number;
  p95: number;
  mean: number;
  visited?: number;
  short?: number;
  truncated?: number;
}

/** Times the walk and the scan over the same cases; the exact answer is the scan's unless shipped. */
function measure(idx: DiskAnnIndex, cases: Case[], qi: number[], k: number, listSize: number): { walk: Measured; scan: Measured } {
  const truth = cases.map((c, i) => c.truth ?? idx.searchAmong(q(qi[i]!), k, c.matching, { labels: c.labels }).ids);
  for (let i = 0; i < Math.min(20, cases.length); i++) {
    idx.search(q(qi[i]!), k, { listSize, labels: cases[i]!.labels, accept: cases[i]!.accept });
    idx.searchAmong(q(qi[i]!), k, cases[i]!.matching, { labels: cases[i]!.labels });
  }
  const wt: number[] = [];
  const st: number[] = [];
  const wf: number[][] = [];
  const sf: number[][] = [];
  let visited = 0;
  let short = 0;
  let truncated = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    let t = performance.now();
    const r = idx.search(q(qi[i]!), k, { listSize, labels: c.labels, accept: c.accept });
    wt.push(performance.now() - t);
    t = performance.now();
    const s = idx.searchAmong(q(qi[i]!), k, c.matching, { labels: c.labels });
    st.push(performance.now() - t);
    wf.push(r.ids);
    sf.push(s.ids);
    visited += r.visited ?? 0;
    if (r.ids.length < Math.min(k, s.ids.length)) short++;
    if (r.truncated) truncated++;
    for (const id of r.ids) if (!c.accept(id)) throw new Error(`predicate walk returned failing id ${id}`);
  }
  return {
    walk: { recall: recallAtK(wf, truth, k), p50: pct(wt, 0.5), p95: pct(wt, 0.95), mean: mean(wt), visited: visited / cases.length, short, truncated },
    scan: { recall: recallAtK(sf, truth, k), p50: pct(st, 0.5), p95: pct(st, 0.95), mean: mean(st) },
  };
}

const { idx, buildSeconds, cached } = await buildOrLoad();
const ks = arg('ks', '10:50,100:128').split(',').map((x) => x.split(':').map(Number) as [number, number]);
const rows: Record<string, unknown>[] = [];
const thresholds: Record<string, number | null> = {};
const fmt = (x: number): string => x.toFixed(3);

if (kind === 'sigmod') {
  // Queries of type 2 (timestamp range) and 3 (category + timestamp range), bucketed by the share
  // of points that match; ground truth is the shipped filtered top-100.
  const ts = data.attributes!;
  const byBucket = new Map<string, { cases: Case[]; qi: number[] }>();
  const buckets: [string, number][] = [['≥ 50 %', 0.5], ['10–50 %', 0.1], ['1–10 %', 0.01], ['0.1–1 %', 0.001], ['< 0.1 %', 0]];
  for (let i = 0; i < data.nq; i++) {
    const r = data.ranges![i];
    if (!r) continue;
    const labels = data.queryLabels![i]!;
    const accept = (id: number): boolean => ts[id]! >= r[0] && ts[id]! <= r[1];
    const m: number[] = [];
    for (let p = 0; p < data.n; p++) if (accept(p) && (labels.length === 0 || data.labels![p]![0] === labels[0])) m.push(p);
    const share = m.length / data.n;
    const name = `${labels.length ? 'category + time' : 'time'} ${buckets.find(([, lo]) => share >= lo)![0]}`;
    let b = byBucket.get(name);
    if (!b) byBucket.set(name, (b = { cases: [], qi: [] }));
    b.cases.push({ accept, matching: Uint32Array.from(m), labels: labels.length ? labels : undefined, truth: Array.from(data.truth![i]!).filter((x) => x >= 0) });
    b.qi.push(i);
  }
  for (const [k, listSize] of ks) {
    for (const [name, b] of [...byBucket].sort()) {
      if (b.cases.length < 5) continue;
      const cases = b.cases.map((c) => ({ ...c, truth: Array.from(c.truth!).slice(0, k) }));
      const { walk, scan } = measure(idx, cases, b.qi, k, listSize);
      const matching = mean(b.cases.map((c) => c.matching.length));
      rows.push({ k, listSize, filter: name, queries: b.cases.length, matching, walk, scan });
      log(`k ${k} L ${listSize} ${name.padEnd(26)} q ${String(b.cases.length).padStart(4)} matching ≈ ${matching.toFixed(0).padStart(5)}  walk recall ${fmt(walk.recall)} p50 ${fmt(walk.p50)} p95 ${fmt(walk.p95)} visited ${walk.visited!.toFixed(0)}  scan recall ${fmt(scan.recall)} p50 ${fmt(scan.p50)} p95 ${fmt(scan.p95)}`);
    }
  }
} else {
  const sels = arg('selectivities', '0.5,0.2,0.1,0.05,0.02,0.01,0.005,0.001,0.0001').split(',').map(Number);
  const rnd = mulberry32(num('seed', 42) + 1);
  const attr = Float64Array.from({ length: data.n }, () => rnd());
  const offsets = Float64Array.from({ length: data.nq }, () => rnd());
  const qi = Array.from({ length: data.nq }, (_, i) => i);
  for (const [k, listSize] of ks) {
    const perSel: { matching: number; walk: Measured; scan: Measured }[] = [];
    for (const s of sels) {
      const collect: number[] = [];
      const cases: Case[] = qi.map((i) => {
        const o = offsets[i]!;
        const pass = (a: number): boolean => (a - o + 1) % 1 < s;
        // What the caller pays to materialise the matching ids from an attribute column.
        const t = performance.now();
        const m: number[] = [];
        for (let p = 0; p < data.n; p++) if (pass(attr[p]!)) m.push(p);
        const matching = Uint32Array.from(m);
        collect.push(performance.now() - t);
        return { accept: (id: number) => pass(attr[id]!), matching };
      });
      const { walk, scan } = measure(idx, cases, qi, k, listSize);
      const matching = mean(cases.map((c) => c.matching.length));
      perSel.push({ matching, walk, scan });
      rows.push({ k, listSize, selectivity: s, matching, walk, scan, collectP50: pct(collect, 0.5) });
      log(`k ${String(k).padStart(3)} L ${listSize} sel ${String(s * 100).padStart(6)} % matching ≈ ${matching.toFixed(0).padStart(6)}  walk recall ${fmt(walk.recall)} p50 ${fmt(walk.p50)} p95 ${fmt(walk.p95)} visited ${walk.visited!.toFixed(0).padStart(6)} short ${walk.short}  scan p50 ${fmt(scan.p50)} p95 ${fmt(scan.p95)}  collect p50 ${fmt(pct(collect, 0.5))}`);
    }
    // Crossover: walking larger sets is faster, scanning smaller ones; interpolate log(p50 ratio)
    // over log(matching) between the two selectivities where the winner changes.
    const sorted = [...perSel].sort((a, b) => b.matching - a.matching);
    let cross: number | null = null;
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i]!;
      const b = sorted[i + 1]!;
      const ra = Math.log(a.scan.p50 / a.walk.p50);
      const rb = Math.log(b.scan.p50 / b.walk.p50);
      if (ra > 0 && rb <= 0) {
        const f = ra / (ra - rb);
        cross = Math.round(Math.exp(Math.log(a.matching) + f * (Math.log(b.matching) - Math.log(a.matching))));
        break;
      }
    }
    if (cross === null && sorted.every((x) => x.scan.p50 <= x.walk.p50)) cross = Math.round(sorted[0]!.matching);
    thresholds[`k${k}_L${listSize}`] = cross;
    log(`k ${k} L ${listSize}: exact scan is faster below ≈ ${cross ?? 'n/a'} matching points (engine default PREDICATE_EXACT_SCAN_MAX ${PREDICATE_EXACT_SCAN_MAX})`);
  }
}

await idx.close();
const dir = new URL('../../bench-results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${tag}.json`, JSON.stringify({
  tag, when: new Date().toISOString(), node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model,
  command: `pnpm --filter @hh/diskann bench:predicate -- ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`.trim(),
  data: data.name, n: data.n, dims: data.dims, nq: data.nq, kernel: idx.kernelName, buildSeconds, cachedIndex: cached,
  engineDefault: PREDICATE_EXACT_SCAN_MAX, thresholds, rows,
}, null, 2));
log(`wrote ${dir}${tag}.json`);
