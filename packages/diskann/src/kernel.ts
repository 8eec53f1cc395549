// One kernel interface, three implementations: portable TypeScript, WebAssembly SIMD128
// (csrc/kernels.c, committed .wasm) and an optional native AVX2 + FMA addon (csrc/native.c, compiled
// at install when a C compiler is present). All work on byte offsets into the index memory, so a
// batch never copies vectors or codes.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Views } from './layout.js';

export type KernelName = 'js' | 'wasm' | 'native';

export interface Kernel {
  readonly name: KernelName;
  /** f32 out[i] = distance(vector at byte offset qOff, stored vector ids[i]); ids are u32 at idsOff. */
  dist(qOff: number, idsOff: number, n: number, outOff: number): void;
  /** u32 out[i] = popcount(code at qcOff XOR stored code ids[i]). */
  ham(qcOff: number, idsOff: number, n: number, outOff: number): void;
  /**
   * RobustPrune's occlusion scan: dist() over ids[0..n) in blocks of 8, stopping after the first
   * block holding an occluder (distance ≤ 0 or dpj / distance > alpha). Returns how many
   * distances were written to out.
   */
  occlude(qOff: number, idsOff: number, n: number, outOff: number, dpj: number, alpha: number): number;
}

/** Block size of the occlusion scan: the same in both kernels, so both make the same decisions. */
export const OCCLUDE_BLOCK = 8;

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

  occlude(qOff: number, idsOff: number, n: number, outOff: number, dpj: number, alpha: number): number {
    const f32 = this.v.f32;
    for (let at = 0; at < n; at += OCCLUDE_BLOCK) {
      const m = Math.min(OCCLUDE_BLOCK, n - at);
      this.dist(qOff, idsOff + at * 4, m, outOff + at * 4);
      for (let i = at; i < at + m; i++) {
        const d = f32[(outOff >>> 2) + i]!;
        if (d <= 0 || Math.fround(dpj / d) > alpha) return at + m;
      }
    }
    return n;
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
  l2_occlude(q: number, base: number, dims: number, ids: number, n: number, out: number, dpj: number, alpha: number): number;
  cos_occlude(q: number, base: number, dims: number, ids: number, n: number, out: number, dpj: number, alpha: number): number;
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

/**
 * A kernel over the C exports (csrc/kernels.c compiled to WebAssembly, or csrc/native.c as an addon):
 * both take byte offsets into the index memory, so the two differ only in how they are instantiated.
 */
abstract class ExportsKernel implements Kernel {
  abstract readonly name: KernelName;
  private readonly fn: WasmExports['l2_batch'];
  private readonly hamFn: WasmExports['ham_batch'];
  private readonly occludeFn: WasmExports['l2_occlude'];
  private readonly base: number;
  private readonly dims: number;
  private readonly codes: number;
  private readonly codeBytes: number;

  constructor(v: Views, ex: WasmExports) {
    this.fn = v.layout.metric === 'l2' ? ex.l2_batch : ex.cos_batch;
    this.hamFn = ex.ham_batch;
    this.occludeFn = v.layout.metric === 'l2' ? ex.l2_occlude : ex.cos_occlude;
    this.base = v.layout.offVectors;
    this.dims = v.layout.dims;
    this.codes = v.layout.offCodes;
    this.codeBytes = v.layout.codeBytes;
  }

  dist(qOff: number, idsOff: number, n: number, outOff: number): void {
    this.fn(qOff, this.base, this.dims, idsOff, n, outOff);
  }

  occlude(qOff: number, idsOff: number, n: number, outOff: number, dpj: number, alpha: number): number {
    return this.occludeFn(qOff, this.base, this.dims, idsOff, n, outOff, dpj, alpha);
  }

  ham(qcOff: number, idsOff: number, n: number, outOff: number): void {
    this.hamFn(qcOff, this.codes, this.codeBytes, idsOff, n, outOff);
  }
}

export class WasmKernel extends ExportsKernel {
  readonly name = 'wasm' as const;

  constructor(v: Views, module: WebAssembly.Module) {
    super(v, new WebAssembly.Instance(module, { env: { memory: v.memory } }).exports as unknown as WasmExports);
  }
}

interface NativeAddon {
  supported: boolean;
  bind(view: Uint8Array): WasmExports;
}

let nativeAddon: NativeAddon | null | undefined;

/** Where scripts/build-native.mjs writes the addon (same relative path from src/ and dist/). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../native/hh_diskann.node', import.meta.url));

/**
 * Loads a native kernel addon from `path`; null when the file is missing, cannot be loaded (built
 * for another platform or Node ABI, truncated) or reports a CPU without AVX2/FMA.
 */
export function loadNativeAddon(path: string): NativeAddon | null {
  if (!existsSync(path)) return null;
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<NativeAddon>;
    return addon.supported === true && typeof addon.bind === 'function' ? (addon as NativeAddon) : null;
  } catch {
    return null;
  }
}

/** The installed addon, loaded once per thread (null: the engine falls back to WebAssembly). */
export function nativeAddonOrNull(): NativeAddon | null {
  if (nativeAddon === undefined) nativeAddon = loadNativeAddon(NATIVE_ADDON_PATH);
  return nativeAddon;
}

/** Same exports as the WebAssembly module, as native code over the same memory. */
export class NativeKernel extends ExportsKernel {
  readonly name = 'native' as const;
  /** The bound functions hold a raw pointer into this memory: keep it reachable as long as they are. */
  private readonly memory: WebAssembly.Memory;

  constructor(v: Views, addon: NativeAddon) {
    super(v, addon.bind(new Uint8Array(v.memory.buffer, 0, 1)));
    this.memory = v.memory;
  }
}

const KERNEL_NAMES: readonly KernelName[] = ['js', 'wasm', 'native'];

/** Kernels that can run in this process, fastest last. */
export function availableKernels(): KernelName[] {
  return KERNEL_NAMES.filter((k) => k === 'js' || (k === 'wasm' ? wasmModuleOrNull() !== null : nativeAddonOrNull() !== null));
}

/** Resolves 'auto' (and the HH_DISKANN_KERNEL override) to a concrete kernel name. */
export function resolveKernelName(requested: KernelName | 'auto' | undefined): KernelName {
  const env = process.env.HH_DISKANN_KERNEL || 'auto';
  const explicit = requested !== undefined && requested !== 'auto';
  if (!explicit && env !== 'auto' && !KERNEL_NAMES.includes(env as KernelName)) {
    // A typo must not silently pick another kernel than the operator asked for.
    throw new Error(`HH_DISKANN_KERNEL must be one of auto, ${KERNEL_NAMES.join(', ')} (got "${env}")`);
  }
  const want = explicit ? requested : (env as KernelName | 'auto');
  const available = availableKernels();
  if (want !== 'auto') {
    if (!available.includes(want)) {
      throw new Error(
        want === 'wasm'
          ? 'kernel "wasm" requested but WebAssembly SIMD kernels cannot load here'
          : `kernel "native" requested but the addon is not built (run: pnpm --filter @hh/diskann build:native) or this CPU lacks AVX2/FMA`,
      );
    }
    return want;
  }
  // Measured (README, kernels bench): native ≈ 1.5x WebAssembly SIMD on cached rows and ≈ 1.1-1.5x
  // on scattered ones (N-API call overhead included), WebAssembly 2-7x the JS kernel; prefer the
  // fastest that loads.
  return available[available.length - 1]!;
}

export function createKernel(name: KernelName, v: Views): Kernel {
  if (name === 'js') return new JsKernel(v);
  if (name === 'native') {
    const addon = nativeAddonOrNull();
    if (!addon) throw new Error('the native kernel addon is unavailable in this runtime');
    return new NativeKernel(v, addon);
  }
  const mod = wasmModuleOrNull();
  if (!mod) throw new Error('WebAssembly SIMD kernels are unavailable in this runtime');
  return new WasmKernel(v, mod);
}
