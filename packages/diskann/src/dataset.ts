// Seeded synthetic data (clustered unit vectors, like text embeddings) and exact ground truth.
// Used by tests and the benchmark; never ships data.
import { mulberry32 } from './engine.js';

export interface Dataset {
  dims: number;
  base: Float32Array;
  queries: Float32Array;
  n: number;
  nq: number;
}

/** Gaussian clusters on the unit sphere: `clusters` centres, points = centre + spread·noise, normalised. */
export function clusteredDataset(opts: { n: number; nq: number; dims: number; clusters?: number; spread?: number; seed?: number }): Dataset {
  const { n, nq, dims } = opts;
  const clusters = opts.clusters ?? 100;
  const spread = opts.spread ?? 0.7;
  const rnd = mulberry32(opts.seed ?? 42);
  const gauss = (): number => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const centres = new Float32Array(clusters * dims);
  for (let c = 0; c < clusters; c++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = gauss();
      centres[c * dims + d] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dims; d++) centres[c * dims + d]! *= inv;
  }
  const sigma = spread / Math.sqrt(dims);
  const make = (count: number): Float32Array => {
    const out = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(rnd() * clusters);
      let norm = 0;
      for (let d = 0; d < dims; d++) {
        const x = centres[c * dims + d]! + sigma * gauss();
        out[i * dims + d] = x;
        norm += x * x;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dims; d++) out[i * dims + d]! *= inv;
    }
    return out;
  };
  return { dims, n, nq, base: make(n), queries: make(nq) };
}

/**
 * Exact k-NN by brute force (squared L2 or 1−cosine), optionally restricted by `allow(i)`.
 * Returns row indices, nearest first, ties by lower index.
 */
export function exactKnn(
  base: Float32Array, n: number, queries: Float32Array, nq: number, dims: number, k: number,
  metric: 'l2' | 'cosine', allow?: (q: number, i: number) => boolean,
): Int32Array[] {
  const norms = new Float32Array(n);
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += base[i * dims + d]! ** 2;
      norms[i] = Math.sqrt(s) || 1;
    }
  }
  const out: Int32Array[] = [];
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let q = 0; q < nq; q++) {
    let size = 0;
    let qn = 0;
    for (let d = 0; d < dims; d++) qn += queries[q * dims + d]! ** 2;
    qn = Math.sqrt(qn) || 1;
    for (let i = 0; i < n; i++) {
      if (allow && !allow(q, i)) continue;
      let s = 0;
      const qb = q * dims;
      const b = i * dims;
      if (metric === 'l2') {
        for (let d = 0; d < dims; d++) {
          const x = queries[qb + d]! - base[b + d]!;
          s += x * x;
        }
      } else {
        for (let d = 0; d < dims; d++) s += queries[qb + d]! * base[b + d]!;
        s = 1 - s / (qn * norms[i]!);
      }
      if (size === k && s >= bestD[k - 1]!) continue;
      let pos = size === k ? k - 1 : size++;
      while (pos > 0 && bestD[pos - 1]! > s) {
        bestD[pos] = bestD[pos - 1]!;
        bestI[pos] = bestI[pos - 1]!;
        pos--;
      }
      bestD[pos] = s;
      bestI[pos] = i;
    }
    out.push(bestI.slice(0, size));
  }
  return out;
}

/** Mean recall@k of `found` against `truth` (both lists of ids per query). */
export function recallAtK(found: ArrayLike<number>[], truth: ArrayLike<number>[], k: number): number {
  let hit = 0;
  let total = 0;
  for (let q = 0; q < truth.length; q++) {
    const t = new Set(Array.from(truth[q]!).slice(0, k));
    if (t.size === 0) continue;
    const f = Array.from(found[q] ?? []).slice(0, k);
    for (const x of f) if (t.has(x)) hit++;
    total += t.size;
  }
  return total ? hit / total : 1;
}
