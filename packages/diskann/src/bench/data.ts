// Dataset loading for the benchmark: seeded synthetic sets, TEXMEX .fvecs/.ivecs files and the
// SIGMOD'24 hybrid sample. Exact ground truth is computed once and cached under .cache/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusteredDataset } from '../dataset.js';
import type { Metric } from '../layout.js';

export interface BenchData {
  name: string;
  dims: number;
  metric: Metric;
  n: number;
  base: Float32Array;
  nq: number;
  queries: Float32Array;
  /** Labels per base point (filtered sets). */
  labels?: number[][];
  /** Per query: required labels ([] = unfiltered). */
  queryLabels?: number[][];
  /** Known ground truth rows (ids, -1 padded), when shipped with the data. */
  truth?: Int32Array[];
  /** One numeric attribute per base point (SIGMOD'24: the timestamp). */
  attributes?: Float32Array;
  /** Per query: inclusive attribute range it requires, if any. */
  ranges?: ([number, number] | undefined)[];
}

export function readFvecs(path: string, limit = Infinity): { dims: number; n: number; data: Float32Array } {
  const buf = readFileSync(path);
  const dims = buf.readInt32LE(0);
  const rowBytes = 4 + dims * 4;
  const n = Math.min(limit, Math.floor(buf.length / rowBytes));
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const f = new Float32Array(buf.buffer, buf.byteOffset + i * rowBytes + 4, dims);
    data.set(f, i * dims);
  }
  return { dims, n, data };
}

export function readIvecs(path: string): Int32Array[] {
  const buf = readFileSync(path);
  const out: Int32Array[] = [];
  let off = 0;
  while (off < buf.length) {
    const k = buf.readInt32LE(off);
    out.push(new Int32Array(buf.buffer.slice(buf.byteOffset + off + 4, buf.byteOffset + off + 4 + k * 4)));
    off += 4 + k * 4;
  }
  return out;
}

/**
 * SIGMOD'24 hybrid "dummy" sample with shipped ground truth: plain and category-filtered queries
 * (types 0 and 1), or with `rangeQueries` the timestamp-range and category + timestamp-range ones
 * (types 2 and 3; the range is returned in `ranges`, the timestamps in `attributes`).
 */
export function readSigmod(dir: string, opts: { rangeQueries?: boolean } = {}): BenchData {
  const d = readFileSync(join(dir, 'dummy-data.bin'));
  const n = d.readUInt32LE(0);
  const dims = 100;
  const base = new Float32Array(n * dims);
  const labels: number[][] = [];
  const attributes = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const rowf = new Float32Array(d.buffer, d.byteOffset + 4 + i * 102 * 4, 102);
    labels.push([rowf[0]!]);
    attributes[i] = rowf[1]!;
    base.set(rowf.subarray(2), i * dims);
  }
  const q = readFileSync(join(dir, 'dummy-queries.bin'));
  const m = q.readUInt32LE(0);
  const gtAll = readIvecs(join(dir, 'groundtruth_filtered_k100.ivecs'));
  const queries: number[] = [];
  const queryLabels: number[][] = [];
  const truth: Int32Array[] = [];
  const ranges: ([number, number] | undefined)[] = [];
  for (let i = 0; i < m; i++) {
    const rowf = new Float32Array(q.buffer, q.byteOffset + 4 + i * 104 * 4, 104);
    const type = rowf[0]!;
    if (opts.rangeQueries ? type !== 2 && type !== 3 : type !== 0 && type !== 1) continue;
    queries.push(...rowf.subarray(4));
    queryLabels.push(type === 1 || type === 3 ? [rowf[1]!] : []);
    ranges.push(type >= 2 ? [rowf[2]!, rowf[3]!] : undefined);
    truth.push(gtAll[i]!);
  }
  return {
    name: 'sigmod24-hybrid-dummy', dims, metric: 'l2', n, base, nq: queryLabels.length, queries: Float32Array.from(queries),
    labels, queryLabels, truth, attributes, ranges,
  };
}

export function synthetic(n: number, nq: number, dims: number, clusters: number, seed: number): BenchData {
  const ds = clusteredDataset({ n, nq, dims, clusters, seed });
  return { name: `synthetic-${clusters}c-${dims}d-${n}`, dims, metric: 'cosine', n, base: ds.base, nq, queries: ds.queries };
}

/** Adds labels for filtered benchmarks: label 1000+i (1% each) and 2000+j (10% each). */
export function addSelectivityLabels(data: BenchData, seed: number): void {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  data.labels = [];
  for (let i = 0; i < data.n; i++) data.labels.push([1000 + Math.floor(rnd() * 100), 2000 + Math.floor(rnd() * 10)]);
}

export function cacheDir(): string {
  const dir = join(new URL('../..', import.meta.url).pathname, '.cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function fingerprint(parts: (string | number)[], arrays: Float32Array[]): string {
  const h = createHash('sha256');
  h.update(parts.join('|'));
  for (const a of arrays) {
    // Sample the arrays: hashing GBs each run would be slow; sizes plus a strided sample pin them.
    h.update(String(a.length));
    const step = Math.max(1, Math.floor(a.length / 65536));
    const sample = new Float32Array(Math.ceil(a.length / step));
    for (let i = 0, j = 0; i < a.length; i += step, j++) sample[j] = a[i]!;
    h.update(new Uint8Array(sample.buffer));
  }
  return h.digest('hex').slice(0, 16);
}

export function saveTruth(path: string, rows: Int32Array[]): void {
  const k = Math.max(...rows.map((r) => r.length), 0);
  const buf = Buffer.alloc(8 + rows.length * k * 4);
  buf.writeInt32LE(rows.length, 0);
  buf.writeInt32LE(k, 4);
  rows.forEach((r, i) => {
    for (let j = 0; j < k; j++) buf.writeInt32LE(j < r.length ? r[j]! : -1, 8 + (i * k + j) * 4);
  });
  writeFileSync(path, buf);
}

export function loadTruth(path: string): Int32Array[] | null {
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const nq = buf.readInt32LE(0);
  const k = buf.readInt32LE(4);
  const out: Int32Array[] = [];
  for (let i = 0; i < nq; i++) {
    const r: number[] = [];
    for (let j = 0; j < k; j++) {
      const x = buf.readInt32LE(8 + (i * k + j) * 4);
      if (x >= 0) r.push(x);
    }
    out.push(Int32Array.from(r));
  }
  return out;
}
