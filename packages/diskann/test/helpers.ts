import { DiskAnnIndex, type DiskAnnOptions } from '../src/index.js';
import { clusteredDataset } from '../src/dataset.js';
import { availableKernels } from '../src/kernel.js';

/** Every kernel this process can run (js, wasm, and native where the addon was built). */
export const KERNELS = availableKernels();

export function row(data: Float32Array, i: number, dims: number): Float32Array {
  return data.subarray(i * dims, (i + 1) * dims);
}

export async function builtIndex(opts: Partial<DiskAnnOptions> & { n: number; dims: number; seed?: number; threads?: number; labels?: (number[] | undefined)[] }) {
  const ds = clusteredDataset({ n: opts.n, nq: 50, dims: opts.dims, clusters: 20, seed: opts.seed ?? 1 });
  const idx = new DiskAnnIndex({ R: 32, buildListSize: 64, trainThreshold: 256, ...opts });
  const ids = Array.from({ length: opts.n }, (_, i) => i);
  await idx.build({ ids, vectors: ds.base, labels: opts.labels }, { threads: opts.threads ?? 1 });
  return { idx, ds };
}
