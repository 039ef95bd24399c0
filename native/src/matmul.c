// The matrix product: OpenBLAS's sgemm/dgemm straight on the tensors' memory (row-major, the
// transposes as BLAS flags, so nothing is copied or packed here), then the bias/ReLU epilogue
// in place. Why OpenBLAS and not our own micro-kernels: see native/README.md (measured).
// OpenBLAS splits a product over its threads by rows and columns of C, never along k, so every
// output element is summed in the same order at any thread count (test/backend/native.test.ts).

#include "dnn.h"

#include <limits.h>
#include <string.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);
void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, const double *a, int lda,
                 const double *b, int ldb, double beta, double *c, int ldc);
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                 float beta, float *y, int incy);
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double *a, int lda, const double *x, int incx,
                 double beta, double *y, int incy);
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

#define EPILOGUE(T)                                                          \
  for (size_t i = 0; i < m; i++) {                                           \
    T *row = (T *)out.data + outOff + i * n;                                 \
    if (hasBias) {                                                           \
      const T *bv = (const T *)bias.data + biasOff;                          \
      for (size_t j = 0; j < n; j++) row[j] = row[j] + bv[j];                \
    }                                                                        \
    if (relu)                                                                \
      for (size_t j = 0; j < n; j++) row[j] = row[j] < 0 ? (T)0 : row[j];    \
  }

// matmul(a, b, out, m, k, n, transA, transB, aOffset, bOffset, outOffset, bias | null, biasOffset, relu)
napi_value k_matmul(napi_env env, napi_callback_info info) {
  Call c;
  Floats a, b, out, bias;
  size_t m, k, n, aOff, bOff, outOff, biasOff;
  bool transA, transB, relu;
  if (!call_begin(&c, env, info, "matmul", 14) || !arg_floats(&c, 0, "a", &a) || !arg_floats(&c, 1, "b", &b) ||
      !arg_floats(&c, 2, "out", &out) || !arg_size(&c, 3, "m", &m) || !arg_size(&c, 4, "k", &k) ||
      !arg_size(&c, 5, "n", &n) || !arg_flag(&c, 6, &transA) || !arg_flag(&c, 7, &transB) ||
      !arg_size(&c, 8, "aOffset", &aOff) || !arg_size(&c, 9, "bOffset", &bOff) || !arg_size(&c, 10, "outOffset", &outOff) ||
      !arg_floats_or_null(&c, 11, "bias", &bias) || !arg_size(&c, 12, "biasOffset", &biasOff) || !arg_flag(&c, 13, &relu))
    return NULL;
  bool hasBias = bias.given;
  if (!same_dtype(&c, &a, "a", &out, "out") || !same_dtype(&c, &b, "b", &out, "out") ||
      (hasBias && !same_dtype(&c, &bias, "bias", &out, "out")))
    return NULL;
  if (m > INT_MAX || k > INT_MAX || n > INT_MAX || m * k > (size_t)1 << 52 || k * n > (size_t)1 << 52 || m * n > (size_t)1 << 52)
    return fail(&c, "a %zu×%zu·%zu×%zu product is larger than BLAS indexes", m, k, k, n), NULL;
  if (!need(&c, &a, "a", aOff + m * k) || !need(&c, &b, "b", bOff + k * n) || !need(&c, &out, "out", outOff + m * n) ||
      (hasBias && !need(&c, &bias, "bias", biasOff + n)))
    return NULL;
  if (m == 0 || n == 0) return undefined(env);
  int lda = transA ? (int)m : (int)k, ldb = transB ? (int)k : (int)n;
  int ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
  if (m == 1 && k > 0) {
    // One row (batch-1 inference): y[1×n] = x[1×k]·op(B) is a matrix-vector product, and
    // OpenBLAS's gemv runs it in 7 µs at 784×128 where its gemm, packing a one-row panel, took
    // 26 (one thread, AMD EPYC). x is contiguous whichever transA says (a 1×k or k×1 matrix). B
    // stored k×n gives y = Bᵀx; stored n×k (transB) y = Bx. y is cleared first, so that nothing
    // it held (NaN) can reach the result through beta = 0.
    int gt = transB ? NO_TRANS : TRANS, rows = transB ? (int)n : (int)k, cols = transB ? (int)k : (int)n;
    if (out.f64) {
      double *y = (double *)out.data + outOff;
      memset(y, 0, n * sizeof *y);
      cblas_dgemv(ROW_MAJOR, gt, rows, cols, 1.0, (const double *)b.data + bOff, ldb, (const double *)a.data + aOff, 1, 0.0, y, 1);
      if (hasBias || relu) EPILOGUE(double)
    } else {
      float *y = (float *)out.data + outOff;
      memset(y, 0, n * sizeof *y);
      cblas_sgemv(ROW_MAJOR, gt, rows, cols, 1.0f, (const float *)b.data + bOff, ldb, (const float *)a.data + aOff, 1, 0.0f, y, 1);
      if (hasBias || relu) EPILOGUE(float)
    }
    return undefined(env);
  }
  if (out.f64) {
    cblas_dgemm(ROW_MAJOR, ta, tb, (int)m, (int)n, (int)k, 1.0, (const double *)a.data + aOff, lda,
                (const double *)b.data + bOff, ldb, 0.0, (double *)out.data + outOff, (int)n);
    if (hasBias || relu) EPILOGUE(double)
  } else {
    cblas_sgemm(ROW_MAJOR, ta, tb, (int)m, (int)n, (int)k, 1.0f, (const float *)a.data + aOff, lda,
                (const float *)b.data + bOff, ldb, 0.0f, (float *)out.data + outOff, (int)n);
    if (hasBias || relu) EPILOGUE(float)
  }
  return undefined(env);
}

// setThreads(n): the threads OpenBLAS may use for one product, and oneDNN for one convolution
// (the calling thread included).
napi_value addon_set_threads(napi_env env, napi_callback_info info) {
  Call c;
  size_t n;
  if (!call_begin(&c, env, info, "setThreads", 1) || !arg_size(&c, 0, "n", &n)) return NULL;
  if (n < 1 || n > 1024) return fail(&c, "expected 1 to 1024 threads, got %zu", n), NULL;
  openblas_set_num_threads((int)n);
  dnn_set_threads((int)n);
  return undefined(env);
}

int map_threads = 1;

// setMapThreads(n): the threads of the per-value, per-row and per-channel kernels (map_threads).
napi_value addon_set_map_threads(napi_env env, napi_callback_info info) {
  Call c;
  size_t n;
  if (!call_begin(&c, env, info, "setMapThreads", 1) || !arg_size(&c, 0, "n", &n)) return NULL;
  if (n < 1 || n > 1024) return fail(&c, "expected 1 to 1024 threads, got %zu", n), NULL;
  map_threads = (int)n;
  return undefined(env);
}

// info(): { blas, core, threads, dnn } — which BLAS build and which of its kernels runs here, and
// the oneDNN that convolutions run on (null in a build without it).
napi_value addon_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "blas", v);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "core", v);
  napi_create_int32(env, openblas_get_num_threads(), &v);
  napi_set_named_property(env, o, "threads", v);
  const char *dnn = dnn_library();
  if (dnn) napi_create_string_utf8(env, dnn, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, o, "dnn", v);
  return o;
}
