// The optimizer updates and the in-place helpers (axpy, scale, normAccumulate), float32 and
// float64. Each computes in double in the js kernels' order of operations and stores once per
// buffer (src/backend/js/optim.ts, rows.ts), re-reading what it stored as js does, so the updates
// are the bits of js's. No FMA contraction (the build passes -ffp-contract=off).

#include <math.h>

#include "kernels.h"

#define AXPY(T, SUFFIX) \
  CLONES static void axpy##SUFFIX(T *y, const T *x, size_t n, double alpha) { for (size_t i = 0; i < n; i++) y[i] = (T)(y[i] + alpha * x[i]); }
AXPY(float, 32)
AXPY(double, 64)

// axpy(y, x, alpha): y ← y + αx.
napi_value k_axpy(napi_env env, napi_callback_info info) {
  Call c;
  Floats y, x;
  double alpha;
  if (!call_begin(&c, env, info, "axpy", 3) || !arg_floats(&c, 0, "y", &y) || !arg_floats(&c, 1, "x", &x) || !arg_double(&c, 2, &alpha) ||
      !same_dtype(&c, &y, "y", &x, "x") || !need(&c, &x, "x", y.length))
    return NULL;
  if (y.f64) axpy64(y.data, x.data, y.length, alpha);
  else axpy32(y.data, x.data, y.length, alpha);
  return undefined(env);
}

// scale(x, alpha): x ← αx.
napi_value k_scale(napi_env env, napi_callback_info info) {
  Call c;
  Floats x;
  double alpha;
  if (!call_begin(&c, env, info, "scale", 2) || !arg_floats(&c, 0, "x", &x) || !arg_double(&c, 1, &alpha)) return NULL;
  if (x.f64) for (size_t i = 0; i < x.length; i++) ((double *)x.data)[i] *= alpha;
  else for (size_t i = 0; i < x.length; i++) ((float *)x.data)[i] = (float)(((float *)x.data)[i] * alpha);
  return undefined(env);
}

// normAccumulate(x, p, acc): acc + Σ|x|ᵖ, or max(acc, max|x|) for p = ∞.
napi_value k_norm_accumulate(napi_env env, napi_callback_info info) {
  Call c;
  Floats x;
  double p, acc;
  if (!call_begin(&c, env, info, "normAccumulate", 3) || !arg_floats(&c, 0, "x", &x) || !arg_double(&c, 1, &p) || !arg_double(&c, 2, &acc)) return NULL;
  for (size_t i = 0; i < x.length; i++) {
    double v = fabs(x.f64 ? ((const double *)x.data)[i] : ((const float *)x.data)[i]);
    // Math.max propagates NaN; Math.pow(v, 2) is v·v correctly rounded, as pow is.
    if (isinf(p)) acc = isnan(acc) || isnan(v) ? NAN : acc > v ? acc : v;
    else acc += p == 2 ? v * v : p == 1 ? v : pow(v, p);
  }
  napi_value r;
  napi_create_double(env, acc, &r);
  return r;
}

#define SGD(T, SUFFIX)                                                                                      \
  CLONES static void sgd##SUFFIX(T *p, const T *grad, T *b, size_t n, double lr, double mu, double damp,     \
                                 bool nesterov, double wd, bool first) {                                     \
    if (mu == 0 || !b) {                                                                                    \
      for (size_t j = 0; j < n; j++) p[j] = (T)(p[j] - lr * (grad[j] + wd * p[j]));                          \
      return;                                                                                               \
    }                                                                                                       \
    for (size_t j = 0; j < n; j++) {                                                                        \
      double g = grad[j] + wd * p[j];                                                                       \
      b[j] = (T)(first ? g : mu * b[j] + (1 - damp) * g);                                                   \
      double step = nesterov ? g + mu * b[j] : b[j];                                                        \
      p[j] = (T)(p[j] - lr * step);                                                                         \
    }                                                                                                       \
  }
SGD(float, 32)
SGD(double, 64)

// sgd(p, grad, momentumBuffer | null, lr, momentum, dampening, nesterov, weightDecay, first)
napi_value k_sgd(napi_env env, napi_callback_info info) {
  Call c;
  Floats p, g, b;
  double lr, mu, damp, wd;
  bool nesterov, first;
  if (!call_begin(&c, env, info, "sgd", 9) || !arg_floats(&c, 0, "p", &p) || !arg_floats(&c, 1, "grad", &g) ||
      !arg_floats_or_null(&c, 2, "momentumBuffer", &b) || !arg_double(&c, 3, &lr) || !arg_double(&c, 4, &mu) ||
      !arg_double(&c, 5, &damp) || !arg_flag(&c, 6, &nesterov) || !arg_double(&c, 7, &wd) || !arg_flag(&c, 8, &first) ||
      !same_dtype(&c, &p, "p", &g, "grad") || !need(&c, &g, "grad", p.length) ||
      (b.given && (!same_dtype(&c, &p, "p", &b, "momentumBuffer") || !need(&c, &b, "momentumBuffer", p.length))))
    return NULL;
  if (p.f64) {
    double *pv = p.data, *gv = g.data, *bv = b.data;
    FOR_EACH_CHUNK(p.length, STREAM_PARALLEL_MIN, at, len, sgd64(pv + at, gv + at, bv ? bv + at : NULL, len, lr, mu, damp, nesterov, wd, first))
  } else {
    float *pv = p.data, *gv = g.data, *bv = b.data;
    FOR_EACH_CHUNK(p.length, STREAM_PARALLEL_MIN, at, len, sgd32(pv + at, gv + at, bv ? bv + at : NULL, len, lr, mu, damp, nesterov, wd, first))
  }
  return undefined(env);
}

// One loop per (decoupled, amsgrad) pair, so that each has no branch inside and vectorises.
#define ADAM_LOOP(T, DECOUPLED, AMSGRAD)                                                                 \
  for (size_t j = 0; j < n; j++) {                                                                        \
    double g = grad[j], pj = p[j];                                                                        \
    if (DECOUPLED) pj = (T)(pj * (1 - lr * wd));                                                          \
    else g += wd * pj;                                                                                    \
    T mj = (T)(b1 * m[j] + (1 - b1) * g), vj = (T)(b2 * v[j] + (1 - b2) * g * g);                         \
    m[j] = mj;                                                                                            \
    v[j] = vj;                                                                                            \
    T top = vj;                                                                                           \
    if (AMSGRAD) top = vMax[j] = vj > vMax[j] ? vj : vMax[j];                                             \
    p[j] = (T)(pj - (stepSize * mj) / (sqrt((double)top) / bc2Sqrt + eps));                               \
  }
#define ADAM(T, SUFFIX)                                                                                           \
  CLONES static void adam##SUFFIX(T *restrict p, const T *restrict grad, T *restrict m, T *restrict v,            \
                                  T *restrict vMax, size_t n, double lr, double b1, double b2, double eps,        \
                                  double wd, bool decoupled, double stepSize, double bc2Sqrt) {                   \
    if (decoupled && vMax) ADAM_LOOP(T, 1, 1)                                                                     \
    else if (decoupled) ADAM_LOOP(T, 1, 0)                                                                        \
    else if (vMax) ADAM_LOOP(T, 0, 1)                                                                             \
    else ADAM_LOOP(T, 0, 0)                                                                                       \
  }
ADAM(float, 32)
ADAM(double, 64)

// adam(p, grad, m, v, vMax | null, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt)
// stepSize = lr / (1 − β₁ᵗ) and bc2Sqrt = √(1 − β₂ᵗ) come from js, computed as its kernel does.
napi_value k_adam(napi_env env, napi_callback_info info) {
  Call c;
  Floats p, g, m, v, vMax;
  double lr, b1, b2, eps, wd, stepSize, bc2Sqrt;
  bool decoupled;
  if (!call_begin(&c, env, info, "adam", 13) || !arg_floats(&c, 0, "p", &p) || !arg_floats(&c, 1, "grad", &g) ||
      !arg_floats(&c, 2, "m", &m) || !arg_floats(&c, 3, "v", &v) || !arg_floats_or_null(&c, 4, "vMax", &vMax) ||
      !arg_double(&c, 5, &lr) || !arg_double(&c, 6, &b1) || !arg_double(&c, 7, &b2) || !arg_double(&c, 8, &eps) ||
      !arg_double(&c, 9, &wd) || !arg_flag(&c, 10, &decoupled) || !arg_double(&c, 11, &stepSize) || !arg_double(&c, 12, &bc2Sqrt))
    return NULL;
  size_t n = p.length;
  if (!same_dtype(&c, &p, "p", &g, "grad") || !same_dtype(&c, &p, "p", &m, "m") || !same_dtype(&c, &p, "p", &v, "v") ||
      !need(&c, &g, "grad", n) || !need(&c, &m, "m", n) || !need(&c, &v, "v", n) ||
      (vMax.given && (!same_dtype(&c, &p, "p", &vMax, "vMax") || !need(&c, &vMax, "vMax", n))))
    return NULL;
  // Each value's update alone, chunk by chunk over map_threads: the same bits at any count.
  if (p.f64) {
    double *pv = p.data, *gv = g.data, *mv = m.data, *vv = v.data, *xv = vMax.data;
    FOR_EACH_CHUNK(n, MAP_PARALLEL_MIN, at, len, adam64(pv + at, gv + at, mv + at, vv + at, xv ? xv + at : NULL, len, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt))
  } else {
    float *pv = p.data, *gv = g.data, *mv = m.data, *vv = v.data, *xv = vMax.data;
    FOR_EACH_CHUNK(n, MAP_PARALLEL_MIN, at, len, adam32(pv + at, gv + at, mv + at, vv + at, xv ? xv + at : NULL, len, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt))
  }
  return undefined(env);
}

#define RMSPROP(T, SUFFIX)                                                                                     \
  static void rmsprop##SUFFIX(T *p, const T *grad, T *s, T *gAvg, T *b, size_t n, double lr, double alpha,      \
                              double eps, double wd, double mu) {                                              \
    for (size_t j = 0; j < n; j++) {                                                                           \
      double g = grad[j] + wd * p[j], d;                                                                       \
      s[j] = (T)(alpha * s[j] + (1 - alpha) * g * g);                                                          \
      if (gAvg) {                                                                                              \
        gAvg[j] = (T)(alpha * gAvg[j] + (1 - alpha) * g);                                                      \
        d = sqrt(s[j] - (double)gAvg[j] * gAvg[j]) + eps;                                                      \
      } else d = sqrt((double)s[j]) + eps;                                                                     \
      if (b && mu > 0) {                                                                                       \
        b[j] = (T)(mu * b[j] + g / d);                                                                         \
        p[j] = (T)(p[j] - lr * b[j]);                                                                          \
      } else p[j] = (T)(p[j] - (lr * g) / d);                                                                  \
    }                                                                                                          \
  }
RMSPROP(float, 32)
RMSPROP(double, 64)

// rmsprop(p, grad, squareAvg, gradAvg | null, momentumBuffer | null, lr, alpha, eps, weightDecay, momentum)
napi_value k_rmsprop(napi_env env, napi_callback_info info) {
  Call c;
  Floats p, g, s, gAvg, b;
  double lr, alpha, eps, wd, mu;
  if (!call_begin(&c, env, info, "rmsprop", 10) || !arg_floats(&c, 0, "p", &p) || !arg_floats(&c, 1, "grad", &g) ||
      !arg_floats(&c, 2, "squareAvg", &s) || !arg_floats_or_null(&c, 3, "gradAvg", &gAvg) ||
      !arg_floats_or_null(&c, 4, "momentumBuffer", &b) || !arg_double(&c, 5, &lr) || !arg_double(&c, 6, &alpha) ||
      !arg_double(&c, 7, &eps) || !arg_double(&c, 8, &wd) || !arg_double(&c, 9, &mu))
    return NULL;
  size_t n = p.length;
  if (!same_dtype(&c, &p, "p", &g, "grad") || !same_dtype(&c, &p, "p", &s, "squareAvg") || !need(&c, &g, "grad", n) ||
      !need(&c, &s, "squareAvg", n) || (gAvg.given && (!same_dtype(&c, &p, "p", &gAvg, "gradAvg") || !need(&c, &gAvg, "gradAvg", n))) ||
      (b.given && (!same_dtype(&c, &p, "p", &b, "momentumBuffer") || !need(&c, &b, "momentumBuffer", n))))
    return NULL;
  if (p.f64) rmsprop64(p.data, g.data, s.data, gAvg.data, b.data, n, lr, alpha, eps, wd, mu);
  else rmsprop32(p.data, g.data, s.data, gAvg.data, b.data, n, lr, alpha, eps, wd, mu);
  return undefined(env);
}
