// Benchmark: `pnpm --filter @hh/diskann bench -- [options]`. Prints a table and writes JSON under
// bench-results/. Peers (exact scan, hnswlib-node, usearch) run in the same process on the same data.
//
//   --data synthetic --n 100000 --dims 768 --nq 1000 [--clusters 100] [--seed 42]
//   --data fvecs --base a.fvecs --query q.fvecs [--gt gt.ivecs] [--metric l2|cosine]
//   --data sigmod --dir /work/shared/data/dev/sigmod24-hybrid-dummy
//   --R 64 --L 100 --bits 2 --threads 2 --kernel auto|js|wasm|native
//   --sweep "f32:30:30,sbq:100:100,..."   traversal:listSize:rescore settings
//   --peers hnswlib,usearch,exact          (default all three)
//   --filtered                             1% and 10% label-selectivity queries (synthetic)
//   --churn                                delete 20%, consolidate, re-insert; recall at each step
//   --tag name                             output file bench-results/<tag>.json
//   --index-cache                          reuse (or save) the built index under .cache/ keyed by data + build params
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DiskAnnIndex, type SearchOptions } from '../engine.js';
import { recallAtK } from '../dataset.js';
import {
  addSelectivityLabels, cacheDir, fingerprint, loadTruth, readFvecs, readIvecs, readSigmod, saveTruth, synthetic,
  type BenchData,
} from './data.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (a === '--') continue;
  if (a.startsWith('--')) {
    const next = process.argv[i + 1];
    if (next === undefined || next.startsWith('--')) args.set(a.slice(2), 'true');
    else {
      args.set(a.slice(2), next);
      i++;
    }
  }
}
const arg = (k: string, d: string): string => args.get(k) ?? d;
const num = (k: string, d: number): number => Number(arg(k, String(d)));

interface Row {
  engine: string;
  setting: string;
  filter?: string;
  recall: number;
  p50: number;
  p95: number;
  p99: number;
  qps2?: number;
  distPerQuery?: number;
  hamPerQuery?: number;
}

const rows: Row[] = [];
const log = (...a: unknown[]): void => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function loadData(): BenchData {
  const kind = arg('data', 'synthetic');
  if (kind === 'synthetic') {
    return synthetic(num('n', 100_000), num('nq', 1000), num('dims', 768), num('clusters', 100), num('seed', 42));
  }
  if (kind === 'fvecs') {
    const b = readFvecs(arg('base', ''));
    const q = readFvecs(arg('query', ''), num('nq', Infinity));
    const d: BenchData = { name: arg('name', arg('base', '').split('/').pop()!.replace(/_base\.fvecs$|\.fvecs$/, '')), dims: b.dims, metric: arg('metric', 'l2') as 'l2' | 'cosine', n: b.n, base: b.data, nq: q.n, queries: q.data };
    if (args.has('gt')) d.truth = readIvecs(arg('gt', '')).slice(0, q.n);
    return d;
  }
  if (kind === 'sigmod') return readSigmod(arg('dir', '/work/shared/data/dev/sigmod24-hybrid-dummy'));
  throw new Error(`unknown --data ${kind}`);
}

function q(data: BenchData, i: number): Float32Array {
  return data.queries.subarray(i * data.dims, (i + 1) * data.dims);
}

async function truthFor(idx: DiskAnnIndex, data: BenchData, queryLabels: number[][], tag: string): Promise<Int32Array[]> {
  const key = fingerprint([data.name, data.metric, data.n, data.nq, tag, JSON.stringify(queryLabels.slice(0, 50)), queryLabels.length], [data.base, data.queries]);
  const path = join(cacheDir(), `gt-${key}.bin`);
  const cached = loadTruth(path);
  if (cached) return cached;
  log(`computing exact ground truth (${tag}) for ${data.nq} queries on 2 threads…`);
  const t0 = performance.now();
  const out: Int32Array[] = new Array<Int32Array>(data.nq);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < data.nq) {
      const i = next++;
      const r = await idx.searchAsync(q(data, i), 100, { exact: true, labels: queryLabels[i] });
      out[i] = Int32Array.from(r.ids);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  saveTruth(path, out);
  log(`ground truth in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${path}`);
  return out;
}

async function measureDiskann(idx: DiskAnnIndex, data: BenchData, truth: Int32Array[], setting: string, opts: SearchOptions, queryLabels: number[][] | null, filter?: string, qpsToo = true): Promise<Row> {
  const nq = data.nq;
  const labelsOf = (i: number): readonly number[] | undefined => (queryLabels ? queryLabels[i] : undefined);
  // Warm-up (JIT, caches), then single-thread latency on this thread.
  for (let i = 0; i < Math.min(nq, 200); i++) idx.search(q(data, i), 10, { ...opts, labels: labelsOf(i) });
  const s0 = idx.stats();
  const found: number[][] = [];
  const times: number[] = [];
  for (let i = 0; i < nq; i++) {
    const t = performance.now();
    const r = idx.search(q(data, i), 10, { ...opts, labels: labelsOf(i) });
    times.push(performance.now() - t);
    found.push(r.ids);
  }
  const s1 = idx.stats();
  times.sort((a, b) => a - b);
  let qps2: number | undefined;
  if (qpsToo) {
    // Throughput on the 2-worker query pool with 16 requests in flight.
    for (let i = 0; i < 100; i++) await idx.searchAsync(q(data, i % nq), 10, { ...opts, labels: labelsOf(i % nq) });
    const total = Math.max(nq, 2000);
    let next = 0;
    const t = performance.now();
    const lane = async (): Promise<void> => {
      while (next < total) {
        const i = next++ % nq;
        await idx.searchAsync(q(data, i), 10, { ...opts, labels: labelsOf(i) });
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    qps2 = total / ((performance.now() - t) / 1000);
  }
  const row: Row = {
    engine: `diskann(${idx.kernelName})`, setting, filter, recall: recallAtK(found, truth, 10),
    p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), qps2,
    distPerQuery: (s1.distanceComputations - s0.distanceComputations) / nq,
    hamPerQuery: (s1.hammingComputations - s0.hammingComputations) / nq,
  };
  rows.push(row);
  printRow(row);
  return row;
}

function printRow(r: Row): void {
  const f = (x: number | undefined, d = 3): string => (x === undefined ? '-' : x.toFixed(d));
  console.log(
    `${r.engine.padEnd(16)} ${r.setting.padEnd(22)} ${(r.filter ?? '').padEnd(8)} recall@10 ${f(r.recall)}  p50 ${f(r.p50)} ms  p95 ${f(r.p95)}  p99 ${f(r.p99)}  qps2 ${f(r.qps2, 0)}  dist/q ${f(r.distPerQuery, 0)}  ham/q ${f(r.hamPerQuery, 0)}`,
  );
}

const requireHere = createRequire(new URL('../../package.json', import.meta.url));

async function hnswPeer(data: BenchData, truth: Int32Array[], build: Record<string, unknown>): Promise<void> {
  const { HierarchicalNSW } = requireHere('hnswlib-node') as typeof import('hnswlib-node');
  const space = data.metric === 'cosine' ? 'cosine' : 'l2';
  const M = num('hnsw-m', 16);
  const efC = num('hnsw-efc', 128);
  const h = new HierarchicalNSW(space, data.dims);
  h.initIndex(data.n, M, efC, 100);
  const t0 = performance.now();
  for (let i = 0; i < data.n; i++) {
    h.addPoint(Array.from(data.base.subarray(i * data.dims, (i + 1) * data.dims)), i);
    if (i % 100_000 === 99_999) log(`hnswlib build ${i + 1}/${data.n}`);
  }
  const buildS = (performance.now() - t0) / 1000;
  const file = join(tmpdir(), `hh-bench-hnsw-${process.pid}.bin`);
  await h.writeIndex(file);
  const bytes = statSync(file).size;
  build.hnswlib = { seconds: buildS, threads: 1, M, efConstruction: efC, fileBytesPerVector: bytes / data.n };
  log(`hnswlib build ${buildS.toFixed(1)} s (1 thread: the node binding adds points serially)`);
  const qs = Array.from({ length: data.nq }, (_, i) => Array.from(q(data, i)));
  for (const ef of (arg('hnsw-ef', '20,40,80,160')).split(',').map(Number)) {
    h.setEf(ef);
    for (let i = 0; i < Math.min(200, data.nq); i++) h.searchKnn(qs[i]!, 10);
    const found: number[][] = [];
    const times: number[] = [];
    for (let i = 0; i < data.nq; i++) {
      const t = performance.now();
      found.push(h.searchKnn(qs[i]!, 10).neighbors);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const qps2 = await hnswQps(file, space, data, ef);
    const row: Row = { engine: 'hnswlib-node', setting: `M=${M} efC=${efC} ef=${ef}`, recall: recallAtK(found, truth, 10), p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), qps2 };
    rows.push(row);
    printRow(row);
  }
  rmSync(file, { force: true });
}

/** hnswlib-node searches synchronously; two worker threads with a loaded copy each measure 2-thread QPS. */
async function hnswQps(file: string, space: string, data: BenchData, ef: number): Promise<number> {
  const modPath = requireHere.resolve('hnswlib-node');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { HierarchicalNSW } = require(workerData.modPath);
    const h = new HierarchicalNSW(workerData.space, workerData.dims);
    h.readIndexSync(workerData.file);
    h.setEf(workerData.ef);
    const qs = new Float32Array(workerData.queries);
    const nq = qs.length / workerData.dims;
    const arr = [];
    for (let i = 0; i < nq; i++) arr.push(Array.from(qs.subarray(i * workerData.dims, (i + 1) * workerData.dims)));
    parentPort.postMessage('ready');
    parentPort.once('message', () => {
      const t = performance.now();
      let done = 0;
      for (let r = 0; r < workerData.rounds; r++) for (let i = 0; i < nq; i++) { h.searchKnn(arr[i], 10); done++; }
      parentPort.postMessage({ done, ms: performance.now() - t });
    });`;
  const rounds = Math.max(1, Math.ceil(2000 / data.nq));
  const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { modPath, space, dims: data.dims, file, ef, queries: data.queries.slice().buffer, rounds } }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const t = performance.now();
  const res = await Promise.all(workers.map((w) => new Promise<{ done: number }>((r) => { w.once('message', r); w.postMessage('go'); })));
  const secs = (performance.now() - t) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return res.reduce((a, r) => a + r.done, 0) / secs;
}

async function usearchPeer(data: BenchData, truth: Int32Array[], build: Record<string, unknown>): Promise<void> {
  // `import('usearch')` recurses in getBuildDir under ESM; its CommonJS entry loads fine.
  const usearch = requireHere('usearch') as typeof import('usearch');
  const M = num('hnsw-m', 16);
  const efC = num('hnsw-efc', 128);
  const metric = data.metric === 'cosine' ? usearch.MetricKind.Cos : usearch.MetricKind.L2sq;
  const make = (ef: number): InstanceType<typeof usearch.Index> =>
    new usearch.Index({ dimensions: data.dims, metric, quantization: usearch.ScalarKind.F32, connectivity: M, expansion_add: efC, expansion_search: ef, multi: false });
  const idx = make(64);
  const keys = new BigUint64Array(data.n);
  for (let i = 0; i < data.n; i++) keys[i] = BigInt(i);
  const t0 = performance.now();
  idx.add(keys, data.base, 2);
  const buildS = (performance.now() - t0) / 1000;
  const file = join(tmpdir(), `hh-bench-usearch-${process.pid}.bin`);
  idx.save(file);
  build.usearch = { seconds: buildS, threads: 2, M, efConstruction: efC, fileBytesPerVector: statSync(file).size / data.n };
  log(`usearch build ${buildS.toFixed(1)} s on 2 threads`);
  for (const ef of (arg('usearch-ef', '20,40,80,160')).split(',').map(Number)) {
    const u = make(ef);
    // view() maps the saved file: load() would copy the whole index per setting (OOM at 1M).
    u.view(file);
    for (let i = 0; i < Math.min(200, data.nq); i++) u.search(q(data, i), 10, 1);
    const found: number[][] = [];
    const times: number[] = [];
    for (let i = 0; i < data.nq; i++) {
      const t = performance.now();
      const r = u.search(q(data, i), 10, 1) as unknown as { keys: BigUint64Array };
      times.push(performance.now() - t);
      found.push(Array.from(r.keys, (k) => Number(k)));
    }
    times.sort((a, b) => a - b);
    const t = performance.now();
    const rounds = Math.max(1, Math.ceil(2000 / data.nq));
    for (let r = 0; r < rounds; r++) u.search(data.queries, 10, 2);
    const qps2 = (rounds * data.nq) / ((performance.now() - t) / 1000);
    const row: Row = { engine: 'usearch', setting: `M=${M} efC=${efC} ef=${ef}`, recall: recallAtK(found, truth, 10), p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), qps2 };
    rows.push(row);
    printRow(row);
  }
  rmSync(file, { force: true });
}

function parseSweep(s: string): { setting: string; opts: SearchOptions }[] {
  return s.split(',').map((x) => {
    const [mode, L, W] = x.split(':');
    return { setting: `${mode} L=${L} W=${W}`, opts: { quantized: mode === 'sbq', listSize: Number(L), rescore: Number(W) } };
  });
}

/**
 * Builds the index, or with `--index-cache` reuses a snapshot of an identical earlier build (same
 * data fingerprint and build parameters), so query-side work can be re-measured without paying
 * the build again. The reported build figures are then the cached build's, marked `cached`.
 */
async function buildOrLoad(
  data: BenchData, options: ConstructorParameters<typeof DiskAnnIndex>[0], threads: number,
): Promise<{ idx: DiskAnnIndex; build: Record<string, unknown> }> {
  const useCache = args.has('index-cache');
  const key = fingerprint(
    [data.name, data.metric, data.n, data.dims, options.R ?? 64, options.buildListSize ?? 100, options.alpha ?? 1.2, options.bits ?? 2, JSON.stringify(data.labels?.slice(0, 50) ?? null)],
    [data.base],
  );
  const snapFile = join(cacheDir(), `index-${key}.snap`);
  const metaFile = join(cacheDir(), `index-${key}.json`);
  if (useCache && existsSync(snapFile) && existsSync(metaFile)) {
    try {
      const t = performance.now();
      const idx = await DiskAnnIndex.load(snapFile, { dims: data.dims, metric: data.metric, modelId: 'bench' }, options);
      const build = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
      (build.diskann as Record<string, unknown>).cached = { file: snapFile, loadSeconds: (performance.now() - t) / 1000 };
      log(`diskann index loaded from the cache ${snapFile} (built ${String((build.diskann as Record<string, unknown>).builtAt)})`);
      return { idx, build };
    } catch (err) {
      log(`index cache unusable (${(err as Error).message}); rebuilding`);
    }
  }
  const idx = new DiskAnnIndex(options);
  const ids = Array.from({ length: data.n }, (_, i) => i);
  let lastLog = 0;
  let finalPrune = false;
  const rep = await idx.build({ ids, vectors: data.base, labels: data.labels }, {
    threads,
    onProgress: (done, total) => {
      if (done === total) {
        // Progress keeps ticking at 100% while the final prune runs: say so once.
        if (!finalPrune) log(`diskann build ${done}/${total} inserted; final prune`);
        finalPrune = true;
      } else if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        log(`diskann build ${done}/${total}`);
      }
    },
  });
  const st = idx.stats();
  log(`diskann build ${rep.seconds.toFixed(1)} s on ${rep.threads} threads, ${(rep.distanceComputations / data.n).toFixed(0)} distances/point, avg degree ${st.averageDegree.toFixed(1)}`);
  const build: Record<string, unknown> = {
    diskann: {
      seconds: rep.seconds, threads: rep.threads, R: idx.R, L: idx.params.buildListSize, alpha: idx.params.alpha, bits: idx.bits,
      kernel: idx.kernelName, bytesPerVector: st.bytesPerVector, averageDegree: st.averageDegree,
      distancesPerPoint: rep.distanceComputations / data.n, builtAt: new Date().toISOString(),
    },
  };
  if (useCache) {
    await idx.save(snapFile, { modelId: 'bench', lastSeq: 1 });
    writeFileSync(metaFile, JSON.stringify(build));
    log(`index cached → ${snapFile}`);
  }
  return { idx, build };
}

async function main(): Promise<void> {
  const data = loadData();
  const peers = new Set(arg('peers', 'exact,hnswlib,usearch').split(',').filter(Boolean));
  const filtered = args.has('filtered');
  if (filtered && !data.labels) addSelectivityLabels(data, 99);
  const threads = num('threads', 2);
  log(`dataset ${data.name}: ${data.n} × ${data.dims} (${data.metric}), ${data.nq} queries; ${cpus().length} cores`);
  const indexOptions = {
    dims: data.dims, metric: data.metric, R: num('R', 64), buildListSize: num('L', 100), alpha: num('alpha', 1.2),
    bits: num('bits', 2) as 1 | 2, kernel: arg('kernel', 'auto') as 'auto', capacity: data.n,
    queryWorkers: 2, exactScanThreshold: num('scan-threshold', 1000),
  };
  const { idx, build } = await buildOrLoad(data, indexOptions, threads);
  const unfilteredLabels: number[][] = Array.from({ length: data.nq }, (_, i) => data.queryLabels?.[i] ?? []);
  const truth = data.truth ?? (await truthFor(idx, data, unfilteredLabels, data.queryLabels ? 'shipped-filters' : 'plain'));
  const defaultSweep = data.dims >= 96
    ? 'f32:20:20,f32:30:30,f32:50:50,f32:100:100,sbq:60:60,sbq:100:100,sbq:150:150,sbq:200:200'
    : 'f32:20:20,f32:30:30,f32:50:50,f32:100:100';
  for (const s of parseSweep(arg('sweep', defaultSweep))) {
    await measureDiskann(idx, data, truth, s.setting, s.opts, data.queryLabels ?? null, data.queryLabels ? 'shipped' : undefined);
  }
  if (peers.has('exact')) {
    // Exact scan through the same kernel (a subset of queries at large n: it is slow by design).
    const sub: BenchData = { ...data, nq: Math.min(data.nq, data.n > 200_000 ? 50 : 200) };
    await measureDiskann(idx, sub, truth.slice(0, sub.nq), 'exact scan', { exact: true }, data.queryLabels ?? null, undefined, false);
    rows[rows.length - 1]!.engine = `exact(${idx.kernelName})`;
  }
  if (filtered && data.labels && !data.queryLabels) {
    for (const [name, base] of [['1%', 1000], ['10%', 2000]] as const) {
      const ql = Array.from({ length: data.nq }, (_, i) => [base + (i % (name === '1%' ? 100 : 10))]);
      const t = await truthFor(idx, data, ql, `filter-${name}`);
      for (const s of parseSweep(arg('filter-sweep', 'f32:50:50,f32:100:100,sbq:100:100,sbq:200:200'))) {
        await measureDiskann(idx, data, t, `${s.setting} planner`, s.opts, ql, name, false);
      }
      // Force the graph path (no exact scan) to show the filtered graph itself.
      const saved = idx.defaults.exactScanThreshold;
      (idx.defaults as { exactScanThreshold: number }).exactScanThreshold = 0;
      for (const s of parseSweep(arg('filter-sweep', 'f32:50:50,f32:100:100,sbq:100:100,sbq:200:200'))) {
        await measureDiskann(idx, data, t, `${s.setting} graph`, s.opts, ql, name, false);
      }
      (idx.defaults as { exactScanThreshold: number }).exactScanThreshold = saved;
      await measureDiskann(idx, { ...data, nq: Math.min(200, data.nq) }, t.slice(0, 200), 'exact scan of label', { exact: true }, ql, name, false);
    }
  }
  const snapshot: Record<string, unknown> = {};
  if (!args.has('no-snapshot')) {
    const file = join(arg('snapshot-dir', tmpdir()), `hh-bench-${process.pid}.snap`);
    const w = await idx.save(file, { modelId: 'bench', lastSeq: 1 });
    const t = performance.now();
    const back = await DiskAnnIndex.load(file, { dims: data.dims, metric: data.metric, modelId: 'bench' }, { kernel: idx.kernelName, queryWorkers: 1 });
    const loadS = (performance.now() - t) / 1000;
    const same = JSON.stringify(back.search(q(data, 0), 10)) === JSON.stringify(idx.search(q(data, 0), 10));
    await back.close();
    rmSync(file, { force: true });
    Object.assign(snapshot, { bytes: w.bytes, saveSeconds: w.seconds, loadSeconds: loadS, sameAnswers: same });
    log(`snapshot ${(w.bytes / 2 ** 20).toFixed(0)} MiB: save ${w.seconds.toFixed(1)} s, load ${loadS.toFixed(1)} s, same answers: ${same}`);
  }
  const churn: Record<string, unknown> = {};
  if (args.has('churn')) {
    const sweep = parseSweep(arg('churn-sweep', 'f32:50:50,sbq:150:150'));
    let s = 12345;
    const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const victims = Array.from({ length: data.n }, (_, i) => i).filter(() => rnd() < 0.2);
    const t0 = performance.now();
    for (const id of victims) idx.delete(id);
    const cons = await idx.consolidate();
    churn.deleted = victims.length;
    churn.consolidateSeconds = cons.seconds;
    log(`deleted ${victims.length}, consolidated in ${cons.seconds.toFixed(1)} s (${((performance.now() - t0) / 1000).toFixed(1)} s total)`);
    const gone = new Set(victims);
    const truthAfter = truth.map((r) => Int32Array.from(Array.from(r).filter((x) => !gone.has(x))));
    // Ground truth after deletes needs the full top-10 of the survivors; recompute exactly.
    const t2 = await truthFor(idx, data, unfilteredLabels, `after-delete-${victims.length}`);
    void truthAfter;
    for (const x of sweep) await measureDiskann(idx, data, t2, `${x.setting} after delete+consolidate`, x.opts, null, undefined, false);
    const t1 = performance.now();
    for (const id of victims) idx.upsert(id, data.base.subarray(id * data.dims, (id + 1) * data.dims), data.labels?.[id]);
    churn.reinsertSeconds = (performance.now() - t1) / 1000;
    log(`re-inserted ${victims.length} in ${(churn.reinsertSeconds as number).toFixed(1)} s (1 thread)`);
    for (const x of sweep) await measureDiskann(idx, data, truth, `${x.setting} after re-insert`, x.opts, null, undefined, false);
    churn.stats = idx.stats();
  }
  if (peers.has('hnswlib')) await hnswPeer(data, truth, build);
  if (peers.has('usearch')) await usearchPeer(data, truth, build);
  const finalStats = idx.stats();
  await idx.close();
  const out = {
    command: `pnpm --filter @hh/diskann bench -- ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`,
    date: new Date().toISOString(), node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model,
    dataset: { name: data.name, n: data.n, dims: data.dims, metric: data.metric, nq: data.nq },
    build, stats: finalStats, snapshot, churn, rows,
  };
  const dir = new URL('../../bench-results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${arg('tag', `${data.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`)}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2));
  log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
