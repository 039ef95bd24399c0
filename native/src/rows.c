// Reductions, permutes, log-softmax and the label gather/scatter (pick, unpick), float32 and
// float64, with the js kernels' semantics and order of summation (src/backend/js/rows.ts):
// a sum accumulates each contiguous run in double (js numbers) and rounds once per run (js's
// general path rounds at every element: ours is at least as accurate); max propagates NaN as
// torch.amax.

#include <math.h>

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
