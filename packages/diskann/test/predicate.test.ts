import { afterAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex, DiskAnnInputError, exactKnn, mulberry32, recallAtK } from '../src/index.js';
import { clusteredDataset } from '../src/dataset.js';
import { KERNELS, row } from './helpers.js';

const open: DiskAnnIndex[] = [];
afterAll(async () => {
  await Promise.all(open.map((i) => i.close()));
});

const dims = 32;
const n = 3000;
const k = 10;

/** One uniform attribute per point: `attr[i] < s` passes a fraction s of the points. */
function dataset(seed: number) {
  const ds = clusteredDataset({ n, nq: 40, dims, clusters: 15, seed });
  const rnd = mulberry32(seed + 1);
  const attr = Float64Array.from({ length: n }, () => rnd());
  // Ids are not slot numbers: 7·i + 3.
  const ids = Array.from({ length: n }, (_, i) => 7 * i + 3);
  const rowOf = (id: number): number => (id - 3) / 7;
  return { ds, attr, ids, rowOf };
}

async function build(kernel: string, seed: number, labels?: number[][]) {
  const d = dataset(seed);
  const idx = new DiskAnnIndex({ dims, R: 24, buildListSize: 48, kernel: kernel as never, trainThreshold: 256, exactScanThreshold: 0 });
  open.push(idx);
  await idx.build({ ids: d.ids, vectors: d.ds.base, labels }, { threads: 1 });
  return { idx, ...d };
}

describe.each(KERNELS)('predicate search (%s kernel)', (kernel) => {
  it('returns only passing points, recall ≥ 0.95 against brute force at every selectivity, short only when fewer match', async () => {
    const { idx, ds, attr, ids, rowOf } = await build(kernel, 31);
    const visitedAt = new Map<number, number>();
    // 0.002 of 3000 ≈ 6 points: fewer than k match, so the answer must be all of them.
    for (const s of [0.5, 0.1, 0.03, 0.01, 0.002]) {
      const pass = (i: number): boolean => attr[i]! < s;
      const matching = ids.filter((_, i) => pass(i)).length;
      const truth = exactKnn(ds.base, n, ds.queries, ds.nq, dims, k, 'cosine', (_q, i) => pass(i)).map((r) => Array.from(r, (i) => ids[i]!));
      const found: number[][] = [];
      let visited = 0;
      for (let q = 0; q < ds.nq; q++) {
        let calls = 0;
        const r = idx.search(row(ds.queries, q, dims), k, { accept: (id) => (calls++, pass(rowOf(id))) });
        for (const id of r.ids) expect(pass(rowOf(id)), `id ${id} fails the predicate at s=${s}`).toBe(true);
        expect(r.truncated).toBe(false);
        expect(r.ids.length).toBe(Math.min(k, matching));
        expect([...r.distances]).toEqual([...r.distances].sort((a, b) => a - b));
        expect(calls).toBeGreaterThan(0);
        visited += r.visited!;
        found.push(r.ids);
      }
      visitedAt.set(s, visited / ds.nq);
      const recall = recallAtK(found, truth, k);
      expect(recall, `recall@${k} at selectivity ${s}`).toBeGreaterThanOrEqual(0.95);
      if (matching < k) expect(recall).toBe(1);
    }
    // The walk widens as the predicate gets rarer: no fixed over-fetch.
    expect(visitedAt.get(0.1)!).toBeGreaterThan(visitedAt.get(0.5)!);
    expect(visitedAt.get(0.01)!).toBeGreaterThan(visitedAt.get(0.1)!);
    // A predicate nobody passes returns nothing (after walking everything reachable).
    const none = idx.search(row(ds.queries, 0, dims), k, { accept: () => false });
    expect(none.ids).toEqual([]);
    expect(none.truncated).toBe(false);
  });

  it('combines with labels: every result carries the labels and passes the predicate', async () => {
    const rnd = mulberry32(77);
    // Tenants 0..4 (uneven sizes) and occupations 100..109.
    const labels = Array.from({ length: n }, () => [Math.floor(5 * rnd() ** 1.5), 100 + Math.floor(10 * rnd())]);
    const { idx, ds, attr, ids, rowOf } = await build(kernel, 41, labels);
    const found: number[][] = [];
    const truth: number[][] = [];
    for (let q = 0; q < ds.nq; q++) {
      const want = q % 3 === 0 ? [q % 5, 100 + (q % 10)] : [q % 5];
      const s = [0.5, 0.2, 0.05][q % 3]!;
      const ok = (i: number): boolean => attr[i]! < s && want.every((l) => labels[i]!.includes(l));
      const r = idx.search(row(ds.queries, q, dims), k, { labels: want, accept: (id) => attr[rowOf(id)]! < s });
      for (const id of r.ids) expect(ok(rowOf(id)), `id ${id} for labels ${want} at s=${s}`).toBe(true);
      const t = exactKnn(ds.base, n, ds.queries.subarray(q * dims, (q + 1) * dims), 1, dims, k, 'cosine', (_q, i) => ok(i))[0]!;
      expect(r.ids.length).toBe(t.length);
      found.push(r.ids);
      truth.push(Array.from(t, (i) => ids[i]!));
    }
    expect(recallAtK(found, truth, k)).toBeGreaterThanOrEqual(0.95);
    // A label below exactScanThreshold takes the scan path, with the predicate applied.
    const small = new DiskAnnIndex({ dims, R: 24, buildListSize: 48, kernel: kernel as never, exactScanThreshold: 10_000 });
    open.push(small);
    await small.build({ ids, vectors: ds.base, labels }, { threads: 1 });
    const r = small.search(row(ds.queries, 0, dims), k, { labels: [1], accept: (id) => attr[rowOf(id)]! < 0.1 });
    const t = exactKnn(ds.base, n, ds.queries, 1, dims, k, 'cosine', (_q, i) => attr[i]! < 0.1 && labels[i]!.includes(1))[0]!;
    expect(r.ids).toEqual(Array.from(t, (i) => ids[i]!));
  });

  it('after deletes and upserts: never a deleted point, recall ≥ 0.95 on the live set', async () => {
    const { idx, ds, attr, ids, rowOf } = await build(kernel, 53);
    const rnd = mulberry32(9);
    const live = new Set(ids);
    const vec = new Map<number, Float32Array>();
    for (let i = 0; i < n; i++) vec.set(ids[i]!, row(ds.base, i, dims));
    // Delete 20 %, move 10 % of the rest (new vector: another point's), consolidate half-way.
    for (let t = 0; t < n; t++) {
      const id = ids[Math.floor(rnd() * n)]!;
      const u = rnd();
      if (u < 0.2) {
        if (idx.delete(id)) live.delete(id);
      } else if (u < 0.3) {
        const v = row(ds.base, Math.floor(rnd() * n), dims);
        idx.upsert(id, v);
        live.add(id);
        vec.set(id, v);
      }
      if (t === n / 2) await idx.consolidate();
    }
    const liveIds = [...live];
    const base = new Float32Array(liveIds.length * dims);
    liveIds.forEach((id, i) => base.set(vec.get(id)!, i * dims));
    for (const s of [0.5, 0.05]) {
      const pass = (id: number): boolean => attr[rowOf(id)]! < s;
      const truth = exactKnn(base, liveIds.length, ds.queries, ds.nq, dims, k, 'cosine', (_q, i) => pass(liveIds[i]!)).map((r) => Array.from(r, (i) => liveIds[i]!));
      const found: number[][] = [];
      for (let q = 0; q < ds.nq; q++) {
        const r = idx.search(row(ds.queries, q, dims), k, { accept: pass });
        for (const id of r.ids) {
          expect(live.has(id), `deleted id ${id} returned`).toBe(true);
          expect(pass(id)).toBe(true);
        }
        found.push(r.ids);
      }
      expect(recallAtK(found, truth, k), `recall at selectivity ${s} after churn`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('a visit budget truncates honestly; searchAsync refuses a predicate', async () => {
    const { idx, ds, attr, rowOf } = await build(kernel, 61);
    const pass = (id: number): boolean => attr[rowOf(id)]! < 0.01;
    const q = row(ds.queries, 0, dims);
    const cut = idx.search(q, k, { accept: pass, maxVisits: 50 });
    expect(cut.truncated).toBe(true);
    expect(cut.ids.length).toBeLessThanOrEqual(k);
    for (const id of cut.ids) expect(pass(id)).toBe(true);
    const full = idx.search(q, k, { accept: pass });
    expect(full.truncated).toBe(false);
    expect(full.visited!).toBeGreaterThan(50);
    expect(idx.search(q, k, { accept: pass, maxVisits: 1_000_000 })).toEqual(full);
    await expect(idx.searchAsync(q, k, { accept: pass })).rejects.toBeInstanceOf(DiskAnnInputError);
    await expect(idx.searchAsync(q, k, { among: [3] })).rejects.toThrow(/search\(\)/);
    expect(() => idx.search(q, k, { accept: 'yes' as never })).toThrow(DiskAnnInputError);
    expect(() => idx.search(q, k, { accept: pass, maxVisits: 0 })).toThrow(DiskAnnInputError);
  });

  it('searchAmong is an exact scan of the given ids (with labels and predicate), equal to brute force', async () => {
    const rnd = mulberry32(5);
    const labels = Array.from({ length: n }, () => [Math.floor(3 * rnd())]);
    const { idx, ds, attr, ids, rowOf } = await build(kernel, 71, labels);
    expect(idx.labelSize(0) + idx.labelSize(1) + idx.labelSize(2)).toBe(n);
    expect(idx.labelSize(0)).toBe(labels.filter((l) => l[0] === 0).length);
    expect(idx.labelSize(12345)).toBe(0);
    for (const size of [5, 60, 700]) {
      const chosen = new Set<number>();
      while (chosen.size < size) chosen.add(Math.floor(rnd() * n));
      // Unknown ids and duplicates are ignored.
      const among = [...[...chosen].map((i) => ids[i]!), ids[[...chosen][0]!]!, 999_999_999];
      for (let q = 0; q < 10; q++) {
        const query = row(ds.queries, q, dims);
        const truth = exactKnn(ds.base, n, query, 1, dims, k, 'cosine', (_q, i) => chosen.has(i))[0]!;
        const r = idx.searchAmong(query, k, among);
        expect(r.ids).toEqual(Array.from(truth, (i) => ids[i]!));
        expect(idx.search(query, k, { among })).toEqual(r);
        const both = (i: number): boolean => chosen.has(i) && labels[i]![0] === 1 && attr[i]! < 0.5;
        const t2 = exactKnn(ds.base, n, query, 1, dims, k, 'cosine', (_q, i) => both(i))[0]!;
        expect(idx.searchAmong(query, k, among, { labels: [1], accept: (id) => attr[rowOf(id)]! < 0.5 }).ids).toEqual(Array.from(t2, (i) => ids[i]!));
      }
    }
    expect(idx.searchAmong(row(ds.queries, 0, dims), k, []).ids).toEqual([]);
    expect(() => idx.searchAmong(row(ds.queries, 0, dims), k, [-1])).toThrow(DiskAnnInputError);
  });
});
