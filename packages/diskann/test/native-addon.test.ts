import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernel, loadNativeAddon, nativeAddonOrNull, resolveKernelName } from '../src/kernel.js';
import { Views, allocateMemory, computeLayout } from '../src/layout.js';

const script = fileURLToPath(new URL('../scripts/build-native.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hh-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(env: Record<string, string>, strict = false) {
  return spawnSync(process.execPath, [script, ...(strict ? ['--strict'] : [])], {
    env: { ...process.env, ...env }, encoding: 'utf8',
  });
}

describe('native kernel addon: build and fall-back', () => {
  it('without a compiler the install step explains and succeeds; --strict fails; nothing is left behind', () => {
    const out = join(dir, 'nocc', 'hh_diskann.node');
    const lenient = build({ CC: join(dir, 'no-such-compiler'), HH_DISKANN_NATIVE_OUT: out });
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toMatch(/native kernels not built .*no-such-compiler.*WebAssembly kernels will be used/);
    const strict = build({ CC: join(dir, 'no-such-compiler'), HH_DISKANN_NATIVE_OUT: out }, true);
    expect(strict.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown HH_DISKANN_KERNEL value is a clear error, not a silent fall-back', () => {
    const saved = process.env.HH_DISKANN_KERNEL;
    process.env.HH_DISKANN_KERNEL = 'avx512';
    try {
      expect(() => resolveKernelName('auto')).toThrow(/HH_DISKANN_KERNEL must be one of auto, js, wasm, native \(got "avx512"\)/);
      expect(resolveKernelName('js')).toBe('js'); // an explicit option still wins over the env var
    } finally {
      if (saved === undefined) delete process.env.HH_DISKANN_KERNEL;
      else process.env.HH_DISKANN_KERNEL = saved;
    }
  });

  it('a missing, foreign or truncated addon file loads as null (the engine then uses WASM)', () => {
    expect(loadNativeAddon(join(dir, 'absent.node'))).toBeNull();
    const junk = join(dir, 'junk.node');
    writeFileSync(junk, Buffer.from('\x7fELF truncated'));
    expect(loadNativeAddon(junk)).toBeNull();
  });

  it.runIf(nativeAddonOrNull() === null)('without the addon, auto resolves to wasm and forcing native says how to build it', () => {
    expect(resolveKernelName('auto')).toBe('wasm');
    expect(() => resolveKernelName('native')).toThrow(/build:native/);
  });

  it.runIf(nativeAddonOrNull() !== null)('a freshly built addon loads and computes the same distances as the installed one', () => {
    const out = join(dir, 'built', 'hh_diskann.node');
    const r = build({ HH_DISKANN_NATIVE_OUT: out }, true);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const addon = loadNativeAddon(out);
    expect(addon).not.toBeNull();
    expect(resolveKernelName('auto')).toBe('native');
    const layout = computeLayout({ dims: 16, metric: 'l2', capacity: 4, adjStride: 8, R: 8, bits: 2, maxLabels: 1, scratchSlots: 1 });
    const v = new Views(allocateMemory(layout), layout);
    for (let i = 0; i < 4 * 16; i++) v.vectors[i] = (i % 7) - 3;
    const fresh = addon!.bind(new Uint8Array(v.memory.buffer, 0, 1));
    const idsOff = layout.offScratch + 16 * 4 + layout.codeBytes;
    const outOff = idsOff + 4096 * 4;
    v.u32.set([1, 2, 3], idsOff >>> 2);
    fresh.l2_batch(layout.offVectors, layout.offVectors, 16, idsOff, 3, outOff);
    const a = Array.from(v.f32.subarray(outOff >>> 2, (outOff >>> 2) + 3));
    createKernel('js', v).dist(layout.offVectors, idsOff, 3, outOff);
    const b = Array.from(v.f32.subarray(outOff >>> 2, (outOff >>> 2) + 3));
    expect(a).toEqual(b);
    expect(a.some((x) => x > 0)).toBe(true);
  });
});
