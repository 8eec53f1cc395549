import { describe, expect, it } from 'vitest';
import { GraphCore } from '../src/graph.js';
import { JsKernel, availableKernels, createKernel, nativeAddonOrNull, wasmModuleOrNull, type Kernel } from '../src/kernel.js';
import { LIVE, Views, allocateMemory, computeLayout, type Metric } from '../src/layout.js';
import { encodeSlot, trainSbq } from '../src/sbq.js';
import { mulberry32 } from '../src/engine.js';

function makeViews(dims: number, capacity: number, metric: Metric = 'l2', bits: 1 | 2 = 2): Views {
  const layout = computeLayout({ dims, metric, capacity, adjStride: 8, R: 8, bits, maxLabels: 4, scratchSlots: 2 });
  return new Views(allocateMemory(layout), layout);
}

function put(v: Views, slot: number, vec: number[], labels: number[] = []): void {
  v.vectors.set(vec, slot * v.layout.dims);
  v.flags[slot] = LIVE;
  v.labelCount[slot] = labels.length;
  v.labels.set(labels, slot * v.layout.maxLabels);
}

function pruneOf(core: GraphCore, p: number, cands: number[], R: number): number[] {
  const ids = Uint32Array.from(cands);
  const d = new Float32Array(cands.length);
  core.distMany(core.vectorOffset(p), ids, ids.length, d);
  const n = core.prune(p, ids, d, ids.length, R);
  return Array.from(core.lastPrune(n)).sort((a, b) => a - b);
}

describe('RobustPrune', () => {
  const v = makeViews(2, 16);
  // p at the origin; c1 on the x axis; c2 behind c1 (occluded); c3 orthogonal (kept);
  // c4 occluded by c1 with factor ≈ 1.0998: dropped at α = 1, kept by the α ramp up to 1.2.
  put(v, 0, [0, 0]);
  put(v, 1, [1, 0]);
  put(v, 2, [2, 0]);
  put(v, 3, [0, 1]);
  put(v, 4, [0.55, Math.sqrt(0.8)]);

  it('drops a candidate occluded by a closer neighbour and keeps orthogonal ones', () => {
    const core = new GraphCore(v, new JsKernel(v), 0, { R: 8, alpha: 1.0, buildListSize: 10, maxCandidates: 750 });
    expect(pruneOf(core, 0, [1, 2, 3], 8)).toEqual([1, 3]);
  });

  it('the α ramp admits candidates with occlusion factor ≤ α that α = 1 rejects', () => {
    const strict = new GraphCore(v, new JsKernel(v), 0, { R: 8, alpha: 1.0, buildListSize: 10, maxCandidates: 750 });
    const ramp = new GraphCore(v, new JsKernel(v), 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
    expect(pruneOf(strict, 0, [1, 2, 4], 8)).toEqual([1]);
    expect(pruneOf(ramp, 0, [1, 2, 4], 8)).toEqual([1, 4]);
  });

  it('respects R and prefers the closest candidates', () => {
    const core = new GraphCore(v, new JsKernel(v), 0, { R: 1, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
    expect(pruneOf(core, 0, [3, 2, 1, 4], 1)).toEqual([1]);
  });

  it('label-aware: a neighbour cannot occlude a candidate sharing a label with p that it lacks', () => {
    const w = makeViews(2, 16);
    put(w, 0, [0, 0], [7]);
    put(w, 1, [1, 0], []);
    put(w, 2, [2, 0], [7]);
    put(w, 3, [3, 0], []);
    const core = new GraphCore(w, new JsKernel(w), 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
    // 2 survives (label 7 shared with p, 1 lacks it); 3 is occluded (shares no label with p).
    expect(pruneOf(core, 0, [1, 2, 3], 8)).toEqual([1, 2]);
  });

  it('exact duplicates occlude each other, deterministically by slot', () => {
    const w = makeViews(2, 64);
    put(w, 0, [0, 0]);
    for (let s = 1; s <= 20; s++) put(w, s, [1, 1]);
    put(w, 21, [-1, 1]);
    const core = new GraphCore(w, new JsKernel(w), 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
    const cands = Array.from({ length: 21 }, (_, i) => 21 - i);
    expect(pruneOf(core, 0, cands, 8)).toEqual([1, 21]);
  });
});

describe('RobustPrune across kernels', () => {
  it('every kernel selects the same neighbours from 120 random candidates (unlabelled occlusion scan)', () => {
    const dims = 64;
    const v = makeViews(dims, 200, 'cosine');
    const rnd = mulberry32(99);
    for (let s = 0; s < 121; s++) {
      const x = Array.from({ length: dims }, () => rnd() * 2 - 1);
      const norm = Math.hypot(...x);
      put(v, s, x.map((e) => e / norm));
    }
    const cands = Array.from({ length: 120 }, (_, i) => i + 1);
    const picks = availableKernels().map((k) => {
      const core = new GraphCore(v, createKernel(k, v), 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
      return pruneOf(core, 0, cands, 8);
    });
    expect(picks[0]!.length).toBe(8);
    for (const p of picks) expect(p).toEqual(picks[0]);
  });
});

describe('SBQ', () => {
  it('1-bit codes set bit d when x_d > mean_d', () => {
    const v = makeViews(16, 4, 'l2', 1);
    put(v, 0, Array.from({ length: 16 }, (_, d) => d));
    put(v, 1, Array.from({ length: 16 }, (_, d) => -d));
    trainSbq(v, [0, 1], 2);
    expect(Array.from(v.mean)).toEqual(Array.from({ length: 16 }, () => 0));
    encodeSlot(v, 0);
    encodeSlot(v, 1);
    const cb = v.layout.codeBytes;
    // slot 0: dims 1..15 above the mean (0 is equal, not above)
    expect(v.codes[0]).toBe(0b11111110);
    expect(v.codes[1]).toBe(0xff);
    expect(Array.from(v.codes.subarray(cb, cb + 2))).toEqual([0, 0]);
  });

  it('2-bit thresholds sit at mean ± 2/3·σ and XOR-popcount equals the level difference', () => {
    const dims = 4;
    const v = makeViews(dims, 8, 'l2', 2);
    // dim values {−3, 3} → mean 0, σ 3 → cuts at ±2
    put(v, 0, [-3, -3, -3, -3]);
    put(v, 1, [3, 3, 3, 3]);
    trainSbq(v, [0, 1], 2);
    expect(v.mean[0]).toBeCloseTo(0);
    expect(v.lo[0]).toBeCloseTo(-2);
    expect(v.hi[0]).toBeCloseTo(2);
    put(v, 2, [-2.5, 0, 2.5, 1.9]); // levels 0, 1, 2, 1
    put(v, 3, [2.5, 2.5, -2.5, 1.9]); // levels 2, 2, 0, 1
    for (const s of [0, 1, 2, 3]) encodeSlot(v, s);
    const k = new JsKernel(v);
    const core = new GraphCore(v, k, 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
    const u32 = v.u32;
    u32[core.sIds >>> 2] = 3;
    v.u8.set(v.codes.subarray(2 * v.layout.codeBytes, 3 * v.layout.codeBytes), core.sCode);
    k.ham(core.sCode, core.sIds, 1, core.sOut);
    // |0−2| + |1−2| + |2−0| + |1−1| = 5
    expect(u32[core.sOut >>> 2]).toBe(5);
  });
});

describe('kernels', () => {
  const hasWasm = wasmModuleOrNull() !== null;
  it('the WASM SIMD module loads on this runtime', () => {
    expect(hasWasm).toBe(true);
  });
  // CI builds the addon (.ci/run sets HH_EXPECT_NATIVE=1), so there a missing addon fails instead of
  // silently testing two kernels out of three.
  it.runIf(process.env.HH_EXPECT_NATIVE === '1')('the native AVX2 addon loads on this machine', () => {
    expect(nativeAddonOrNull()).not.toBeNull();
    expect(availableKernels()).toEqual(['js', 'wasm', 'native']);
  });

  for (const metric of ['l2', 'cosine'] as const) {
    for (const dims of [7, 64, 100, 768]) {
      it(`every kernel agrees on ${metric} distances, Hamming and occlusion scans (dims ${dims})`, () => {
        const n = 200;
        const v = makeViews(dims, n + 1, metric, 2);
        const rnd = mulberry32(dims);
        for (let s = 0; s < n; s++) {
          const x = Array.from({ length: dims }, () => rnd() * 2 - 1);
          if (metric === 'cosine') {
            const norm = Math.hypot(...x);
            for (let d = 0; d < dims; d++) x[d]! /= norm;
          }
          put(v, s, x);
        }
        trainSbq(v, Array.from({ length: n }, (_, i) => i), n);
        for (let s = 0; s < n; s++) encodeSlot(v, s);
        const kernels: Kernel[] = availableKernels().map((k) => createKernel(k, v));
        const core = new GraphCore(v, kernels[0]!, 0, { R: 8, alpha: 1.2, buildListSize: 10, maxCandidates: 750 });
        const ids = [3, ...Array.from({ length: 63 }, () => Math.floor(rnd() * n))];
        v.u32.set(ids, core.sIds >>> 2);
        const qOff = core.vectorOffset(3);
        const qcOff = v.layout.offCodes + 3 * v.layout.codeBytes;
        const res = kernels.map((k) => {
          k.dist(qOff, core.sIds, ids.length, core.sOut);
          const d = Array.from(v.f32.subarray(core.sOut >>> 2, (core.sOut >>> 2) + ids.length));
          k.ham(qcOff, core.sIds, ids.length, core.sOut);
          const h = Array.from(v.u32.subarray(core.sOut >>> 2, (core.sOut >>> 2) + ids.length));
          return { d, h };
        });
        // Reference distances in float64.
        const ref = ids.map((id) => {
          let s = 0;
          for (let d = 0; d < dims; d++) {
            const a = v.vectors[3 * dims + d]!;
            const b = v.vectors[id * dims + d]!;
            s += metric === 'l2' ? (a - b) ** 2 : a * b;
          }
          return metric === 'l2' ? s : 1 - s;
        });
        for (const r of res) {
          r.d.forEach((x, i) => expect(Math.abs(x - ref[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[i]!))));
        }
        for (const r of res.slice(1)) expect(r.h).toEqual(res[0]!.h);
        // Occlusion scan: stops after the first block of 8 holding a row with dpj / d > alpha. Rows
        // 1..63 against row 3 with a threshold that the k-th nearest of them crosses.
        const rows = ids.slice(1);
        v.u32.set(rows, core.sIds >>> 2);
        const sorted = rows.map((id) => ref[ids.indexOf(id)]!).sort((a, b) => a - b);
        for (const rank of [0, 5, 20, 62]) {
          const dpj = sorted[rank]! * 1.2 * 1.0001;
          const scans = kernels.map((k) => k.occlude(qOff, core.sIds, rows.length, core.sOut, dpj, 1.2));
          const firstHit = rows.findIndex((id) => ref[ids.indexOf(id)]! < dpj / 1.2);
          expect(scans[0]).toBe(firstHit < 0 ? rows.length : Math.min(rows.length, (Math.floor(firstHit / 8) + 1) * 8));
          for (const s of scans) expect(s).toBe(scans[0]);
        }
        expect(res[0]!.h[0]).toBe(0);
        expect(Math.max(...res[0]!.h)).toBeGreaterThan(0);
      });
    }
  }
});
