// Labels vs predicates for recruiter filters: `pnpm --filter @hh/diskann bench:labels -- [--n 100000]
// [--dims 768] [--nq 200] [--tenants 1] [--countries 20] [--occupations 300] [--zipf 1]
// [--inserts 2000] [--ks 10:128,100:128] [--targets 0.005,0.01,0.02,0.05,0.1,0.3] [--index-cache] [--tag name]`.
//
// Two indexes over the same synthetic clustered vectors (n − inserts built in bulk on 2 threads, the
// last `inserts` points then upserted one by one on this thread, which is how hh-search's change-log
// consumer adds candidates):
//   * "tenant"  — every point carries [tenant] (what hh-search does today);
//   * "full"    — every point carries [tenant, country, ...occupations] (Filtered-DiskANN labels).
// Label distributions: tenants uniform; `countries` Zipf(s = zipf); 1–3 distinct occupations per point
// out of `occupations`, Zipf(s = zipf). Labels are independent of the vectors (a filter unrelated to
// the query, the hard case for a predicate walk). For single-country and single-occupation filters
// picked near each target selectivity, each query is answered, single-threaded on the same queries:
//   * label     — "full" index, labels [tenant, X] (the engine's planner: exact scan of X when it has
//                 ≤ exactScanThreshold members, else a traversal of X's subgraph);
//   * predicate — "tenant" index, labels [tenant] + accept (the predicate walk);
//   * scan      — "tenant" index, searchAmong over the matching ids (collected before the clock starts);
// recall@k against brute-force ground truth (exactKnn over the matching points, independent of the
// engine). Also: unfiltered [tenant] search on both indexes (does labelling hurt it?), build seconds
// and distance computations per point, and per-point upsert latency for both label schemes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { clusteredDataset, exactKnn, recallAtK } from '../dataset.js';
import { DiskAnnIndex, mulberry32, PREDICATE_EXACT_SCAN_MAX } from '../engine.js';
import { cacheDir, fingerprint } from './data.js';

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
const fmt = (x: number): string => x.toFixed(3);

const n = num('n', 100_000);
const dims = num('dims', 768);
const nq = num('nq', 200);
const tenants = num('tenants', 1);
const nCountries = num('countries', 20);
const nOccupations = num('occupations', 300);
const zipf = num('zipf', 1);
const inserts = Math.min(num('inserts', 2000), Math.floor(n / 2));
const seed = num('seed', 42);
const ks = arg('ks', '10:128,100:128').split(',').map((x) => x.split(':').map(Number) as [number, number]);
const targets = arg('targets', '0.005,0.01,0.02,0.05,0.1,0.3').split(',').map(Number);
const tag = arg('tag', `labels-${n}`);

// Label namespaces inside the bench (hh-search documents its own): tenants 1.., countries 1e6 + c,
// occupations 2e6 + o.
const COUNTRY = 1_000_000;
const OCCUPATION = 2_000_000;

/** Zipf(s) sampler over 0..m-1 (rank 0 the most frequent). */
function zipfSampler(m: number, s: number, rnd: () => number): () => number {
  const cdf = new Float64Array(m);
  let acc = 0;
  for (let r = 0; r < m; r++) cdf[r] = acc += 1 / (r + 1) ** s;
  return () => {
    const u = rnd() * acc;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

log(`data: ${n} × ${dims}, ${nq} queries, ${tenants} tenant(s), ${nCountries} countries, ${nOccupations} occupations, Zipf s=${zipf}`);
const ds = clusteredDataset({ n, nq, dims, seed });
const rnd = mulberry32(seed + 7);
const country = zipfSampler(nCountries, zipf, rnd);
const occupation = zipfSampler(nOccupations, zipf, rnd);
const tenantOf = new Int32Array(n);
const countryOf = new Int32Array(n);
const occupationsOf: number[][] = [];
for (let i = 0; i < n; i++) {
  tenantOf[i] = 1 + Math.floor(rnd() * tenants);
  countryOf[i] = country();
  const want = 1 + Math.floor(rnd() * 3);
  const occ = new Set<number>();
  for (let tries = 0; occ.size < want && tries < 20; tries++) occ.add(occupation());
  occupationsOf.push([...occ]);
}
const tenantLabels = (i: number): number[] => [tenantOf[i]!];
const fullLabels = (i: number): number[] => [tenantOf[i]!, COUNTRY + countryOf[i]!, ...occupationsOf[i]!.map((o) => OCCUPATION + o)];
const meanLabels = mean(Array.from({ length: n }, (_, i) => fullLabels(i).length));

interface Built {
  idx: DiskAnnIndex;
  buildSeconds: number;
  buildDistancesPerPoint: number;
  insertMsPerPoint: number;
  insertDistancesPerPoint: number;
  cached: boolean;
}

/** Bulk build of the first n − inserts points, then timed upserts of the rest (or a cached copy of both). */
async function buildOrLoad(scheme: 'tenant' | 'full'): Promise<Built> {
  const labelsOf = scheme === 'tenant' ? tenantLabels : fullLabels;
  const key = fingerprint([n, dims, seed, tenants, nCountries, nOccupations, zipf, inserts, scheme], [ds.base]);
  const snap = join(cacheDir(), `labels-${key}.snap`);
  const options = { dims, metric: 'cosine' as const, capacity: n, queryWorkers: 1 };
  if (args.has('index-cache') && existsSync(snap)) {
    const idx = await DiskAnnIndex.load(snap, { dims, metric: 'cosine', modelId: 'bench-labels' }, options);
    const meta = JSON.parse(readFileSync(`${snap}.json`, 'utf8')) as Omit<Built, 'idx' | 'cached'>;
    log(`${scheme}: index loaded from ${snap} (figures from the build that wrote it)`);
    return { idx, ...meta, cached: true };
  }
  const idx = new DiskAnnIndex(options);
  const bulk = n - inserts;
  const rep = await idx.build(
    { ids: Array.from({ length: bulk }, (_, i) => i), vectors: ds.base.subarray(0, bulk * dims), labels: Array.from({ length: bulk }, (_, i) => labelsOf(i)) },
    { threads: num('threads', 2) },
  );
  log(`${scheme}: built ${bulk} in ${rep.seconds.toFixed(1)} s on ${rep.threads} threads, ${(rep.distanceComputations / bulk).toFixed(0)} distances/point (kernel ${idx.kernelName})`);
  const d0 = idx.stats().distanceComputations;
  const t = performance.now();
  for (let i = bulk; i < n; i++) idx.upsert(i, ds.base.subarray(i * dims, (i + 1) * dims), labelsOf(i));
  const insertMsPerPoint = (performance.now() - t) / Math.max(1, inserts);
  const insertDistancesPerPoint = (idx.stats().distanceComputations - d0) / Math.max(1, inserts);
  log(`${scheme}: upserted ${inserts} one by one: ${insertMsPerPoint.toFixed(3)} ms/point (${(1000 / insertMsPerPoint).toFixed(0)}/s), ${insertDistancesPerPoint.toFixed(0)} distances/point`);
  const meta = { buildSeconds: rep.seconds, buildDistancesPerPoint: rep.distanceComputations / bulk, insertMsPerPoint, insertDistancesPerPoint };
  if (args.has('index-cache')) {
    await idx.save(snap, { modelId: 'bench-labels', lastSeq: 0 });
    writeFileSync(`${snap}.json`, JSON.stringify(meta));
  }
  return { idx, ...meta, cached: false };
}

const tenantIdx = await buildOrLoad('tenant');
const fullIdx = await buildOrLoad('full');
const q = (i: number): Float32Array => ds.queries.subarray(i * dims, (i + 1) * dims);
// Every query runs as tenant 1 (with several tenants, the filter is AND-ed with it, as in hh-search).
const TENANT = 1;

/** Brute-force top-kMax over the points passing `allow` (the tenant and the filter). */
function truthFor(allow: (i: number) => boolean, kMax: number): Int32Array[] {
  return exactKnn(ds.base, n, ds.queries, nq, dims, kMax, 'cosine', (_q, i) => allow(i));
}

interface Timed {
  recall: number;
  p50: number;
  p95: number;
  mean: number;
  visited?: number;
  /** Exact distance computations per query (load-independent cost). */
  distances: number;
}

function time(idx: DiskAnnIndex, run: (qi: number) => { ids: number[]; visited?: number }, truth: Int32Array[], k: number, check?: (id: number) => boolean): Timed {
  for (let i = 0; i < Math.min(20, nq); i++) run(i); // warm-up
  const d0 = idx.stats().distanceComputations;
  const times: number[] = [];
  const found: number[][] = [];
  let visited = 0;
  for (let i = 0; i < nq; i++) {
    const t = performance.now();
    const r = run(i);
    times.push(performance.now() - t);
    found.push(r.ids);
    visited += r.visited ?? 0;
    if (check) for (const id of r.ids) if (!check(id)) throw new Error(`result ${id} fails the filter`);
  }
  const distances = (idx.stats().distanceComputations - d0) / nq;
  return { recall: recallAtK(found, truth, k), p50: pct(times, 0.5), p95: pct(times, 0.95), mean: mean(times), distances, ...(visited ? { visited: visited / nq } : {}) };
}

const kMax = Math.max(...ks.map(([k]) => k));
const rows: Record<string, unknown>[] = [];

// Unfiltered (tenant only) on both indexes: what the extra labels cost an ordinary search.
{
  const allow = (i: number): boolean => tenantOf[i] === TENANT;
  const truth = truthFor(allow, kMax);
  for (const [k, listSize] of ks) {
    const tk = truth.map((t) => t.slice(0, k));
    for (const [scheme, b] of [['tenant', tenantIdx], ['full', fullIdx]] as const) {
      const r = time(b.idx, (i) => b.idx.search(q(i), k, { labels: [TENANT], listSize }), tk, k);
      rows.push({ filter: 'tenant only', kind: 'none', members: tenantIdx.idx.labelSize(TENANT), k, listSize, method: `unfiltered on ${scheme}-labelled index`, ...r });
      log(`k ${String(k).padStart(3)} tenant only  ${scheme.padEnd(6)} index  recall ${fmt(r.recall)} p50 ${fmt(r.p50)} p95 ${fmt(r.p95)} distances/q ${r.distances.toFixed(0)}`);
    }
  }
}

/** The label of `kind` whose share is nearest (in log) to `target`, if within a factor 1.6. */
function pick(kind: 'country' | 'occupation', target: number, used: Set<number>): { label: number; members: number } | undefined {
  const m = kind === 'country' ? nCountries : nOccupations;
  let best: { label: number; members: number; err: number } | undefined;
  for (let c = 0; c < m; c++) {
    const label = (kind === 'country' ? COUNTRY : OCCUPATION) + c;
    if (used.has(label)) continue;
    const members = fullIdx.idx.labelSize(label);
    if (members === 0) continue;
    const err = Math.abs(Math.log(members / n / target));
    if (!best || err < best.err) best = { label, members, err };
  }
  if (!best || best.err > Math.log(1.6)) return undefined;
  used.add(best.label);
  return { label: best.label, members: best.members };
}

for (const kind of ['country', 'occupation'] as const) {
  const used = new Set<number>();
  for (const target of targets) {
    const p = pick(kind, target, used);
    if (!p) {
      log(`${kind}: no label near ${target * 100} % (skipped)`);
      continue;
    }
    const has = kind === 'country'
      ? (i: number): boolean => COUNTRY + countryOf[i]! === p.label
      : (i: number): boolean => occupationsOf[i]!.includes(p.label - OCCUPATION);
    const allow = (i: number): boolean => tenantOf[i] === TENANT && has(i);
    const matching: number[] = [];
    for (let i = 0; i < n; i++) if (allow(i)) matching.push(i);
    const among = Uint32Array.from(matching);
    const truth = truthFor(allow, kMax);
    const filter = `${kind} ${((p.members / n) * 100).toFixed(1)} %`;
    for (const [k, listSize] of ks) {
      const tk = truth.map((t) => t.slice(0, k));
      const methods: [string, DiskAnnIndex, (qi: number) => { ids: number[]; visited?: number }][] = [
        ['label', fullIdx.idx, (i) => fullIdx.idx.search(q(i), k, { labels: [TENANT, p.label], listSize })],
        ['predicate', tenantIdx.idx, (i) => tenantIdx.idx.search(q(i), k, { labels: [TENANT], listSize, accept: has })],
        ['scan', tenantIdx.idx, (i) => tenantIdx.idx.searchAmong(q(i), k, among, { labels: [TENANT] })],
      ];
      const line: string[] = [];
      for (const [method, idx, run] of methods) {
        const r = time(idx, run, tk, k, allow);
        rows.push({ filter, kind, label: p.label, members: p.members, matching: matching.length, k, listSize, method, ...r });
        line.push(`${method} ${fmt(r.recall)} ${fmt(r.p50)}/${fmt(r.p95)} d ${r.distances.toFixed(0)}`);
      }
      log(`k ${String(k).padStart(3)} ${filter.padEnd(18)} matching ${String(matching.length).padStart(6)}  ${line.join('  ')}  (recall p50/p95 ms, distances/query)`);
    }
  }
}

const build = Object.fromEntries(([['tenant', tenantIdx], ['full', fullIdx]] as const).map(([s, b]) => [s, {
  buildSeconds: b.buildSeconds, buildDistancesPerPoint: b.buildDistancesPerPoint, insertMsPerPoint: b.insertMsPerPoint,
  insertsPerSecond: 1000 / b.insertMsPerPoint, insertDistancesPerPoint: b.insertDistancesPerPoint, cached: b.cached,
}]));
log(`build: tenant ${tenantIdx.buildSeconds.toFixed(1)} s, full ${fullIdx.buildSeconds.toFixed(1)} s (×${(fullIdx.buildSeconds / tenantIdx.buildSeconds).toFixed(2)}); `
  + `upsert tenant ${tenantIdx.insertMsPerPoint.toFixed(3)} ms, full ${fullIdx.insertMsPerPoint.toFixed(3)} ms (×${(fullIdx.insertMsPerPoint / tenantIdx.insertMsPerPoint).toFixed(2)}); mean labels/point ${meanLabels.toFixed(2)}`);
const kernel = fullIdx.idx.kernelName;
await tenantIdx.idx.close();
await fullIdx.idx.close();
const dir = new URL('../../bench-results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${tag}.json`, JSON.stringify({
  tag, when: new Date().toISOString(), node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model,
  command: `pnpm --filter @hh/diskann bench:labels -- ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`.trim(),
  n, dims, nq, tenants, countries: nCountries, occupations: nOccupations, zipf, inserts, meanLabelsPerPoint: meanLabels, kernel,
  exactScanThreshold: (fullIdx.idx.defaults as { exactScanThreshold: number }).exactScanThreshold, predicateExactScanMax: PREDICATE_EXACT_SCAN_MAX,
  build, rows,
}, null, 2));
log(`wrote ${dir}${tag}.json`);
