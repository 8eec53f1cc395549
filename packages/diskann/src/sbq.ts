// Statistical binary quantization (SBQ), as in pgvectorscale: per-dimension statistics of the data,
// 1 bit = x > mean; 2 bits = z-score cut at ±2/3 into three levels written as unary codes (00, 10, 11)
// in two bit planes, so popcount(a XOR b) equals the summed level difference.
import type { Views } from './layout.js';

export const Z_CUT = 2 / 3;

/** Fills mean/lo/hi from the vectors of `slots` (a sample is enough: statistics converge fast). */
export function trainSbq(v: Views, slots: ArrayLike<number>, n: number): void {
  const dims = v.layout.dims;
  const sum = new Float64Array(dims);
  const sq = new Float64Array(dims);
  const vec = v.vectors;
  for (let i = 0; i < n; i++) {
    const b = slots[i]! * dims;
    for (let d = 0; d < dims; d++) {
      const x = vec[b + d]!;
      sum[d]! += x;
      sq[d]! += x * x;
    }
  }
  for (let d = 0; d < dims; d++) {
    const m = n > 0 ? sum[d]! / n : 0;
    const variance = n > 0 ? Math.max(0, sq[d]! / n - m * m) : 0;
    const sd = Math.sqrt(variance);
    v.mean[d] = m;
    v.lo[d] = m - Z_CUT * sd;
    v.hi[d] = m + Z_CUT * sd;
  }
}

/** Encodes the f32 vector at element index `src` of v.f32 into the code at byte offset `dst`. */
export function encodeAt(v: Views, src: number, dst: number): void {
  const { dims, bits, codeBytes } = v.layout;
  const f32 = v.f32;
  const u8 = v.u8;
  u8.fill(0, dst, dst + codeBytes);
  if (bits === 1) {
    const mean = v.mean;
    for (let d = 0; d < dims; d++) {
      if (f32[src + d]! > mean[d]!) u8[dst + (d >>> 3)]! |= 1 << (d & 7);
    }
  } else {
    const lo = v.lo;
    const hi = v.hi;
    for (let d = 0; d < dims; d++) {
      const x = f32[src + d]!;
      if (x > lo[d]!) u8[dst + (d >>> 3)]! |= 1 << (d & 7);
      if (x > hi[d]!) {
        const b = dims + d;
        u8[dst + (b >>> 3)]! |= 1 << (b & 7);
      }
    }
  }
}

export function encodeSlot(v: Views, slot: number): void {
  const L = v.layout;
  encodeAt(v, (L.offVectors >>> 2) + slot * L.dims, L.offCodes + slot * L.codeBytes);
}
