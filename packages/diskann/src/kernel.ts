// One kernel interface, two implementations: portable TypeScript and WebAssembly SIMD128 (csrc/kernels.c).
// Both work on byte offsets into the index memory, so a batch never copies vectors or codes.
import { readFileSync } from 'node:fs';
import type { Views } from './layout.js';

export type KernelName = 'js' | 'wasm';

export interface Kernel {
  readonly name: KernelName;
  /** f32 out[i] = distance(vector at byte offset qOff, stored vector ids[i]); ids are u32 at idsOff. */
  dist(qOff: number, idsOff: number, n: number, outOff: number): void;
  /** u32 out[i] = popcount(code at qcOff XOR stored code ids[i]). */
  ham(qcOff: number, idsOff: number, n: number, outOff: number): void;
}

export class JsKernel implements Kernel {
  readonly name = 'js' as const;
  constructor(private readonly v: Views) {}

  dist(qOff: number, idsOff: number, n: number, outOff: number): void {
    const { f32, u32, layout } = this.v;
    const dims = layout.dims;
    const q = qOff >>> 2;
    const ids = idsOff >>> 2;
    const out = outOff >>> 2;
    const base = layout.offVectors >>> 2;
    const d4 = dims & ~3;
    if (layout.metric === 'l2') {
      for (let i = 0; i < n; i++) {
        const b = base + u32[ids + i]! * dims;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let d = 0;
        for (; d < d4; d += 4) {
          const x0 = f32[q + d]! - f32[b + d]!;
          const x1 = f32[q + d + 1]! - f32[b + d + 1]!;
          const x2 = f32[q + d + 2]! - f32[b + d + 2]!;
          const x3 = f32[q + d + 3]! - f32[b + d + 3]!;
          s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
        }
        for (; d < dims; d++) { const x = f32[q + d]! - f32[b + d]!; s0 += x * x; }
        f32[out + i] = s0 + s1 + s2 + s3;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = base + u32[ids + i]! * dims;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let d = 0;
        for (; d < d4; d += 4) {
          s0 += f32[q + d]! * f32[b + d]!;
          s1 += f32[q + d + 1]! * f32[b + d + 1]!;
          s2 += f32[q + d + 2]! * f32[b + d + 2]!;
          s3 += f32[q + d + 3]! * f32[b + d + 3]!;
        }
        for (; d < dims; d++) s0 += f32[q + d]! * f32[b + d]!;
        f32[out + i] = 1 - (s0 + s1 + s2 + s3);
      }
    }
  }

  ham(qcOff: number, idsOff: number, n: number, outOff: number): void {
    const { u32, layout } = this.v;
    const words = layout.codeBytes >>> 2;
    const qc = qcOff >>> 2;
    const ids = idsOff >>> 2;
    const out = outOff >>> 2;
    const base = layout.offCodes >>> 2;
    for (let i = 0; i < n; i++) {
      const b = base + u32[ids + i]! * words;
      let s = 0;
      for (let w = 0; w < words; w++) {
        let x = u32[qc + w]! ^ u32[b + w]!;
        x -= (x >>> 1) & 0x55555555;
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        x = (x + (x >>> 4)) & 0x0f0f0f0f;
        s += Math.imul(x, 0x01010101) >>> 24;
      }
      u32[out + i] = s;
    }
  }
}

interface WasmExports {
  l2_batch(q: number, base: number, dims: number, ids: number, n: number, out: number): void;
  cos_batch(q: number, base: number, dims: number, ids: number, n: number, out: number): void;
  ham_batch(qc: number, codes: number, codeBytes: number, ids: number, n: number, out: number): void;
}

let wasmModule: WebAssembly.Module | null | undefined;

/** Compiles the committed kernels.wasm once per thread; null when this runtime cannot (no SIMD). */
export function wasmModuleOrNull(): WebAssembly.Module | null {
  if (wasmModule !== undefined) return wasmModule;
  try {
    // Same relative path from src/ (vitest, tsx) and dist/ (compiled): both sit next to wasm/.
    const bytes = readFileSync(new URL('../wasm/kernels.wasm', import.meta.url));
    wasmModule = new WebAssembly.Module(bytes);
  } catch {
    wasmModule = null;
  }
  return wasmModule;
}

export class WasmKernel implements Kernel {
  readonly name = 'wasm' as const;
  private readonly fn: WasmExports['l2_batch'];
  private readonly hamFn: WasmExports['ham_batch'];
  private readonly base: number;
  private readonly dims: number;
  private readonly codes: number;
  private readonly codeBytes: number;

  constructor(v: Views, module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, { env: { memory: v.memory } });
    const ex = inst.exports as unknown as WasmExports;
    this.fn = v.layout.metric === 'l2' ? ex.l2_batch : ex.cos_batch;
    this.hamFn = ex.ham_batch;
    this.base = v.layout.offVectors;
    this.dims = v.layout.dims;
    this.codes = v.layout.offCodes;
    this.codeBytes = v.layout.codeBytes;
  }

  dist(qOff: number, idsOff: number, n: number, outOff: number): void {
    this.fn(qOff, this.base, this.dims, idsOff, n, outOff);
  }

  ham(qcOff: number, idsOff: number, n: number, outOff: number): void {
    this.hamFn(qcOff, this.codes, this.codeBytes, idsOff, n, outOff);
  }
}

/** Resolves 'auto' (and the HH_DISKANN_KERNEL override) to a concrete kernel name. */
export function resolveKernelName(requested: KernelName | 'auto' | undefined): KernelName {
  const env = process.env.HH_DISKANN_KERNEL;
  const want = requested && requested !== 'auto' ? requested : env === 'js' || env === 'wasm' ? env : 'auto';
  if (want === 'js') return 'js';
  const mod = wasmModuleOrNull();
  if (want === 'wasm' && !mod) throw new Error('HH_DISKANN_KERNEL=wasm but WebAssembly SIMD kernels cannot load here');
  // WASM SIMD measured 2-4x faster than the JS kernel for 768-d (see README); prefer it whenever it loads.
  return mod ? 'wasm' : 'js';
}

export function createKernel(name: KernelName, v: Views): Kernel {
  if (name === 'js') return new JsKernel(v);
  const mod = wasmModuleOrNull();
  if (!mod) throw new Error('WebAssembly SIMD kernels are unavailable in this runtime');
  return new WasmKernel(v, mod);
}
