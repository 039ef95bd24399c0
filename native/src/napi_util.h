// Argument handling shared by every native kernel: each kernel is a Node-API function that takes
// the tensors' typed arrays as they are (no copies) and plain numbers. Nothing here trusts the
// caller: every array is checked to be a float32/float64 (or int32) typed array long enough for
// every index the kernel will touch, so a detached or short buffer throws instead of crashing.

#pragma once
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_ARGS 24
/** The most axes a shape passed to a kernel may have (src/backend/native/meta.ts MAX_RANK). */
#define MAX_RANK 32

/**
 * One step of an n-d counter over axes [0, axes) of `shape`: the next index in idx, and the
 * read position *pos moved by the stride of each axis that ticks (a stride may be 0: broadcast).
 */
static inline void step_index(size_t *idx, const size_t *shape, const size_t *stride, size_t axes, size_t *pos) {
  for (size_t d = axes; d-- > 0;) {
    idx[d]++;
    *pos += stride[d];
    if (idx[d] < shape[d]) return;
    *pos -= stride[d] * shape[d];
    idx[d] = 0;
  }
}

/**
 * A float typed array: its first element, its length in elements, whether it is float64, and
 * whether one was passed at all (an optional argument may be null; a detached array is given
 * but holds nothing, and data may be NULL for an empty one).
 */
typedef struct {
  void *data;
  size_t length;
  bool f64;
  bool given;
} Floats;

/** One kernel call: its name (for messages) and its arguments. */
typedef struct {
  napi_env env;
  const char *kernel;
  napi_value argv[MAX_ARGS];
  size_t argc;
} Call;

/** Reads the arguments; false (with a JS error thrown) when fewer than `want` were passed. */
bool call_begin(Call *c, napi_env env, napi_callback_info info, const char *kernel, size_t want);
/** Throws `native backend: <kernel>: <message>` and returns false. */
bool fail(Call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Argument i as a float32 or float64 typed array. */
bool arg_floats(Call *c, size_t i, const char *name, Floats *out);
/** Like arg_floats, but null or undefined give given = false (and data = NULL). */
bool arg_floats_or_null(Call *c, size_t i, const char *name, Floats *out);
/** Argument i as an Int32Array. */
bool arg_int32s(Call *c, size_t i, const char *name, int32_t **data, size_t *length);
/** Argument i as a number (false with an error when it is not one). */
bool arg_double(Call *c, size_t i, double *out);
/** Argument i as a non-negative integer no larger than 2^53 (false with an error otherwise). */
bool arg_size(Call *c, size_t i, const char *name, size_t *out);
/** Argument i as a boolean (any JS value, by truthiness of numbers and booleans). */
bool arg_flag(Call *c, size_t i, bool *out);
/** False with an error unless `a` holds at least `count` elements. */
bool need(Call *c, const Floats *a, const char *name, size_t count);
/** False with an error unless a and b are both float32 or both float64. */
bool same_dtype(Call *c, const Floats *a, const char *an, const Floats *b, const char *bn);
/** The JS undefined value (what a kernel returns when it has no result). */
napi_value undefined(napi_env env);
