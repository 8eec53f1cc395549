// RobustPrune's occlusion scan, shared by kernels.c (WebAssembly) and native.c (AVX2). The including
// file defines u32, score_batch(q, base, dims, ids, n, out, l2) and OCCLUDE_ATTRS (its function
// attributes) first.
//
// Distances from candidate row q to the selected rows ids[0..n), in blocks of 8 (OCCLUDE_BLOCK in
// src/kernel.ts, which the TypeScript kernel uses too), stopping after the first block that holds an
// occluder: a row at distance <= 0, or with dpj / d > alpha — divided in double and rounded to float,
// as the TypeScript prune stores it. Returns how many distances it wrote. One call per candidate
// visit instead of one per block of 8.
static inline OCCLUDE_ATTRS u32 occlude_scan(const float *q, const float *base, u32 dims, const u32 *ids, u32 n,
                                             float *out, double dpj, double alpha, const int l2) {
  for (u32 at = 0; at < n; at += 8) {
    u32 m = n - at < 8 ? n - at : 8;
    score_batch(q, base, dims, ids + at, m, out + at, l2);
    for (u32 i = at; i < at + m; i++) {
      if (out[i] <= 0 || (double)(float)(dpj / (double)out[i]) > alpha) return at + m;
    }
  }
  return n;
}
