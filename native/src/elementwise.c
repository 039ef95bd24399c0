// Elementwise kernels: the unary maps and the broadcasting binaries, float32 and float64, with
// the js kernels' semantics (src/backend/js/elementwise.ts). Transcendental maps compute in
// double and round once, as js does (its numbers are doubles), so their results are those of js
// to the last bit or within one rounding; except float32 tanh, exp, sigmoid, erf and gelu, which
// use vectorisable approximations within a few float32 ulps of js (below). The plain loops get AVX-512 or AVX2 code at run time
// (target_clones: GCC compiles each for every target and picks at load).

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "exp_f32.h"
#include "kernels.h"

// fill(out, value): out[i] = value, rounded once to out's dtype.
napi_value k_fill(napi_env env, napi_callback_info info) {
  Call c;
  Floats out;
  double value;
  if (!call_begin(&c, env, info, "fill", 2) || !arg_floats(&c, 0, "out", &out) || !arg_double(&c, 1, &value)) return NULL;
  if (out.f64) for (size_t i = 0; i < out.length; i++) ((double *)out.data)[i] = value;
  else for (size_t i = 0; i < out.length; i++) ((float *)out.data)[i] = (float)value;
  return undefined(env);
}


static double unary1(int op, double v, double p, double q) {
  switch (op) {
    case UNARY_EXP: return exp(v);
    case UNARY_LOG: return log(v);
    case UNARY_TANH: return tanh(v);
    case UNARY_SIGMOID:
      if (v >= 0) return 1 / (1 + exp(-v));
      else {
        double e = exp(v);
        return e / (1 + e);
      }
    case UNARY_SOFTPLUS: return (isnan(v) ? v : v > 0 ? v : 0) + log1p(exp(-fabs(v)));
    case UNARY_GELU: return 0.5 * v * (1 + erf(v * M_SQRT1_2));
    case UNARY_ERF: return erf(v);
    case UNARY_GELU_GRAD: return 0.5 * (1 + erf(v * M_SQRT1_2)) + v * exp(-0.5 * v * v) * 0.39894228040143267794;
    // Math.pow: ±1 to a NaN or infinite power is NaN in JavaScript, 1 in C.
    case UNARY_POW: return fabs(v) == 1 && !isfinite(p) ? NAN : pow(v, p);
    case UNARY_CLAMP: {
      double lo = isnan(v) || v > p ? v : p;
      return isnan(lo) || lo < q ? lo : q;
    }
    case UNARY_CLAMP_MASK: return v >= p && v <= q ? 1 : 0;
    default: return NAN;
  }
}

#define UNARY_SIMPLE(T, NAME)                                                                 \
  CLONES static void NAME(int op, const T *x, T *out, size_t n, T p) {                        \
    switch (op) {                                                                             \
      case UNARY_NEG: for (size_t i = 0; i < n; i++) out[i] = -x[i]; break;                         \
      case UNARY_SQRT: for (size_t i = 0; i < n; i++) out[i] = sqrt##NAME##_(x[i]); break;          \
      case UNARY_ABS: for (size_t i = 0; i < n; i++) out[i] = x[i] < 0 ? -x[i] : x[i] == 0 ? 0 : x[i]; break; \
      case UNARY_SIGN: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : x[i]; break; \
      case UNARY_RELU: for (size_t i = 0; i < n; i++) out[i] = x[i] < 0 ? 0 : x[i]; break;          \
      case UNARY_STEP: for (size_t i = 0; i < n; i++) out[i] = x[i] <= 0 ? 0 : 1; break;            \
      case UNARY_LEAKY_RELU: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : (T)(p * x[i]); break; \
      case UNARY_LEAKY_STEP: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : p; break;       \
    }                                                                                         \
  }
#define sqrtunary32_ sqrtf
#define sqrtunary64_ sqrt
UNARY_SIMPLE(float, unary32)
UNARY_SIMPLE(double, unary64)

// float32 tanh as x·P(x²)/Q(x²) on x clamped to ±7.905 (where tanh rounds to ±1), identity below
// 4e-4: the rational minimax fit Eigen uses. It vectorises (glibc's tanh does not, and cost 14 ns
// an element here); measured against double tanh over ±12 its relative error is below 3.5e-7.
CLONES static void tanh32(const float *x, float *out, size_t n) {
  const float c = 7.90531110763549805f;
  const float a1 = 4.89352455891786e-03f, a3 = 6.37261928875436e-04f, a5 = 1.48572235717979e-05f, a7 = 5.12229709037114e-08f,
              a9 = -8.60467152213735e-11f, a11 = 2.00018790482477e-13f, a13 = -2.76076847742355e-16f;
  const float b0 = 4.89352518554385e-03f, b2 = 2.26843463243900e-03f, b4 = 1.18534705686654e-04f, b6 = 1.19825839466702e-06f;
  for (size_t i = 0; i < n; i++) {
    float v = x[i], y = v < -c ? -c : v > c ? c : v, y2 = y * y;
    float p = ((((((a13 * y2 + a11) * y2 + a9) * y2 + a7) * y2 + a5) * y2 + a3) * y2 + a1) * y;
    float q = ((b6 * y2 + b4) * y2 + b2) * y2 + b0;
    out[i] = (v < 4e-4f && v > -4e-4f) ? v : p / q;
  }
}

// float32 exp, sigmoid, erf and gelu as the wasm kernels compute them (src/backend/wasm/kernels/
// elementwise.ts documents each approximation and its error: exp within about 2 ulps, erf and gelu
// within a few ulps of js's double-precision results), written without branches so that GCC
// vectorises the loops (16 lanes with AVX-512). Every operation rounds in float32 in the same
// order as there (no FMA contraction: build-native.mjs), so the two backends give the same bits.
static inline float horner_f32(float t, const float *c, int n) {
  float r = c[n - 1];
  for (int i = n - 2; i >= 0; i--) r = r * t + c[i];
  return r;
}

// erf(z)/z for |z| < 1/2: the Maclaurin series to n = 11, in z².
static inline float erf_over_z_f32(float z) {
  static const float c[] = {0.0052239776254421879f, -0.00085483270234508522f, 0.00012055332981789664f, -1.492565035840625e-05f,
                            1.6462114365889246e-06f, -1.6365844691234924e-07f, 1.4807192815879218e-08f, -1.2290555301717926e-09f,
                            0, 0};
  float u = z * z;
  float s = horner_f32(u, c, 10) * u + -0.026866170645131252f;
  s = s * u + 0.11283791670955126f;
  s = s * u + -0.37612638903183754f;
  return s * u + 1.1283791670955126f;
}

// erfc(z) for z ≥ 1/2 where z² = k·w² (erf: w = z, k = 1; gelu: w = |x|, k = 1/2): e^(−z²)·R(t),
// t = 1/(1 + z/2), the exponential split at w cut to 12 bits so that no rounding of w² is amplified.
static inline float erfc_f32(float z, float w, float k, float w_max) {
  static const float c[] = {3.5650922370289944e-06f, 0.28198399584395295f, 0.28359822517675071f, 0.23511817190597908f,
                            0.23421767416498412f,    -0.10500194841764456f, 0.4012507312475655f, -0.60577714664986171f,
                            0.34829061067303213f,    -0.073690479148884949f};
  float zc = z < 0.5f ? 0.5f : z;
  zc = zc > 10.5f ? 10.5f : zc;
  float t = 1.0f / (1.0f + zc * 0.5f);
  float r = horner_f32(t, c, 10);
  float wc = w > w_max ? w_max : w;
  float s = f32_of_bits(bits_of_f32(wc) & 0xfffff000u);
  float e = exp_f32(-(k * (s * s))) * exp_f32(k * ((s - wc) * (s + wc)));
  return e * r;
}

static inline float erf_f32(float v) {
  float a = fabsf(v);
  float r = a < 0.5f ? a * erf_over_z_f32(a) : 1.0f - erfc_f32(a, a, 1.0f, 10.5f);
  return f32_of_bits(bits_of_f32(r) | (bits_of_f32(v) & 0x80000000u));
}

// x·(1 + erf(x/√2))/2, 1 + erf(z) taken as 2 − erfc(z) or erfc(−z) where it would cancel.
static inline float gelu_f32(float v) {
  float z = v * 0.70710678118654752f;
  float a = fabsf(z);
  bool neg = z < 0.0f;
  float e = a * erf_over_z_f32(a);
  float c = erfc_f32(a, fabsf(v), 0.5f, 14.9f);
  float small_z = neg ? 1.0f - e : 1.0f + e;
  float large_z = neg ? c : 2.0f - c;
  return 0.5f * v * (a < 0.5f ? small_z : large_z);
}

static inline float sigmoid_f32(float v) {
  float e = exp_f32(-fabsf(v));
  return (v >= 0.0f ? 1.0f : e) / (1.0f + e);
}

#define MAP32(NAME, F)                                            \
  CLONES static void NAME(const float *x, float *out, size_t n) { \
    for (size_t i = 0; i < n; i++) out[i] = F(x[i]);              \
  }
MAP32(exp32, exp_f32)
MAP32(sigmoid32, sigmoid_f32)
MAP32(erf32, erf_f32)
MAP32(gelu32, gelu_f32)

// gelu's derivative Φ(x) + x·φ(x) from the same erf and exp approximations, operation for
// operation as wasm's geluGrad4.
static inline float gelu_grad_f32(float v) {
  return 0.5f * (1.0f + erf_f32(v * 0.70710678118654752f)) + v * exp_f32(-0.5f * v * v) * 0.39894228040143268f;
}
MAP32(geluGrad32, gelu_grad_f32)

// The float32 maps with a vectorised approximation of their own, by op code.
static void (*const VECTOR32[UNARY_OPS])(const float *, float *, size_t) = {
    [UNARY_TANH] = tanh32, [UNARY_EXP] = exp32, [UNARY_SIGMOID] = sigmoid32, [UNARY_ERF] = erf32, [UNARY_GELU] = gelu32,
    [UNARY_GELU_GRAD] = geluGrad32,
};

static bool simple(int op) {
  return op == UNARY_NEG || op == UNARY_SQRT || op == UNARY_ABS || op == UNARY_SIGN || op == UNARY_RELU || op == UNARY_STEP || op == UNARY_LEAKY_RELU || op == UNARY_LEAKY_STEP;
}

// unary(op, x, out, p, q): out[i] = op(x[i]) for every element of x.
napi_value k_unary(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t op;
  double p, q;
  if (!call_begin(&c, env, info, "unary", 5) || !arg_size(&c, 0, "op", &op) || !arg_floats(&c, 1, "x", &x) ||
      !arg_floats(&c, 2, "out", &out) || !arg_double(&c, 3, &p) || !arg_double(&c, 4, &q) || !same_dtype(&c, &x, "x", &out, "out") ||
      !need(&c, &out, "out", x.length))
    return NULL;
  if (op >= UNARY_OPS) return fail(&c, "unknown op code %zu", op), NULL;
  size_t n = x.length;
  // (leakyRelu's slope multiplies in double, as js does: p·x rounded once.)
  if (!x.f64 && VECTOR32[op]) {
    const float *xs = x.data;
    float *o = out.data;
    void (*f)(const float *, float *, size_t) = VECTOR32[op];
    FOR_EACH_CHUNK(n, MAP_PARALLEL_MIN, at, len, f(xs + at, o + at, len))
  } else if (simple((int)op) && !(op == UNARY_LEAKY_RELU && !x.f64)) {
    if (x.f64) unary64((int)op, x.data, out.data, n, p);
    else unary32((int)op, x.data, out.data, n, (float)p);
  } else if (x.f64) {
    const double *xs = x.data;
    double *o = out.data;
    if (op == UNARY_LEAKY_RELU) for (size_t i = 0; i < n; i++) o[i] = xs[i] > 0 ? xs[i] : p * xs[i];
    else for (size_t i = 0; i < n; i++) o[i] = unary1((int)op, xs[i], p, q);
  } else {
    const float *xs = x.data;
    float *o = out.data;
    if (op == UNARY_LEAKY_RELU) for (size_t i = 0; i < n; i++) o[i] = xs[i] > 0 ? xs[i] : (float)(p * xs[i]);
    else for (size_t i = 0; i < n; i++) o[i] = (float)unary1((int)op, xs[i], p, q);
  }
  return undefined(env);
}

// The four arithmetic ops round once in float32 exactly as js's double op then float store does.
#define APPLY(op, x, y) ((op) == BINARY_ADD ? (x) + (y) : (op) == BINARY_SUB ? (x) - (y) : (op) == BINARY_MUL ? (x) * (y) : (op) == BINARY_DIV ? (x) / (y) : ((x) == (y) ? 1 : 0))

#define BINARY_LOOPS(T, SUFFIX)                                                                                 \
  CLONES static void same##SUFFIX(int op, const T *a, const T *b, T *o, size_t n) {                            \
    switch (op) {                                                                                               \
      case BINARY_ADD: for (size_t i = 0; i < n; i++) o[i] = a[i] + b[i]; break;                                       \
      case BINARY_SUB: for (size_t i = 0; i < n; i++) o[i] = a[i] - b[i]; break;                                       \
      case BINARY_MUL: for (size_t i = 0; i < n; i++) o[i] = a[i] * b[i]; break;                                       \
      case BINARY_DIV: for (size_t i = 0; i < n; i++) o[i] = a[i] / b[i]; break;                                       \
      default: for (size_t i = 0; i < n; i++) o[i] = a[i] == b[i] ? 1 : 0; break;                               \
    }                                                                                                           \
  }                                                                                                             \
  /* One run of the innermost axis: a and b each step by 0 (broadcast) or 1. */                                 \
  CLONES static void run##SUFFIX(int op, const T *a, size_t sa, const T *b, size_t sb, T *o, size_t n) {        \
    if (sa == 1 && sb == 1) return same##SUFFIX(op, a, b, o, n);                                                \
    if (sa == 1 && sb == 0) {                                                                                   \
      T s = b[0];                                                                                               \
      switch (op) {                                                                                             \
        case BINARY_ADD: for (size_t i = 0; i < n; i++) o[i] = a[i] + s; break;                                        \
        case BINARY_SUB: for (size_t i = 0; i < n; i++) o[i] = a[i] - s; break;                                        \
        case BINARY_MUL: for (size_t i = 0; i < n; i++) o[i] = a[i] * s; break;                                        \
        case BINARY_DIV: for (size_t i = 0; i < n; i++) o[i] = a[i] / s; break;                                        \
        default: for (size_t i = 0; i < n; i++) o[i] = a[i] == s ? 1 : 0; break;                                \
      }                                                                                                         \
      return;                                                                                                   \
    }                                                                                                           \
    for (size_t i = 0; i < n; i++) o[i] = APPLY(op, a[i * sa], b[i * sb]);                                      \
  }                                                                                                             \
  /* Elements [start, end) of the output: from start's multi-index, one run of the innermost axis at a time. */ \
  static void range##SUFFIX(int op, const T *a, const T *b, T *o, size_t rank, const size_t *shape,            \
                            const size_t *sa, const size_t *sb, size_t start, size_t end) {                     \
    size_t inner = shape[rank - 1], idx[MAX_RANK + 1], row = start / inner, off = start % inner, ia = 0, ib = 0; \
    for (size_t d = rank - 1; d-- > 0;) {                                                                       \
      idx[d] = row % shape[d];                                                                                  \
      row /= shape[d];                                                                                          \
      ia += idx[d] * sa[d];                                                                                     \
      ib += idx[d] * sb[d];                                                                                     \
    }                                                                                                           \
    for (size_t i = start; i < end;) {                                                                          \
      size_t len = inner - off < end - i ? inner - off : end - i;                                               \
      run##SUFFIX(op, a + ia + off * sa[rank - 1], sa[rank - 1], b + ib + off * sb[rank - 1], sb[rank - 1], o + i, len); \
      i += len;                                                                                                 \
      off = 0;                                                                                                  \
      for (size_t d = rank - 1; d-- > 0;) {                                                                     \
        idx[d]++;                                                                                               \
        ia += sa[d];                                                                                            \
        ib += sb[d];                                                                                            \
        if (idx[d] < shape[d]) break;                                                                           \
        ia -= sa[d] * shape[d];                                                                                 \
        ib -= sb[d] * shape[d];                                                                                 \
        idx[d] = 0;                                                                                             \
      }                                                                                                         \
    }                                                                                                           \
  }                                                                                                             \
  /* Every element, chunk by chunk over map_threads (each value alone: the same bits at any count). */         \
  static void general##SUFFIX(int op, const T *a, const T *b, T *o, size_t rank, const size_t *shape,          \
                              const size_t *sa, const size_t *sb, size_t total) {                               \
    FOR_EACH_CHUNK(total, STREAM_PARALLEL_MIN, at, len, range##SUFFIX(op, a, b, o, rank, shape, sa, sb, at, at + len))               \
  }
BINARY_LOOPS(float, 32)
BINARY_LOOPS(double, 64)

// binary(op, a, b, out, meta): meta (Int32Array) = [rank, outShape..., aStrides..., bStrides...],
// the strides being 0 on broadcast axes (shape.ts broadcastStrides). rank 0 is one element.
napi_value k_binary(napi_env env, napi_callback_info info) {
  Call c;
  Floats a, b, out;
  size_t op, metaLength;
  int32_t *meta;
  if (!call_begin(&c, env, info, "binary", 5) || !arg_size(&c, 0, "op", &op) || !arg_floats(&c, 1, "a", &a) ||
      !arg_floats(&c, 2, "b", &b) || !arg_floats(&c, 3, "out", &out) || !arg_int32s(&c, 4, "meta", &meta, &metaLength) ||
      !same_dtype(&c, &a, "a", &out, "out") || !same_dtype(&c, &b, "b", &out, "out"))
    return NULL;
  if (op >= BINARY_OPS) return fail(&c, "unknown op code %zu", op), NULL;
  if (metaLength < 1 || meta[0] < 0 || meta[0] > MAX_RANK || metaLength < 1 + 3 * (size_t)meta[0]) return fail(&c, "malformed shape metadata"), NULL;
  size_t rank = (size_t)meta[0], shape[MAX_RANK + 1], sa[MAX_RANK + 1], sb[MAX_RANK + 1];
  // Bounds: the last element each operand is read at is Σ (shape−1)·stride.
  size_t total = 1, lastA = 0, lastB = 0;
  for (size_t d = 0; d < rank; d++) {
    int32_t s = meta[1 + d], x = meta[1 + rank + d], y = meta[1 + 2 * rank + d];
    if (s < 0 || x < 0 || y < 0) return fail(&c, "negative shape or stride"), NULL;
    shape[d] = (size_t)s, sa[d] = (size_t)x, sb[d] = (size_t)y;
    if (shape[d] == 0) total = 0;
    else {
      total *= shape[d];
      lastA += (shape[d] - 1) * sa[d];
      lastB += (shape[d] - 1) * sb[d];
    }
  }
  if (rank == 0) shape[0] = 1, sa[0] = sb[0] = 0, rank = 1;
  if (!need(&c, &out, "out", total)) return NULL;
  if (total == 0) return undefined(env);
  if (!need(&c, &a, "a", lastA + 1) || !need(&c, &b, "b", lastB + 1)) return NULL;
  if (out.f64) general64((int)op, a.data, b.data, out.data, rank, shape, sa, sb, total);
  else general32((int)op, a.data, b.data, out.data, rank, shape, sa, sb, total);
  return undefined(env);
}
