// Native (N-API) distance kernels for @hh/diskann: the same exports as kernels.c, on x86-64 AVX2 + FMA
// (8 lanes and a fused multiply-add, where WebAssembly SIMD has 4 lanes and separate mul/add).
// Optional: scripts/build-native.mjs compiles it at install when a C compiler and Node's headers are
// present; otherwise, or on a CPU without AVX2/FMA, the engine uses the WebAssembly kernels.
// Every pointer argument is a byte offset into the index memory bound with bind().
#include <node_api.h>
#include <stdint.h>
#include <immintrin.h>

typedef uint32_t u32;
typedef uint64_t u64;

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// Rows in blocks of 4 (4 cache-miss streams in flight, 4 accumulators x 2 for FMA latency).
// `next` (may be NULL) are the rows of the following block: their cache lines are prefetched in step
// with this block's, so a batch of scattered rows keeps its misses overlapped with arithmetic.
AVX2 static inline __attribute__((always_inline)) void score_rows(const float *q, const float *base, u32 dims,
                                                                  const u32 *ids, float *out, const int rows, const int l2,
                                                                  const u32 *next, int nextRows) {
  const float *v[4], *w[4];
  for (int k = 0; k < nextRows; k++) w[k] = base + (size_t)next[k] * dims;
  __m256 a[4], b[4];
  for (int k = 0; k < rows; k++) {
    v[k] = base + (size_t)ids[k] * dims;
    a[k] = _mm256_setzero_ps();
    b[k] = _mm256_setzero_ps();
  }
  u32 d16 = dims & ~15u, d = 0;
  for (; d < d16; d += 16) {
    __m256 q0 = _mm256_loadu_ps(q + d), q1 = _mm256_loadu_ps(q + d + 8);
    for (int k = 0; k < nextRows; k++) _mm_prefetch((const char *)(w[k] + d), _MM_HINT_T0);
    for (int k = 0; k < rows; k++) {
      __m256 x0 = _mm256_loadu_ps(v[k] + d), x1 = _mm256_loadu_ps(v[k] + d + 8);
      if (l2) {
        __m256 t0 = _mm256_sub_ps(q0, x0), t1 = _mm256_sub_ps(q1, x1);
        a[k] = _mm256_fmadd_ps(t0, t0, a[k]);
        b[k] = _mm256_fmadd_ps(t1, t1, b[k]);
      } else {
        a[k] = _mm256_fmadd_ps(q0, x0, a[k]);
        b[k] = _mm256_fmadd_ps(q1, x1, b[k]);
      }
    }
  }
  for (int k = 0; k < rows; k++) {
    float s = hsum8(_mm256_add_ps(a[k], b[k]));
    for (u32 e = d; e < dims; e++) {
      if (l2) { float t = q[e] - v[k][e]; s += t * t; } else { s += q[e] * v[k][e]; }
    }
    out[k] = l2 ? s : 1.0f - s;
  }
}

AVX2 static inline __attribute__((always_inline)) void score_batch(const float *q, const float *base, u32 dims,
                                                                   const u32 *ids, u32 n, float *out, const int l2) {
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    u32 left = n - i - 4;
    score_rows(q, base, dims, ids + i, out + i, 4, l2, ids + i + 4, left < 4 ? (int)left : 4);
  }
  for (; i < n; i++) score_rows(q, base, dims, ids + i, out + i, 1, l2, ids + i + 1, i + 1 < n ? 1 : 0);
}

#define OCCLUDE_ATTRS AVX2
#include "occlude.h"

__attribute__((target("popcnt"))) static void ham_batch(const u64 *qc, const u64 *codes, u32 codeBytes,
                                                        const u32 *ids, u32 n, u32 *out) {
  u32 words = codeBytes >> 3;
  for (u32 i = 0; i < n; i++) {
    const u64 *c = codes + (size_t)ids[i] * words;
    u32 s = 0;
    for (u32 w = 0; w < words; w++) s += (u32)__builtin_popcountll(qc[w] ^ c[w]);
    out[i] = s;
  }
}

AVX2 static void l2_batch(const float *q, const float *b, u32 dims, const u32 *ids, u32 n, float *out) { score_batch(q, b, dims, ids, n, out, 1); }
AVX2 static void cos_batch(const float *q, const float *b, u32 dims, const u32 *ids, u32 n, float *out) { score_batch(q, b, dims, ids, n, out, 0); }

// ---------- N-API binding ----------
// bind(view) returns functions whose callback data is the view's base address, so each call passes
// only byte offsets (as the WebAssembly exports take them) and nothing is copied.

#define ARGS(N)                                                                  \
  size_t argc = N;                                                               \
  napi_value argv[N];                                                            \
  void *data;                                                                    \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < N) return NULL; \
  uint8_t *mem = (uint8_t *)data;                                                \
  u32 a[N];                                                                      \
  for (size_t i = 0; i < N; i++) napi_get_value_uint32(env, argv[i], &a[i]);

static napi_value js_dist(napi_env env, napi_callback_info info, int l2) {
  ARGS(6)
  // a: q, base, dims, ids, n, out
  if (l2) l2_batch((const float *)(mem + a[0]), (const float *)(mem + a[1]), a[2], (const u32 *)(mem + a[3]), a[4], (float *)(mem + a[5]));
  else cos_batch((const float *)(mem + a[0]), (const float *)(mem + a[1]), a[2], (const u32 *)(mem + a[3]), a[4], (float *)(mem + a[5]));
  return NULL;
}
static napi_value js_l2_batch(napi_env env, napi_callback_info info) { return js_dist(env, info, 1); }
static napi_value js_cos_batch(napi_env env, napi_callback_info info) { return js_dist(env, info, 0); }

static napi_value js_ham_batch(napi_env env, napi_callback_info info) {
  ARGS(6)
  ham_batch((const u64 *)(mem + a[0]), (const u64 *)(mem + a[1]), a[2], (const u32 *)(mem + a[3]), a[4], (u32 *)(mem + a[5]));
  return NULL;
}

static napi_value js_occlude(napi_env env, napi_callback_info info, int l2) {
  size_t argc = 8;
  napi_value argv[8];
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < 8) return NULL;
  uint8_t *mem = (uint8_t *)data;
  u32 a[6];
  for (int i = 0; i < 6; i++) napi_get_value_uint32(env, argv[i], &a[i]);
  double dpj, alpha;
  napi_get_value_double(env, argv[6], &dpj);
  napi_get_value_double(env, argv[7], &alpha);
  u32 r = occlude_scan((const float *)(mem + a[0]), (const float *)(mem + a[1]), a[2], (const u32 *)(mem + a[3]), a[4],
                       (float *)(mem + a[5]), dpj, alpha, l2);
  napi_value out;
  napi_create_uint32(env, r, &out);
  return out;
}
static napi_value js_l2_occlude(napi_env env, napi_callback_info info) { return js_occlude(env, info, 1); }
static napi_value js_cos_occlude(napi_env env, napi_callback_info info) { return js_occlude(env, info, 0); }

static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length, offset;
  void *ptr;
  napi_value buf;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &ptr, &buf, &offset) != napi_ok || ptr == NULL) {
    napi_throw_type_error(env, NULL, "bind() expects a typed array over the index memory");
    return NULL;
  }
  // ptr is the view's first byte; offsets passed later are relative to the buffer start.
  uint8_t *base = (uint8_t *)ptr - offset;
  napi_value obj, fn;
  napi_create_object(env, &obj);
  struct { const char *name; napi_callback cb; } fns[] = {
    { "l2_batch", js_l2_batch }, { "cos_batch", js_cos_batch }, { "ham_batch", js_ham_batch },
    { "l2_occlude", js_l2_occlude }, { "cos_occlude", js_cos_occlude },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, base, &fn);
    napi_set_named_property(env, obj, fns[i].name, fn);
  }
  return obj;
}

// Context-aware (one instance per worker thread). `supported` is false on CPUs without AVX2 + FMA,
// so the loader falls back to WebAssembly instead of hitting an illegal instruction.
NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  napi_value v, fn;
  napi_get_boolean(env, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt"), &v);
  napi_set_named_property(env, exports, "supported", v);
  napi_create_function(env, "bind", NAPI_AUTO_LENGTH, js_bind, NULL, &fn);
  napi_set_named_property(env, exports, "bind", fn);
  return exports;
}
