// Distance kernels for @hh/diskann, compiled to WebAssembly SIMD128 (see scripts/build-wasm.sh).
// The module imports the engine's shared memory, so every pointer below is a byte offset into the
// SharedArrayBuffer that also backs the TypeScript views: no copies between JS and WASM.
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef unsigned long long u64;

static inline float hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

// out[i] = squared L2 distance between q and row ids[i] of base (row stride = dims floats).
__attribute__((export_name("l2_batch")))
void l2_batch(const float *q, const float *base, u32 dims, const u32 *ids, u32 n, float *out) {
  u32 d16 = dims & ~15u, d4 = dims & ~3u;
  for (u32 i = 0; i < n; i++) {
    const float *v = base + (unsigned long)ids[i] * dims;
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    u32 d = 0;
    for (; d < d16; d += 16) {
      v128_t x0 = wasm_f32x4_sub(wasm_v128_load(q + d), wasm_v128_load(v + d));
      v128_t x1 = wasm_f32x4_sub(wasm_v128_load(q + d + 4), wasm_v128_load(v + d + 4));
      v128_t x2 = wasm_f32x4_sub(wasm_v128_load(q + d + 8), wasm_v128_load(v + d + 8));
      v128_t x3 = wasm_f32x4_sub(wasm_v128_load(q + d + 12), wasm_v128_load(v + d + 12));
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(x0, x0));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(x1, x1));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(x2, x2));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(x3, x3));
    }
    for (; d < d4; d += 4) {
      v128_t x0 = wasm_f32x4_sub(wasm_v128_load(q + d), wasm_v128_load(v + d));
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(x0, x0));
    }
    float s = hsum(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)));
    for (; d < dims; d++) { float x = q[d] - v[d]; s += x * x; }
    out[i] = s;
  }
}

// out[i] = 1 - dot(q, row ids[i]); rows are stored L2-normalised for the cosine metric.
__attribute__((export_name("cos_batch")))
void cos_batch(const float *q, const float *base, u32 dims, const u32 *ids, u32 n, float *out) {
  u32 d16 = dims & ~15u, d4 = dims & ~3u;
  for (u32 i = 0; i < n; i++) {
    const float *v = base + (unsigned long)ids[i] * dims;
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    u32 d = 0;
    for (; d < d16; d += 16) {
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(q + d), wasm_v128_load(v + d)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(q + d + 4), wasm_v128_load(v + d + 4)));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(q + d + 8), wasm_v128_load(v + d + 8)));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(q + d + 12), wasm_v128_load(v + d + 12)));
    }
    for (; d < d4; d += 4) {
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(q + d), wasm_v128_load(v + d)));
    }
    float s = hsum(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)));
    for (; d < dims; d++) s += q[d] * v[d];
    out[i] = 1.0f - s;
  }
}

// out[i] = popcount(qc XOR code[ids[i]]); codeBytes is a multiple of 16 (engine pads codes).
// i64.popcnt maps to one POPCNT instruction on x86-64, cheaper than the i8x16.popcnt emulation.
__attribute__((export_name("ham_batch")))
void ham_batch(const u64 *qc, const u64 *codes, u32 codeBytes, const u32 *ids, u32 n, u32 *out) {
  u32 words = codeBytes >> 3;
  for (u32 i = 0; i < n; i++) {
    const u64 *c = codes + (unsigned long)ids[i] * words;
    u32 s0 = 0, s1 = 0;
    u32 w = 0;
    for (; w + 1 < words; w += 2) {
      s0 += (u32)__builtin_popcountll(qc[w] ^ c[w]);
      s1 += (u32)__builtin_popcountll(qc[w + 1] ^ c[w + 1]);
    }
    for (; w < words; w++) s0 += (u32)__builtin_popcountll(qc[w] ^ c[w]);
    out[i] = s0 + s1;
  }
}
