// Kernel micro-benchmark: `node dist/bench/kernels.js [n] [dims] [batch]`. Distances per second for the JS and
// WASM and native kernels over random slots (random access, like a graph search) for f32 and SBQ Hamming.
import { GraphCore } from '../graph.js';
import { availableKernels, createKernel, type Kernel } from '../kernel.js';
import { LIVE, Views, allocateMemory, computeLayout } from '../layout.js';
import { encodeSlot, trainSbq } from '../sbq.js';
import { mulberry32 } from '../engine.js';

const n = Number(process.argv[2] ?? 200_000);
const dims = Number(process.argv[3] ?? 768);
const batch = Number(process.argv[4] ?? 64);
for (const metric of ['cosine', 'l2'] as const) {
  const layout = computeLayout({ dims, metric, capacity: n, adjStride: 8, R: 8, bits: 2, maxLabels: 1, scratchSlots: 1 });
  const v = new Views(allocateMemory(layout), layout);
  const rnd = mulberry32(1);
  for (let i = 0; i < n * dims; i++) v.vectors[i] = rnd() - 0.5;
  v.flags.fill(LIVE, 0, n);
  trainSbq(v, Array.from({ length: 10_000 }, (_, i) => i), 10_000);
  for (let s = 0; s < n; s++) encodeSlot(v, s);
  const kernels: Kernel[] = availableKernels().map((name) => createKernel(name, v));
  const core = new GraphCore(v, kernels[0]!, 0, { R: 8, alpha: 1.2, buildListSize: 8, maxCandidates: 8 });

  const pool = Uint32Array.from({ length: 1 << 20 }, () => Math.floor(rnd() * n));
  for (const k of kernels) {
    for (const what of ['dist', 'ham'] as const) {
      let done = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1500) {
        const at = (done / batch) % ((1 << 20) / batch);
        v.u32.set(pool.subarray(at * batch, at * batch + batch), core.sIds >>> 2);
        if (what === 'dist') k.dist(core.vectorOffset(0), core.sIds, batch, core.sOut);
        else k.ham(layout.offCodes, core.sIds, batch, core.sOut);
        done += batch;
      }
      const rate = done / ((performance.now() - t0) / 1000);
      console.log(`${metric.padEnd(6)} ${k.name.padEnd(6)} ${what === 'dist' ? `f32 ${metric}` : 'sbq2 hamming'}: ${(rate / 1e6).toFixed(2)} M/s (${dims}-d, ${n} vectors, random access)`);
    }
  }
}
