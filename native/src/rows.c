// Reductions, permutes, log-softmax, the label gather/scatter (pick, unpick) and batch
// normalisation's training pass and its gradients, float32 and float64, with the js kernels' semantics and order of summation (src/backend/js/rows.ts):
// a sum accumulates each contiguous run in double (js numbers) and rounds once per run (js's
// general path rounds at every element: ours is at least as accurate); max propagates NaN as
// torch.amax.

#include <math.h>
#include <string.h>

#include "exp_f32.h"
#include "kernels.h"

static inline double max_nan(double a, double b) { return a > b || isnan(a) ? a : b; }

// A run's sum in double with eight independent accumulators (a single one would wait on each
// add's latency; eight let the compiler keep a vector of them), combined pairwise at the end.
#define SUM_RUN(T, SUFFIX)                                                     \
  static double sum_run##SUFFIX(const T *x, size_t n) {                        \
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                  \
    size_t j = 0;                                                              \
    for (; j + 8 <= n; j += 8)                                                 \
      for (int k = 0; k < 8; k++) acc[k] += x[j + k];                          \
    for (; j < n; j++) acc[j & 7] += x[j];                                     \
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7])); \
  }
SUM_RUN(float, 32)
SUM_RUN(double, 64)

// Reads [rank, shape[rank]..., then `extra` more arrays of rank entries] from an Int32Array.
static bool read_meta(Call *c, size_t i, size_t extra, size_t *rank, size_t dims[][MAX_RANK]) {
  int32_t *meta;
  size_t length;
  if (!arg_int32s(c, i, "meta", &meta, &length)) return false;
  if (length < 1 || meta[0] < 0 || meta[0] > MAX_RANK || length < 1 + (1 + extra) * (size_t)meta[0]) return fail(c, "malformed shape metadata");
  *rank = (size_t)meta[0];
  for (size_t k = 0; k <= extra; k++)
    for (size_t d = 0; d < *rank; d++) {
      int32_t v = meta[1 + k * *rank + d];
      if (v < 0) return fail(c, "negative shape or stride in the metadata");
      dims[k][d] = (size_t)v;
    }
  return true;
}

static size_t product(const size_t *s, size_t rank) {
  size_t p = 1;
  for (size_t d = 0; d < rank; d++) p *= s[d];
  return p;
}

#define REDUCE(T, SUFFIX)                                                                         \
  static void rows##SUFFIX(bool sum, const T *x, T *out, size_t outer, size_t inner) {            \
    for (size_t r = 0; r < outer; r++) {                                                          \
      const T *row = x + r * inner;                                                               \
      double acc = -INFINITY;                                                                     \
      if (sum) acc = sum_run##SUFFIX(row, inner);                                                 \
      else for (size_t j = 0; j < inner; j++) acc = max_nan(acc, row[j]);                         \
      out[r] = (T)acc;                                                                            \
    }                                                                                             \
  }                                                                                               \
  /* Any axes: x walked in runs along its last axis. A reduced last axis sums its run in double  \
     and adds that to the output once; a kept one adds the run into a run of outputs. */          \
  static void general##SUFFIX(bool sum, const T *x, T *out, size_t outLength, size_t rank,        \
                              const size_t *shape, const size_t *os) {                            \
    for (size_t o = 0; o < outLength; o++) out[o] = sum ? 0 : -INFINITY;                          \
    size_t idx[MAX_RANK] = {0}, n = product(shape, rank), run = shape[rank - 1], o = 0;           \
    bool reducedRun = os[rank - 1] == 0;                                                          \
    for (size_t i = 0; i < n; i += run) {                                                         \
      const T *xs = x + i;                                                                        \
      if (reducedRun) {                                                                           \
        double acc = -INFINITY;                                                                   \
        if (sum) acc = sum_run##SUFFIX(xs, run);                                                  \
        else for (size_t j = 0; j < run; j++) acc = max_nan(acc, xs[j]);                          \
        out[o] = sum ? (T)(out[o] + acc) : (T)max_nan(out[o], acc);                               \
      } else if (sum) {                                                                           \
        for (size_t j = 0; j < run; j++) out[o + j] += xs[j];                                     \
      } else {                                                                                    \
        for (size_t j = 0; j < run; j++) out[o + j] = (T)max_nan(out[o + j], xs[j]);              \
      }                                                                                           \
      step_index(idx, shape, os, rank - 1, &o);                                                 \
    }                                                                                             \
  }
REDUCE(float, 32)
REDUCE(double, 64)

// reduce(op, x, out, meta, trailing): op 0 = sum, 1 = max; meta = [rank, shape..., reduced (0/1)...]
// (src/backend/native/rows.ts merges neighbouring axes that are both reduced or both kept).
// `trailing`: only trailing axes are reduced (one sum per row).
napi_value k_reduce(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t op, rank, dims[2][MAX_RANK];
  bool trailing;
  if (!call_begin(&c, env, info, "reduce", 5) || !arg_size(&c, 0, "op", &op) || !arg_floats(&c, 1, "x", &x) ||
      !arg_floats(&c, 2, "out", &out) || !read_meta(&c, 3, 1, &rank, dims) || !arg_flag(&c, 4, &trailing) ||
      !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  if (op >= REDUCE_OPS) return fail(&c, "unknown op code %zu", op), NULL;
  size_t *shape = dims[0], *reduced = dims[1], n = product(shape, rank);
  // Output strides seen from the input's axes: 0 on reduced axes.
  size_t os[MAX_RANK], s = 1, inner = 1;
  for (size_t d = rank; d-- > 0;) {
    if (reduced[d]) os[d] = 0, inner *= shape[d];
    else os[d] = s, s *= shape[d];
  }
  if (!need(&c, &x, "x", n) || !need(&c, &out, "out", s)) return NULL;
  bool sum = op == REDUCE_SUM;
  if (n == 0 || rank == 0) {
    if (out.f64) for (size_t o = 0; o < s; o++) ((double *)out.data)[o] = n ? ((const double *)x.data)[0] : sum ? 0 : -INFINITY;
    else for (size_t o = 0; o < s; o++) ((float *)out.data)[o] = n ? ((const float *)x.data)[0] : sum ? 0 : -INFINITY;
  } else if (trailing) {
    size_t outer = n / inner;
    if (out.f64) rows64(sum, x.data, out.data, outer, inner);
    else rows32(sum, x.data, out.data, outer, inner);
  } else if (out.f64) general64(sum, x.data, out.data, s, rank, shape, os);
  else general32(sum, x.data, out.data, s, rank, shape, os);
  return undefined(env);
}

// logSoftmax(x, out, rows, cols): row-wise x − (max + log Σ exp(x − max)), in double.
napi_value k_log_softmax(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t rows, cols;
  if (!call_begin(&c, env, info, "logSoftmax", 4) || !arg_floats(&c, 0, "x", &x) || !arg_floats(&c, 1, "out", &out) ||
      !arg_size(&c, 2, "rows", &rows) || !arg_size(&c, 3, "cols", &cols) || !same_dtype(&c, &x, "x", &out, "out") ||
      !need(&c, &x, "x", rows * cols) || !need(&c, &out, "out", rows * cols))
    return NULL;
#define LOG_SOFTMAX(T)                                                  \
  {                                                                     \
    const T *xs = x.data;                                               \
    T *o = out.data;                                                    \
    for (size_t r = 0; r < rows; r++) {                                 \
      const T *row = xs + r * cols;                                     \
      double max = -INFINITY, sum = 0;                                  \
      for (size_t j = 0; j < cols; j++) if (row[j] > max) max = row[j]; \
      if (max == -INFINITY) max = 0;                                    \
      for (size_t j = 0; j < cols; j++) sum += exp(row[j] - max);       \
      double lse = max + log(sum);                                      \
      for (size_t j = 0; j < cols; j++) o[r * cols + j] = (T)(row[j] - lse); \
    }                                                                   \
  }
  if (x.f64) LOG_SOFTMAX(double) else LOG_SOFTMAX(float)
  return undefined(env);
}

// A tile of a transpose: out rows [i0, i1) × columns [j0, j1) of an r × c output whose row i,
// column j is x[i + j·ld] (the last two axes swapped), so both sides stay in cache.
#define TRANSPOSE(T, SUFFIX)                                                               \
  static void transpose##SUFFIX(const T *x, T *o, size_t rows, size_t cols, size_t ld) {   \
    const size_t B = 16;                                                                   \
    for (size_t i0 = 0; i0 < rows; i0 += B)                                                \
      for (size_t j0 = 0; j0 < cols; j0 += B) {                                            \
        size_t i1 = i0 + B < rows ? i0 + B : rows, j1 = j0 + B < cols ? j0 + B : cols;     \
        for (size_t i = i0; i < i1; i++)                                                   \
          for (size_t j = j0; j < j1; j++) o[i * cols + j] = x[i + j * ld];                \
      }                                                                                    \
  }                                                                                        \
  static void permute##SUFFIX(const T *x, T *o, size_t rank, const size_t *shape, const size_t *rs) { \
    size_t idx[MAX_RANK] = {0}, n = product(shape, rank), run = shape[rank - 1], step = rs[rank - 1]; \
    /* The last two output axes a transpose of x's (x contiguous along the second-last): tiles. */ \
    if (rank >= 2 && rs[rank - 2] == 1 && step == shape[rank - 2]) {                        \
      size_t rows = shape[rank - 2], src = 0;                                              \
      for (size_t i = 0; i < n; i += rows * run) {                                         \
        transpose##SUFFIX(x + src, o + i, rows, run, step);                                \
        step_index(idx, shape, rs, rank - 2, &src);                                        \
      }                                                                                    \
      return;                                                                              \
    }                                                                                      \
    size_t src = 0;                                                                        \
    for (size_t i = 0; i < n; i += run) {                                                  \
      if (step == 1) for (size_t j = 0; j < run; j++) o[i + j] = x[src + j];               \
      else for (size_t j = 0; j < run; j++) o[i + j] = x[src + j * step];                  \
      step_index(idx, shape, rs, rank - 1, &src);                                          \
    }                                                                                      \
  }
TRANSPOSE(float, 32)
TRANSPOSE(double, 64)

// permute(x, out, meta): meta = [rank, outShape..., strides in x along each output axis...]
// (src/backend/native/rows.ts drops length-1 axes and merges axes that stay contiguous).
napi_value k_permute(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t rank, dims[2][MAX_RANK];
  if (!call_begin(&c, env, info, "permute", 3) || !arg_floats(&c, 0, "x", &x) || !arg_floats(&c, 1, "out", &out) ||
      !read_meta(&c, 2, 1, &rank, dims) || !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  size_t *shape = dims[0], *rs = dims[1], n = product(shape, rank), last = 0;
  for (size_t d = 0; d < rank; d++) if (shape[d] > 0) last += (shape[d] - 1) * rs[d];
  if (!need(&c, &out, "out", n) || (n > 0 && !need(&c, &x, "x", last + 1))) return NULL;
  if (n == 0) return undefined(env);
  if (rank == 0) {
    if (x.f64) ((double *)out.data)[0] = ((const double *)x.data)[0];
    else ((float *)out.data)[0] = ((const float *)x.data)[0];
  } else if (x.f64) permute64(x.data, out.data, rank, shape, rs);
  else permute32(x.data, out.data, rank, shape, rs);
  return undefined(env);
}

static bool check_labels(Call *c, const int32_t *idx, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; r++)
    if (idx[r] < 0 || (size_t)idx[r] >= cols) return fail(c, "index %d at row %zu is outside [0, %zu)", idx[r], r, cols);
  return true;
}

// pick(x, idx, rows, cols, out): out[r] = x[r, idx[r]].
napi_value k_pick(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  int32_t *idx;
  size_t idxLength, rows, cols;
  if (!call_begin(&c, env, info, "pick", 5) || !arg_floats(&c, 0, "x", &x) || !arg_int32s(&c, 1, "idx", &idx, &idxLength) ||
      !arg_size(&c, 2, "rows", &rows) || !arg_size(&c, 3, "cols", &cols) || !arg_floats(&c, 4, "out", &out) ||
      !same_dtype(&c, &x, "x", &out, "out") || !need(&c, &x, "x", rows * cols) || !need(&c, &out, "out", rows))
    return NULL;
  if (idxLength < rows) return fail(&c, "idx holds %zu labels for %zu rows", idxLength, rows), NULL;
  if (!check_labels(&c, idx, rows, cols)) return NULL;
  if (x.f64) for (size_t r = 0; r < rows; r++) ((double *)out.data)[r] = ((const double *)x.data)[r * cols + (size_t)idx[r]];
  else for (size_t r = 0; r < rows; r++) ((float *)out.data)[r] = ((const float *)x.data)[r * cols + (size_t)idx[r]];
  return undefined(env);
}

// unpick(g, idx, rows, cols, out): out = 0, then out[r, idx[r]] = g[r].
napi_value k_unpick(napi_env env, napi_callback_info info) {
  Call c;
  Floats g, out;
  int32_t *idx;
  size_t idxLength, rows, cols;
  if (!call_begin(&c, env, info, "unpick", 5) || !arg_floats(&c, 0, "g", &g) || !arg_int32s(&c, 1, "idx", &idx, &idxLength) ||
      !arg_size(&c, 2, "rows", &rows) || !arg_size(&c, 3, "cols", &cols) || !arg_floats(&c, 4, "out", &out) ||
      !same_dtype(&c, &g, "g", &out, "out") || !need(&c, &g, "g", rows) || !need(&c, &out, "out", rows * cols))
    return NULL;
  if (idxLength < rows) return fail(&c, "idx holds %zu labels for %zu rows", idxLength, rows), NULL;
  if (!check_labels(&c, idx, rows, cols)) return NULL;
  if (g.f64) {
    double *o = out.data;
    for (size_t i = 0; i < out.length; i++) o[i] = 0;
    for (size_t r = 0; r < rows; r++) o[r * cols + (size_t)idx[r]] = ((const double *)g.data)[r];
  } else {
    float *o = out.data;
    for (size_t i = 0; i < out.length; i++) o[i] = 0;
    for (size_t r = 0; r < rows; r++) o[r * cols + (size_t)idx[r]] = ((const float *)g.data)[r];
  }
  return undefined(env);
}

// Batch normalisation in training, per channel c of x [N, C, plane] over its m = N·plane values:
// mean and biased variance (two passes, summed in double with eight accumulators as sum_run),
// then y = (x − mean)·invStd·γ + β with invStd = 1/√(variance + eps).
#define BN_RUNS(T, S)                                                                               \
  static double sq_run##S(const T *x, size_t n, double mu) {                                        \
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                       \
    size_t j = 0;                                                                                   \
    for (; j + 8 <= n; j += 8)                                                                      \
      for (int k = 0; k < 8; k++) acc[k] += (x[j + k] - mu) * (x[j + k] - mu);                      \
    for (; j < n; j++) acc[j & 7] += (x[j] - mu) * (x[j] - mu);                                     \
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));      \
  }                                                                                                 \
  /* Σg and Σg·(x − mu) over a run. */                                                              \
  static void dot_run##S(const T *g, const T *x, size_t n, double mu, double *sg, double *sgx) {    \
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};                        \
    size_t j = 0;                                                                                   \
    for (; j + 8 <= n; j += 8)                                                                      \
      for (int k = 0; k < 8; k++) {                                                                 \
        a[k] += g[j + k];                                                                           \
        b[k] += g[j + k] * (x[j + k] - mu);                                                         \
      }                                                                                             \
    for (; j < n; j++) {                                                                            \
      a[j & 7] += g[j];                                                                             \
      b[j & 7] += g[j] * (x[j] - mu);                                                               \
    }                                                                                               \
    *sg += ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));                       \
    *sgx += ((b[0] + b[4]) + (b[2] + b[6])) + ((b[1] + b[5]) + (b[3] + b[7]));                      \
  }
BN_RUNS(float, 32)
BN_RUNS(double, 64)

#define BATCH_NORM(T, S)                                                                            \
  {                                                                                                 \
    const T *xs = x.data, *wv = weight.data, *bv = bias.data;                                       \
    T *o = out.data, *mv = mean.data, *vv = variance.data;                                          \
    _Pragma("omp parallel for num_threads(map_threads) if (N * C * P >= MAP_PARALLEL_MIN)")         \
    for (size_t ch = 0; ch < C; ch++) {                                                             \
      double sum = 0, sq = 0;                                                                       \
      for (size_t n = 0; n < N; n++) sum += sum_run##S(xs + (n * C + ch) * P, P);                    \
      double mu = sum / (double)(N * P);                                                            \
      for (size_t n = 0; n < N; n++) sq += sq_run##S(xs + (n * C + ch) * P, P, mu);                  \
      double var = sq / (double)(N * P), inv = 1 / sqrt(var + eps);                                 \
      mv[ch] = (T)mu;                                                                               \
      vv[ch] = (T)var;                                                                              \
      T scale = (T)(inv * wv[ch]), shift = (T)(bv[ch] - mu * inv * wv[ch]);                         \
      for (size_t n = 0; n < N; n++) {                                                              \
        const T *row = xs + (n * C + ch) * P;                                                       \
        T *dst = o + (n * C + ch) * P;                                                              \
        for (size_t p = 0; p < P; p++) dst[p] = row[p] * scale + shift;                             \
      }                                                                                             \
    }                                                                                               \
  }

/** The BatchNormArgs as the addon gets them: batch, channels, plane, eps. */
static bool batch_norm_args(Call *c, size_t i, size_t *N, size_t *C, size_t *P, double *eps) {
  if (!arg_size(c, i, "batch", N) || !arg_size(c, i + 1, "channels", C) || !arg_size(c, i + 2, "plane", P) ||
      !arg_double(c, i + 3, eps))
    return false;
  if (*N * *P < 2) return fail(c, "batch statistics need more than one value per channel");
  return *eps > 0 || fail(c, "eps must be positive, got %g", *eps);
}

// batchNorm(x, weight, bias, out, mean, variance, batch, channels, plane, eps)
napi_value k_batch_norm(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, weight, bias, out, mean, variance;
  size_t N, C, P;
  double eps;
  if (!call_begin(&c, env, info, "batchNorm", 10) || !arg_floats(&c, 0, "x", &x) ||
      !arg_floats(&c, 1, "weight", &weight) || !arg_floats(&c, 2, "bias", &bias) || !arg_floats(&c, 3, "out", &out) ||
      !arg_floats(&c, 4, "mean", &mean) || !arg_floats(&c, 5, "variance", &variance) ||
      !batch_norm_args(&c, 6, &N, &C, &P, &eps))
    return NULL;
  const Floats *all[] = {&weight, &bias, &out, &mean, &variance};
  const char *names[] = {"weight", "bias", "out", "mean", "variance"};
  for (int i = 0; i < 5; i++)
    if (!same_dtype(&c, &x, "x", all[i], names[i])) return NULL;
  if (!need(&c, &x, "x", N * C * P) || !need(&c, &out, "out", N * C * P) || !need(&c, &weight, "weight", C) ||
      !need(&c, &bias, "bias", C) || !need(&c, &mean, "mean", C) || !need(&c, &variance, "variance", C))
    return NULL;
  if (x.f64) BATCH_NORM(double, 64) else BATCH_NORM(float, 32)
  return undefined(env);
}

// Its gradients, with x̂ = (x − mean)·invStd and per channel Σdy, Σdy·x̂ over its m values:
//   dγ = Σdy·x̂, dβ = Σdy, dx = γ·invStd·(dy − Σdy/m − x̂·Σdy·x̂/m)
// (dx's per-channel constants in double, its per-value multiply-adds in T).
#define BATCH_NORM_BACKWARD(T, S)                                                                   \
  {                                                                                                 \
    const T *xs = x.data, *gs = gy.data, *wv = weight.data, *mv = mean.data, *vv = variance.data;   \
    T *dx = gx.data, *dw = gWeight.data, *db = gBias.data;                                          \
    double m = (double)(N * P);                                                                     \
    _Pragma("omp parallel for num_threads(map_threads) if (N * C * P >= MAP_PARALLEL_MIN)")         \
    for (size_t ch = 0; ch < C; ch++) {                                                             \
      double mu = mv[ch], inv = 1 / sqrt((double)vv[ch] + eps), sg = 0, sgx = 0;                    \
      for (size_t n = 0; n < N; n++) dot_run##S(gs + (n * C + ch) * P, xs + (n * C + ch) * P, P, mu, &sg, &sgx); \
      sgx *= inv;                                                                                   \
      dw[ch] = (T)sgx;                                                                              \
      db[ch] = (T)sg;                                                                               \
      /* dx = k·g − k·a − k·b·x + k·b·mu, as one multiply-add per value */                          \
      double k = wv[ch] * inv, a = sg / m, b = sgx * inv / m;                                       \
      T kf = (T)k, kb = (T)(k * b), c0 = (T)(k * (b * mu - a));                                     \
      for (size_t n = 0; n < N; n++) {                                                              \
        const T *row = xs + (n * C + ch) * P, *g = gs + (n * C + ch) * P;                           \
        T *dst = dx + (n * C + ch) * P;                                                             \
        for (size_t p = 0; p < P; p++) dst[p] = kf * g[p] - kb * row[p] + c0;                       \
      }                                                                                             \
    }                                                                                               \
  }

// batchNormBackward(x, gy, weight, mean, variance, gx, gWeight, gBias, batch, channels, plane, eps)
napi_value k_batch_norm_backward(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, gy, weight, mean, variance, gx, gWeight, gBias;
  size_t N, C, P;
  double eps;
  if (!call_begin(&c, env, info, "batchNormBackward", 12) || !arg_floats(&c, 0, "x", &x) ||
      !arg_floats(&c, 1, "gy", &gy) || !arg_floats(&c, 2, "weight", &weight) || !arg_floats(&c, 3, "mean", &mean) ||
      !arg_floats(&c, 4, "variance", &variance) || !arg_floats(&c, 5, "gx", &gx) ||
      !arg_floats(&c, 6, "gWeight", &gWeight) || !arg_floats(&c, 7, "gBias", &gBias) ||
      !batch_norm_args(&c, 8, &N, &C, &P, &eps))
    return NULL;
  const Floats *all[] = {&gy, &weight, &mean, &variance, &gx, &gWeight, &gBias};
  const char *names[] = {"gy", "weight", "mean", "variance", "gx", "gWeight", "gBias"};
  for (int i = 0; i < 7; i++)
    if (!same_dtype(&c, &x, "x", all[i], names[i])) return NULL;
  if (!need(&c, &x, "x", N * C * P) || !need(&c, &gy, "gy", N * C * P) || !need(&c, &gx, "gx", N * C * P) ||
      !need(&c, &weight, "weight", C) || !need(&c, &mean, "mean", C) || !need(&c, &variance, "variance", C) ||
      !need(&c, &gWeight, "gWeight", C) || !need(&c, &gBias, "gBias", C))
    return NULL;
  if (x.f64) BATCH_NORM_BACKWARD(double, 64) else BATCH_NORM_BACKWARD(float, 32)
  return undefined(env);
}

// gatherRows(table, idx, cols, out): out[r, :] = table[idx[r], :] (an embedding lookup; each
// index checked against the table's rows).
napi_value k_gather_rows(napi_env env, napi_callback_info info) {
  Call c;
  Floats table, out;
  int32_t *idx;
  size_t n, cols;
  if (!call_begin(&c, env, info, "gatherRows", 4) || !arg_floats(&c, 0, "table", &table) ||
      !arg_int32s(&c, 1, "idx", &idx, &n) || !arg_size(&c, 2, "cols", &cols) || !arg_floats(&c, 3, "out", &out) ||
      !same_dtype(&c, &table, "table", &out, "out") || !need(&c, &out, "out", n * cols))
    return NULL;
  size_t rows = cols ? table.length / cols : 0, size = out.f64 ? sizeof(double) : sizeof(float);
  for (size_t r = 0; r < n; r++)
    if (idx[r] < 0 || (size_t)idx[r] >= rows) return fail(&c, "index %d at %zu is outside the table's %zu rows", idx[r], r, rows), NULL;
  if (cols == 1 && out.f64)
    for (size_t r = 0; r < n; r++) ((double *)out.data)[r] = ((const double *)table.data)[idx[r]];
  else if (cols == 1)
    for (size_t r = 0; r < n; r++) ((float *)out.data)[r] = ((const float *)table.data)[idx[r]];
  else
    for (size_t r = 0; r < n; r++)
      memcpy((char *)out.data + r * cols * size, (const char *)table.data + (size_t)idx[r] * cols * size, cols * size);
  return undefined(env);
}

#define SCATTER_ADD_ROWS(T)                                                                         \
  for (size_t r = 0; r < n; r++) {                                                                  \
    if (idx[r] == skip) continue;                                                                   \
    const T *from = (const T *)g.data + r * cols;                                                   \
    T *to = (T *)out.data + (size_t)idx[r] * cols;                                                  \
    for (size_t k = 0; k < cols; k++) to[k] += from[k];                                             \
  }

// scatterAddRows(g, idx, cols, skip, out): out[idx[r], :] += g[r, :] in place, skipping r where
// idx[r] = skip, in r order (as js, so sums round alike).
napi_value k_scatter_add_rows(napi_env env, napi_callback_info info) {
  Call c;
  Floats g, out;
  int32_t *idx;
  size_t n, cols;
  double skipValue;
  if (!call_begin(&c, env, info, "scatterAddRows", 5) || !arg_floats(&c, 0, "g", &g) ||
      !arg_int32s(&c, 1, "idx", &idx, &n) || !arg_size(&c, 2, "cols", &cols) || !arg_double(&c, 3, &skipValue) ||
      !arg_floats(&c, 4, "out", &out) || !same_dtype(&c, &g, "g", &out, "out") || !need(&c, &g, "g", n * cols))
    return NULL;
  int32_t skip = (int32_t)skipValue;
  size_t rows = cols ? out.length / cols : 0;
  for (size_t r = 0; r < n; r++)
    if (idx[r] != skip && (idx[r] < 0 || (size_t)idx[r] >= rows))
      return fail(&c, "index %d at %zu is outside the output's %zu rows", idx[r], r, rows), NULL;
  if (out.f64) SCATTER_ADD_ROWS(double) else SCATTER_ADD_ROWS(float)
  return undefined(env);
}

// Row-wise softmax of a [rows, cols] matrix: e^(x − max) / Σ, the float32 exponential the
// vectorised one of the exp map (exp_f32.h), sums in double. A row holding NaN, or all −∞, is NaN.
#define SOFTMAX(T, EXP, S)                                                                             \
  _Pragma("omp parallel for num_threads(map_threads) if (rows * cols >= MAP_PARALLEL_MIN)")         \
  for (size_t r = 0; r < rows; r++) {                                                               \
    const T *row = (const T *)x.data + r * cols;                                                    \
    T *o = (T *)out.data + r * cols, max = -INFINITY;                                               \
    for (size_t j = 0; j < cols; j++) max = row[j] > max ? row[j] : max;                            \
    for (size_t j = 0; j < cols; j++) o[j] = EXP(row[j] - max);                                     \
    T inv = (T)(1 / sum_run##S(o, cols));                                                           \
    for (size_t j = 0; j < cols; j++) o[j] *= inv;                                                  \
  }

// softmax(x, out, rows, cols)
napi_value k_softmax(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t rows, cols;
  if (!call_begin(&c, env, info, "softmax", 4) || !arg_floats(&c, 0, "x", &x) || !arg_floats(&c, 1, "out", &out) ||
      !arg_size(&c, 2, "rows", &rows) || !arg_size(&c, 3, "cols", &cols) || !same_dtype(&c, &x, "x", &out, "out") ||
      !need(&c, &x, "x", rows * cols) || !need(&c, &out, "out", rows * cols))
    return NULL;
  if (x.f64) SOFTMAX(double, exp, 64) else SOFTMAX(float, exp_f32, 32)
  return undefined(env);
}

// softmax's gradient from its output: dx = y ⊙ (dy − Σ_row dy ⊙ y).
#define SOFTMAX_BACKWARD(T)                                                                         \
  _Pragma("omp parallel for num_threads(map_threads) if (rows * cols >= MAP_PARALLEL_MIN)")         \
  for (size_t r = 0; r < rows; r++) {                                                               \
    const T *yr = (const T *)y.data + r * cols, *g = (const T *)gy.data + r * cols;                 \
    T *o = (T *)out.data + r * cols;                                                                \
    double dot = 0;                                                                                 \
    for (size_t j = 0; j < cols; j++) dot += (double)g[j] * yr[j];                                  \
    T d = (T)dot;                                                                                   \
    for (size_t j = 0; j < cols; j++) o[j] = yr[j] * (g[j] - d);                                    \
  }

// softmaxBackward(y, gy, out, rows, cols)
napi_value k_softmax_backward(napi_env env, napi_callback_info info) {
  Call c;
  Floats y, gy, out;
  size_t rows, cols;
  if (!call_begin(&c, env, info, "softmaxBackward", 5) || !arg_floats(&c, 0, "y", &y) ||
      !arg_floats(&c, 1, "gy", &gy) || !arg_floats(&c, 2, "out", &out) || !arg_size(&c, 3, "rows", &rows) ||
      !arg_size(&c, 4, "cols", &cols) || !same_dtype(&c, &y, "y", &out, "out") ||
      !same_dtype(&c, &gy, "gy", &out, "out") || !need(&c, &y, "y", rows * cols) ||
      !need(&c, &gy, "gy", rows * cols) || !need(&c, &out, "out", rows * cols))
    return NULL;
  if (y.f64) SOFTMAX_BACKWARD(double) else SOFTMAX_BACKWARD(float)
  return undefined(env);
}

// Layer normalisation of each row of a [rows, cols] matrix: mean and biased variance of the row
// (summed in double, as batch norm's), rstd = 1/√(variance + eps), y = (x − mean)·rstd·w + b.
#define LAYER_NORM(T, S)                                                                            \
  _Pragma("omp parallel for num_threads(map_threads) if (rows * cols >= MAP_PARALLEL_MIN)")         \
  for (size_t r = 0; r < rows; r++) {                                                               \
    const T *row = (const T *)x.data + r * cols, *wv = weight.data, *bv = bias.data;                \
    T *o = (T *)out.data + r * cols;                                                                \
    double mu = sum_run##S(row, cols) / (double)cols;                                               \
    double rs = 1 / sqrt(sq_run##S(row, cols, mu) / (double)cols + eps);                            \
    ((T *)mean.data)[r] = (T)mu;                                                                    \
    ((T *)rstd.data)[r] = (T)rs;                                                                    \
    T m = (T)mu, k = (T)rs;                                                                         \
    for (size_t j = 0; j < cols; j++) o[j] = (row[j] - m) * k * wv[j] + bv[j];                      \
  }

/** The LayerNormArgs as the addon gets them: rows, cols, eps. */
static bool layer_norm_args(Call *c, size_t i, size_t *rows, size_t *cols, double *eps) {
  if (!arg_size(c, i, "rows", rows) || !arg_size(c, i + 1, "cols", cols) || !arg_double(c, i + 2, eps)) return false;
  return *eps >= 0 || fail(c, "eps must be ≥ 0, got %g", *eps);
}

// layerNorm(x, weight, bias, out, mean, rstd, rows, cols, eps)
napi_value k_layer_norm(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, weight, bias, out, mean, rstd;
  size_t rows, cols;
  double eps;
  if (!call_begin(&c, env, info, "layerNorm", 9) || !arg_floats(&c, 0, "x", &x) ||
      !arg_floats(&c, 1, "weight", &weight) || !arg_floats(&c, 2, "bias", &bias) || !arg_floats(&c, 3, "out", &out) ||
      !arg_floats(&c, 4, "mean", &mean) || !arg_floats(&c, 5, "rstd", &rstd) ||
      !layer_norm_args(&c, 6, &rows, &cols, &eps))
    return NULL;
  const Floats *all[] = {&weight, &bias, &out, &mean, &rstd};
  const char *names[] = {"weight", "bias", "out", "mean", "rstd"};
  for (int i = 0; i < 5; i++)
    if (!same_dtype(&c, &x, "x", all[i], names[i])) return NULL;
  if (!need(&c, &x, "x", rows * cols) || !need(&c, &out, "out", rows * cols) || !need(&c, &weight, "weight", cols) ||
      !need(&c, &bias, "bias", cols) || !need(&c, &mean, "mean", rows) || !need(&c, &rstd, "rstd", rows))
    return NULL;
  if (x.f64) LAYER_NORM(double, 64) else LAYER_NORM(float, 32)
  return undefined(env);
}

// Its gradients, per row with x̂ = (x − mean)·rstd and g = dy ⊙ w:
//   dx = rstd·(g − Σg/n − x̂·Σ(g ⊙ x̂)/n), and over the rows dw = Σ dy ⊙ x̂, db = Σ dy.
#define LAYER_NORM_BACKWARD(T)                                                                      \
  {                                                                                                 \
    const T *wv = weight.data;                                                                      \
    T *dw = gWeight.data, *db = gBias.data;                                                         \
    for (size_t j = 0; j < cols; j++) dw[j] = db[j] = 0;                                            \
    for (size_t r = 0; r < rows; r++) {                                                             \
      const T *row = (const T *)x.data + r * cols, *g = (const T *)gy.data + r * cols;              \
      T *o = (T *)gx.data + r * cols, m = ((const T *)mean.data)[r], k = ((const T *)rstd.data)[r]; \
      double a = 0, b = 0;                                                                          \
      for (size_t j = 0; j < cols; j++) {                                                           \
        T xh = (row[j] - m) * k, gw = g[j] * wv[j];                                                 \
        a += gw;                                                                                    \
        b += (double)gw * xh;                                                                       \
        dw[j] += g[j] * xh;                                                                         \
        db[j] += g[j];                                                                              \
      }                                                                                             \
      T ca = (T)(a / (double)cols), cb = (T)(b / (double)cols);                                     \
      for (size_t j = 0; j < cols; j++) o[j] = k * (g[j] * wv[j] - ca - (row[j] - m) * k * cb);      \
    }                                                                                               \
  }

// layerNormBackward(x, gy, weight, mean, rstd, gx, gWeight, gBias, rows, cols, eps)
napi_value k_layer_norm_backward(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, gy, weight, mean, rstd, gx, gWeight, gBias;
  size_t rows, cols;
  double eps;
  if (!call_begin(&c, env, info, "layerNormBackward", 11) || !arg_floats(&c, 0, "x", &x) ||
      !arg_floats(&c, 1, "gy", &gy) || !arg_floats(&c, 2, "weight", &weight) || !arg_floats(&c, 3, "mean", &mean) ||
      !arg_floats(&c, 4, "rstd", &rstd) || !arg_floats(&c, 5, "gx", &gx) || !arg_floats(&c, 6, "gWeight", &gWeight) ||
      !arg_floats(&c, 7, "gBias", &gBias) || !layer_norm_args(&c, 8, &rows, &cols, &eps))
    return NULL;
  const Floats *all[] = {&gy, &weight, &mean, &rstd, &gx, &gWeight, &gBias};
  const char *names[] = {"gy", "weight", "mean", "rstd", "gx", "gWeight", "gBias"};
  for (int i = 0; i < 7; i++)
    if (!same_dtype(&c, &x, "x", all[i], names[i])) return NULL;
  if (!need(&c, &x, "x", rows * cols) || !need(&c, &gy, "gy", rows * cols) || !need(&c, &gx, "gx", rows * cols) ||
      !need(&c, &weight, "weight", cols) || !need(&c, &mean, "mean", rows) || !need(&c, &rstd, "rstd", rows) ||
      !need(&c, &gWeight, "gWeight", cols) || !need(&c, &gBias, "gBias", cols))
    return NULL;
  if (x.f64) LAYER_NORM_BACKWARD(double) else LAYER_NORM_BACKWARD(float)
  return undefined(env);
}
