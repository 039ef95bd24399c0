// Reductions, permutes, log-softmax and the label gather/scatter (pick, unpick), float32 and
// float64, with the js kernels' semantics and order of summation (src/backend/js/rows.ts):
// a row sum accumulates in double (js numbers) and rounds once; the general reduction adds into
// the output element by element, rounding there as js does; max propagates NaN as torch.amax.

#include <math.h>

#include "kernels.h"

#define MAX_RANK 32

static inline double max_nan(double a, double b) { return a > b || isnan(a) ? a : b; }

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
      double acc = sum ? 0 : -INFINITY;                                                           \
      if (sum) for (size_t j = 0; j < inner; j++) acc += row[j];                                  \
      else for (size_t j = 0; j < inner; j++) acc = max_nan(acc, row[j]);                         \
      out[r] = (T)acc;                                                                            \
    }                                                                                             \
  }                                                                                               \
  static void general##SUFFIX(bool sum, const T *x, T *out, size_t outLength, size_t rank,        \
                              const size_t *shape, const size_t *os) {                            \
    for (size_t o = 0; o < outLength; o++) out[o] = sum ? 0 : -INFINITY;                          \
    size_t idx[MAX_RANK] = {0}, n = product(shape, rank), o = 0;                                  \
    for (size_t i = 0; i < n; i++) {                                                              \
      out[o] = sum ? out[o] + x[i] : (T)max_nan(out[o], x[i]);                                    \
      for (size_t d = rank; d-- > 0;) {                                                           \
        idx[d]++;                                                                                 \
        o += os[d];                                                                               \
        if (idx[d] < shape[d]) break;                                                             \
        o -= os[d] * shape[d];                                                                    \
        idx[d] = 0;                                                                               \
      }                                                                                           \
    }                                                                                             \
  }
REDUCE(float, 32)
REDUCE(double, 64)

// reduce(op, x, out, meta, trailing): op 0 = sum, 1 = max; meta = [rank, shape..., reduced (0/1)...].
// `trailing`: only trailing axes are reduced (the row fast path, as in js).
napi_value k_reduce(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  size_t op, rank, dims[2][MAX_RANK];
  bool trailing;
  if (!call_begin(&c, env, info, "reduce", 5) || !arg_size(&c, 0, "op", &op) || !arg_floats(&c, 1, "x", &x) ||
      !arg_floats(&c, 2, "out", &out) || !read_meta(&c, 3, 1, &rank, dims) || !arg_flag(&c, 4, &trailing) ||
      !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  if (op > 1) return fail(&c, "unknown op code %zu", op), NULL;
  size_t *shape = dims[0], *reduced = dims[1], n = product(shape, rank);
  // Output strides seen from the input's axes: 0 on reduced axes.
  size_t os[MAX_RANK], s = 1, inner = 1;
  for (size_t d = rank; d-- > 0;) {
    if (reduced[d]) os[d] = 0, inner *= shape[d];
    else os[d] = s, s *= shape[d];
  }
  if (!need(&c, &x, "x", n) || !need(&c, &out, "out", s)) return NULL;
  bool sum = op == 0;
  if (trailing && inner > 0) {
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

// permute(x, out, meta): meta = [rank, outShape..., strides in x along each output axis...].
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
  size_t idx[MAX_RANK] = {0}, src = 0;
#define PERMUTE(T)                                      \
  {                                                     \
    const T *xs = x.data;                               \
    T *o = out.data;                                    \
    for (size_t i = 0; i < n; i++) {                    \
      o[i] = xs[src];                                   \
      for (size_t d = rank; d-- > 0;) {                 \
        idx[d]++;                                       \
        src += rs[d];                                   \
        if (idx[d] < shape[d]) break;                   \
        src -= rs[d] * shape[d];                        \
        idx[d] = 0;                                     \
      }                                                 \
    }                                                   \
  }
  if (x.f64) PERMUTE(double) else PERMUTE(float)
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
