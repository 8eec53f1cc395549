// Exact-scan threshold benchmark: `pnpm --filter @hh/diskann bench:scan -- [--n 50000] [--dims 768]
// [--sizes 250,500,1000,2000,4000] [--nq 200] [--tag name]`. Builds one index whose points carry one
// label from each size family (a family of size S has n/S labels of ≈ S members), then times the two
// plans a filtered query can take — exact scan of the label's members vs traversal of the label's
// subgraph at the default list size — single-threaded on the same queries, with recall@10 against
// exact filtered ground truth. The engine's `exactScanThreshold` should sit where they cross.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { clusteredDataset, recallAtK } from '../dataset.js';
import { DiskAnnIndex, mulberry32 } from '../engine.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (a.startsWith('--')) args.set(a.slice(2), process.argv[i + 1] ?? '');
}
const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d);
const n = num('n', 50_000);
const dims = num('dims', 768);
const nq = num('nq', 200);
const sizes = (args.get('sizes') ?? '250,500,1000,2000,4000').split(',').map(Number);
const tag = args.get('tag') ?? `scan-threshold-${n}`;

const log = (m: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const ds = clusteredDataset({ n, nq, dims, seed: 42 });
const rnd = mulberry32(7);
// Family f's labels are f·1e6 + bucket; each point gets one bucket per family.
const labels = Array.from({ length: n }, () => sizes.map((s, f) => (f + 1) * 1_000_000 + Math.floor(rnd() * Math.max(1, Math.round(n / s)))));
const idx = new DiskAnnIndex({ dims, metric: 'cosine', maxLabelsPerPoint: sizes.length, capacity: n, queryWorkers: 1 });
const t0 = performance.now();
await idx.build({ ids: Array.from({ length: n }, (_, i) => i), vectors: ds.base, labels }, { threads: 2 });
log(`built ${n} × ${dims} with ${sizes.length} labels/point in ${((performance.now() - t0) / 1000).toFixed(1)} s (kernel ${idx.kernelName})`);

const q = (i: number): Float32Array => ds.queries.subarray(i * dims, (i + 1) * dims);
const defaults = idx.defaults as { exactScanThreshold: number };
const rows: Record<string, unknown>[] = [];
const pct = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
for (const [f, size] of sizes.entries()) {
  const buckets = Math.max(1, Math.round(n / size));
  const ql = Array.from({ length: nq }, (_, i) => [(f + 1) * 1_000_000 + (i % buckets)]);
  const truth = ql.map((l, i) => idx.search(q(i), 10, { exact: true, labels: l }).ids);
  const members = ql.map((l) => labels.filter((ls) => ls.includes(l[0]!)).length);
  const meanMembers = members.reduce((a, b) => a + b, 0) / nq;
  for (const plan of ['scan', 'graph'] as const) {
    defaults.exactScanThreshold = plan === 'scan' ? Number.MAX_SAFE_INTEGER : 0;
    for (let i = 0; i < Math.min(nq, 50); i++) idx.search(q(i), 10, { labels: ql[i] }); // warm-up
    const times: number[] = [];
    const found: number[][] = [];
    for (let i = 0; i < nq; i++) {
      const t = performance.now();
      found.push(idx.search(q(i), 10, { labels: ql[i] }).ids);
      times.push(performance.now() - t);
    }
    const row = { size, meanMembers: Math.round(meanMembers), plan, recall: recallAtK(found, truth, 10), p50: pct(times, 0.5), p95: pct(times, 0.95) };
    rows.push(row);
    console.log(`members ≈ ${String(row.meanMembers).padStart(5)}  ${plan.padEnd(5)}  recall@10 ${row.recall.toFixed(3)}  p50 ${row.p50.toFixed(3)} ms  p95 ${row.p95.toFixed(3)} ms`);
  }
}
await idx.close();
// The crossover: the largest size at which the scan's p50 is still no slower than the graph's.
let crossover = 0;
for (const size of sizes) {
  const s = rows.find((r) => r.size === size && r.plan === 'scan')!;
  const g = rows.find((r) => r.size === size && r.plan === 'graph')!;
  if ((s.p50 as number) <= (g.p50 as number)) crossover = size;
}
log(`scan is no slower than the label graph up to ≈ ${crossover} members (engine default exactScanThreshold: 1000)`);
const dir = new URL('../../bench-results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${tag}.json`, JSON.stringify({
  tag, when: new Date().toISOString(), node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model,
  command: `pnpm --filter @hh/diskann bench:scan -- ${process.argv.slice(2).filter((a) => a !== '--').join(' ')}`.trim(),
  n, dims, nq, kernel: idx.kernelName, rows, crossover,
}, null, 2));
log(`wrote ${dir}${tag}.json`);
