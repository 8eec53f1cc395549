import { afterAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex, exactKnn, mulberry32, recallAtK } from '../src/index.js';
import { clusteredDataset } from '../src/dataset.js';
import { KERNELS, row } from './helpers.js';

const open: DiskAnnIndex[] = [];
afterAll(async () => {
  await Promise.all(open.map((i) => i.close()));
});

const dims = 32;
const n = 3000;

function labelled(seed: number): { labels: number[][]; ds: ReturnType<typeof clusteredDataset> } {
  const rnd = mulberry32(seed);
  const ds = clusteredDataset({ n, nq: 60, dims, clusters: 15, seed });
  // Tenants 0..39 with skewed sizes (a few big, many tiny), plus 0–2 "occupation" labels 1000..1019.
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const tenant = Math.floor(40 * rnd() ** 2);
    const ls = [tenant];
    const occ = Math.floor(rnd() * 3);
    for (let j = 0; j < occ; j++) ls.push(1000 + Math.floor(rnd() * 20));
    labels.push(ls);
  }
  return { labels, ds };
}

describe.each(KERNELS)('label filters (%s kernel)', (kernel) => {
  it('a filtered query never returns a point without every requested label (property test)', async () => {
    const { labels, ds } = labelled(17);
    // Threshold 60: big tenants use the label-restricted graph, small ones the exact scan.
    const idx = new DiskAnnIndex({ dims, R: 24, buildListSize: 48, kernel, exactScanThreshold: 60, trainThreshold: 256 });
    open.push(idx);
    await idx.build({ ids: Array.from({ length: n }, (_, i) => i * 3 + 1), vectors: ds.base, labels }, { threads: 1 });
    const labelOf = new Map<number, number[]>();
    for (let i = 0; i < n; i++) labelOf.set(i * 3 + 1, labels[i]!);
    const rnd = mulberry32(5);
    const check = (ids: number[], want: number[]): void => {
      for (const id of ids) {
        const have = labelOf.get(id);
        expect(have, `id ${id} returned for labels ${want}`).toBeDefined();
        for (const l of want) expect(have!.includes(l), `id ${id} lacks label ${l}`).toBe(true);
      }
    };
    let graphQueries = 0;
    for (let t = 0; t < 300; t++) {
      const want = [Math.floor(40 * rnd())];
      if (rnd() < 0.4) want.push(1000 + Math.floor(rnd() * 20));
      if (rnd() < 0.05) want.push(5000); // a label nobody has
      const query = row(ds.queries, t % ds.nq, dims);
      const quantized = rnd() < 0.5;
      const r = idx.search(query, 10, { labels: want, quantized, listSize: 20 + Math.floor(rnd() * 80) });
      check(r.ids, want);
      if (want.includes(5000)) expect(r.ids).toEqual([]);
      if (t % 10 === 0) check((await idx.searchAsync(query, 10, { labels: want })).ids, want);
      const it = idx.iterate(query, { labels: want });
      let m = 0;
      for (const x of it) {
        check([x.id], want);
        if (++m >= 15) break;
      }
      // Rotate some data through the index: relabel points (upsert) and delete a few.
      const victim = Math.floor(rnd() * n);
      const id = victim * 3 + 1;
      if (rnd() < 0.5) {
        const nl = [Math.floor(40 * rnd())];
        idx.upsert(id, row(ds.base, victim, dims), nl);
        labelOf.set(id, nl);
      } else if (idx.delete(id)) {
        labelOf.delete(id);
      }
      if (t === 150) await idx.consolidate();
      const sizes = idx._internals();
      void sizes;
      graphQueries++;
    }
    expect(graphQueries).toBe(300);
  });

  it('filtered recall on the label subgraph (exact scan disabled) stays above the floor', async () => {
    const { labels, ds } = labelled(23);
    const idx = new DiskAnnIndex({ dims, R: 24, buildListSize: 48, kernel, exactScanThreshold: 0, trainThreshold: 256 });
    open.push(idx);
    await idx.build({ ids: Array.from({ length: n }, (_, i) => i), vectors: ds.base, labels }, { threads: 1 });
    const tenants = [0, 1, 2, 5, 9];
    const ql = Array.from({ length: ds.nq }, (_, i) => tenants[i % tenants.length]!);
    const gt = exactKnn(ds.base, n, ds.queries, ds.nq, dims, 10, 'cosine', (qi, i) => labels[i]!.includes(ql[qi]!));
    const found = Array.from({ length: ds.nq }, (_, qi) => idx.search(row(ds.queries, qi, dims), 10, { labels: [ql[qi]!] }).ids);
    expect(recallAtK(found, gt, 10)).toBeGreaterThanOrEqual(0.95);
    // The exact-scan path is exact.
    const exact = Array.from({ length: ds.nq }, (_, qi) => idx.search(row(ds.queries, qi, dims), 10, { labels: [ql[qi]!], exact: true }).ids);
    expect(recallAtK(exact, gt, 10)).toBe(1);
  });
});
