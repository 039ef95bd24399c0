// im2col, col2im and place (src/backend/js/patches.ts, rows.ts), float32 and float64. The patch
// geometry arrives as 14 integers in PatchGeometry's order; every tap is bounds-checked against
// the image as in js, so reads stay inside x once x holds batch·channels·height·width values.

#include <stdlib.h>
#include <string.h>

#include "dnn.h"

bool read_geometry(Call *c, size_t i, long g[GEOMETRY]) {
  int32_t *meta;
  size_t length;
  if (!arg_int32s(c, i, "geometry", &meta, &length)) return false;
  if (length < GEOMETRY) return fail(c, "the geometry needs %d integers, got %zu", GEOMETRY, length);
  for (int k = 0; k < GEOMETRY; k++) {
    g[k] = meta[k];
    if (g[k] < 0) return fail(c, "geometry entry %d is negative (%ld)", k, g[k]);
  }
  if (g[GEO_SH] == 0 || g[GEO_SW] == 0) return fail(c, "strides must be positive");
  return true;
}

#define IM2COL(T)                                                                                   \
  {                                                                                                 \
    const T *xs = x.data;                                                                           \
    T *o = out.data;                                                                                \
    T pv = (T)padValue;                                                                             \
    for (long ch = 0; ch < C; ch++)                                                                 \
      for (long i = 0; i < kh; i++)                                                                 \
        for (long j = 0; j < kw; j++) {                                                             \
          T *row = o + ((ch * kh + i) * kw + j) * ncols;                                            \
          for (long n = 0; n < N; n++) {                                                            \
            const T *src = xs + (n * C + ch) * H * W;                                               \
            for (long oh = 0; oh < oH; oh++) {                                                      \
              long h = oh * sh - pt + i * dh;                                                       \
              T *dst = row + n * plane + oh * oW;                                                   \
              if (h < 0 || h >= H) {                                                                \
                for (long ow = 0; ow < oW; ow++) dst[ow] = pv;                                      \
                continue;                                                                           \
              }                                                                                     \
              for (long ow = 0; ow < oW; ow++) {                                                    \
                long w = ow * sw - pl + j * dw;                                                     \
                dst[ow] = w >= 0 && w < W ? src[h * W + w] : pv;                                    \
              }                                                                                     \
            }                                                                                       \
          }                                                                                         \
        }                                                                                           \
  }

#define UNPACK(g)                                                                                   \
  long N = g[GEO_BATCH], C = g[GEO_CHANNELS], H = g[GEO_HEIGHT], W = g[GEO_WIDTH], kh = g[GEO_KH], kw = g[GEO_KW], sh = g[GEO_SH], \
       sw = g[GEO_SW], pt = g[GEO_PAD_TOP], pl = g[GEO_PAD_LEFT], dh = g[GEO_DH], dw = g[GEO_DW], oH = g[GEO_OUT_H], oW = g[GEO_OUT_W]; \
  long plane = oH * oW, ncols = N * plane;                                                          \
  (void)sh, (void)sw, (void)pt, (void)pl, (void)dh, (void)dw;

// im2col(x, geometry, padValue, out): out [C·kH·kW, N·outH·outW], taps outside x read padValue.
napi_value k_im2col(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  long g[GEOMETRY];
  double padValue;
  if (!call_begin(&c, env, info, "im2col", 4) || !arg_floats(&c, 0, "x", &x) || !read_geometry(&c, 1, g) ||
      !arg_double(&c, 2, &padValue) || !arg_floats(&c, 3, "out", &out) || !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  UNPACK(g)
  if (!need(&c, &x, "x", (size_t)(N * C * H * W)) || !need(&c, &out, "out", (size_t)(C * kh * kw * ncols))) return NULL;
  if (x.f64) IM2COL(double) else IM2COL(float)
  return undefined(env);
}

#define COL2IM(T)                                                                                   \
  {                                                                                                 \
    const T *cs = cols.data;                                                                        \
    T *o = out.data;                                                                                \
    for (size_t k = 0; k < size; k++) o[k] = 0;                                                     \
    for (long ch = 0; ch < C; ch++)                                                                 \
      for (long i = 0; i < kh; i++)                                                                 \
        for (long j = 0; j < kw; j++) {                                                             \
          const T *row = cs + ((ch * kh + i) * kw + j) * ncols;                                     \
          for (long n = 0; n < N; n++) {                                                            \
            T *dst = o + (n * C + ch) * H * W;                                                      \
            for (long oh = 0; oh < oH; oh++) {                                                      \
              long h = oh * sh - pt + i * dh;                                                       \
              if (h < 0 || h >= H) continue;                                                        \
              const T *src = row + n * plane + oh * oW;                                             \
              for (long ow = 0; ow < oW; ow++) {                                                    \
                long w = ow * sw - pl + j * dw;                                                     \
                if (w >= 0 && w < W) dst[h * W + w] += src[ow];                                     \
              }                                                                                     \
            }                                                                                       \
          }                                                                                         \
        }                                                                                           \
  }

// col2im(cols, geometry, out): out [N, C, H, W] = 0, then every patch entry added at its pixel.
napi_value k_col2im(napi_env env, napi_callback_info info) {
  Call c;
  Floats cols, out;
  long g[GEOMETRY];
  if (!call_begin(&c, env, info, "col2im", 3) || !arg_floats(&c, 0, "cols", &cols) || !read_geometry(&c, 1, g) ||
      !arg_floats(&c, 2, "out", &out) || !same_dtype(&c, &cols, "cols", &out, "out"))
    return NULL;
  UNPACK(g)
  size_t size = (size_t)(N * C * H * W);
  if (!need(&c, &cols, "cols", (size_t)(C * kh * kw * ncols)) || !need(&c, &out, "out", size)) return NULL;
  if (out.f64) COL2IM(double) else COL2IM(float)
  return undefined(env);
}

// place(x, out, meta): meta = [rank, xShape..., outShape..., offset...] (offsets may be negative):
// x's element at index i goes to i + offset where that is inside out; the rest of out is kept.
napi_value k_place(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  int32_t *meta;
  size_t length;
  if (!call_begin(&c, env, info, "place", 3) || !arg_floats(&c, 0, "x", &x) || !arg_floats(&c, 1, "out", &out) ||
      !arg_int32s(&c, 2, "meta", &meta, &length) || !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  if (length < 1 || meta[0] < 0 || meta[0] > MAX_RANK || length < 1 + 3 * (size_t)meta[0]) return fail(&c, "malformed shape metadata"), NULL;
  long rank = meta[0], xs[MAX_RANK], os[MAX_RANK], lo[MAX_RANK], hi[MAX_RANK], idx[MAX_RANK], xn = 1, on = 1;
  const int32_t *xShape = meta + 1, *oShape = meta + 1 + rank, *offset = meta + 1 + 2 * rank;
  for (long d = 0; d < rank; d++) {
    if (xShape[d] < 0 || oShape[d] < 0) return fail(&c, "negative shape in the metadata"), NULL;
    xn *= xShape[d];
    on *= oShape[d];
  }
  if (!need(&c, &x, "x", (size_t)xn) || !need(&c, &out, "out", (size_t)on)) return NULL;
  if (rank == 0) {
    if (on > 0 && xn > 0) {
      if (x.f64) ((double *)out.data)[0] = ((const double *)x.data)[0];
      else ((float *)out.data)[0] = ((const float *)x.data)[0];
    }
    return undefined(env);
  }
  // The overlap in x's coordinates, axis by axis: [lo, hi).
  for (long d = 0; d < rank; d++) {
    long a = -(long)offset[d], b = (long)oShape[d] - offset[d];
    lo[d] = a > 0 ? a : 0;
    hi[d] = b < xShape[d] ? b : xShape[d];
    if (lo[d] >= hi[d]) return undefined(env);
  }
  xs[rank - 1] = os[rank - 1] = 1;
  for (long d = rank - 1; d-- > 0;) xs[d] = xs[d + 1] * xShape[d + 1], os[d] = os[d + 1] * oShape[d + 1];
  long last = rank - 1, run = hi[last] - lo[last];
  for (long d = 0; d < rank; d++) idx[d] = lo[d];
  for (;;) {
    long src = 0, dst = 0;
    for (long d = 0; d < rank; d++) src += idx[d] * xs[d], dst += (idx[d] + offset[d]) * os[d];
    if (x.f64) for (long k = 0; k < run; k++) ((double *)out.data)[dst + k] = ((const double *)x.data)[src + k];
    else for (long k = 0; k < run; k++) ((float *)out.data)[dst + k] = ((const float *)x.data)[src + k];
    long d = last - 1;
    for (; d >= 0; d--) {
      if (++idx[d] < hi[d]) break;
      idx[d] = lo[d];
    }
    if (d < 0) return undefined(env);
  }
}

// Tap by tap over a row of windows: for each tap (i, j) of the kernel, the windows of output row
// oh whose tap lies inside x (a range of ow, found once per j) compare it with their maximum so
// far, with selects rather than branches (a branch on random data mispredicts about every other
// tap); each window sees its taps in row-major order, so the first of equal maxima stays.
#define MAX_POOL_INDICES(T)                                                                         \
  {                                                                                                 \
    const T *xs = x.data;                                                                           \
    T *bv = malloc(sizeof(T) * (size_t)(oW ? oW : 1));                                              \
    long *jr = malloc(sizeof(long) * 2 * (size_t)(kw ? kw : 1));                                    \
    if (!bv || !jr) {                                                                               \
      free(bv);                                                                                     \
      free(jr);                                                                                     \
      return fail(&c, "out of memory"), NULL;                                                       \
    }                                                                                               \
    for (long j = 0; j < kw; j++) {                                                                 \
      long lo = 0, hi = oW;                                                                         \
      while (lo < hi && lo * sw - pl + j * dw < 0) lo++;                                            \
      while (hi > lo && (hi - 1) * sw - pl + j * dw >= W) hi--;                                     \
      jr[2 * j] = lo, jr[2 * j + 1] = hi;                                                           \
    }                                                                                               \
    for (long p = 0; p < N * C; p++) {                                                              \
      const T *src = xs + p * H * W;                                                                \
      for (long oh = 0; oh < oH; oh++) {                                                            \
        int32_t *bi = o + (p * oH + oh) * oW;                                                       \
        for (long ow = 0; ow < oW; ow++) bi[ow] = -1;                                               \
        for (long i = 0; i < kh; i++) {                                                             \
          long h = oh * sh - pt + i * dh;                                                           \
          if (h < 0 || h >= H) continue;                                                            \
          const T *row = src + h * W;                                                               \
          for (long j = 0; j < kw; j++) {                                                           \
            long off = j * dw - pl;                                                                 \
            for (long ow = jr[2 * j]; ow < jr[2 * j + 1]; ow++) {                                   \
              long at = ow * sw + off;                                                              \
              T v = row[at];                                                                        \
              bool take = (bi[ow] < 0) | (v > bv[ow]) | (v != v);                                   \
              bv[ow] = take ? v : bv[ow];                                                           \
              bi[ow] = take ? (int32_t)(h * W + at) : bi[ow];                                       \
            }                                                                                       \
          }                                                                                         \
        }                                                                                           \
        for (long ow = 0; ow < oW; ow++) bi[ow] = bi[ow] < 0 ? -1 : (int32_t)(p * H * W) + bi[ow];  \
      }                                                                                             \
    }                                                                                               \
    free(bv);                                                                                       \
    free(jr);                                                                                       \
  }

// maxPool2d(x, geometry, out, idx): for each window of each channel plane, its maximum (out) and
// that maximum's flat index into x (idx): the first of equal ones; a NaN wins, as torch's
// max_pool2d. float32 runs on oneDNN where it can (pool.c).
napi_value k_max_pool2d(napi_env env, napi_callback_info info) {
  Call c;
  Floats x, out;
  long g[GEOMETRY];
  int32_t *o;
  size_t length;
  if (!call_begin(&c, env, info, "maxPool2d", 4) || !arg_floats(&c, 0, "x", &x) || !read_geometry(&c, 1, g) ||
      !arg_floats(&c, 2, "out", &out) || !arg_int32s(&c, 3, "idx", &o, &length) ||
      !same_dtype(&c, &x, "x", &out, "out"))
    return NULL;
  UNPACK(g)
  (void)plane, (void)ncols;
  size_t windows = (size_t)(N * C * oH * oW);
  if (!need(&c, &x, "x", (size_t)(N * C * H * W)) || !need(&c, &out, "out", windows)) return NULL;
  if (length < windows) return fail(&c, "idx holds %zu indices for %zu windows", length, windows), NULL;
  if ((size_t)(N * C * H * W) > (size_t)INT32_MAX) return fail(&c, "x has more elements than an int32 index reaches"), NULL;
#ifdef NABLA_DNNL
  int done = x.f64 ? 0 : dnn_max_pool2d(&c, g, x.data, out.data, o);
  if (done) return done > 0 ? undefined(env) : NULL;
#endif
  // Padding is at most half the kernel, so every window has a tap inside x.
  if (x.f64) {
    MAX_POOL_INDICES(double)
    for (size_t i = 0; i < windows; i++) ((double *)out.data)[i] = ((const double *)x.data)[o[i]];
  } else {
    MAX_POOL_INDICES(float)
    for (size_t i = 0; i < windows; i++) ((float *)out.data)[i] = ((const float *)x.data)[o[i]];
  }
  return undefined(env);
}

#define MAX_POOL_BACKWARD(T)                                                                        \
  {                                                                                                 \
    T *dx = out.data;                                                                               \
    memset(dx, 0, out.length * sizeof(T));                                                          \
    for (size_t i = 0; i < n; i++) dx[idx[i]] += ((const T *)gy.data)[i];                           \
  }

// maxPool2dBackward(gy, idx, out): out = 0 but out[idx[i]] += gy[i] for each of idx's i, in order
// (idx from maxPool2d).
napi_value k_max_pool2d_backward(napi_env env, napi_callback_info info) {
  Call c;
  Floats gy, out;
  int32_t *idx;
  size_t n;
  if (!call_begin(&c, env, info, "maxPool2dBackward", 3) || !arg_floats(&c, 0, "gy", &gy) ||
      !arg_int32s(&c, 1, "idx", &idx, &n) || !arg_floats(&c, 2, "out", &out) || !same_dtype(&c, &gy, "gy", &out, "out"))
    return NULL;
  if (!need(&c, &gy, "gy", n)) return NULL;
  for (size_t i = 0; i < n; i++)
    if (idx[i] < 0 || (size_t)idx[i] >= out.length)
      return fail(&c, "index %d at %zu is outside out's %zu values", idx[i], i, out.length), NULL;
  if (out.f64) MAX_POOL_BACKWARD(double) else MAX_POOL_BACKWARD(float)
  return undefined(env);
}
