#include "napi_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

bool call_begin(Call *c, napi_env env, napi_callback_info info, const char *kernel, size_t want) {
  c->env = env;
  c->kernel = kernel;
  c->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) != napi_ok) return fail(c, "could not read the arguments");
  if (c->argc < want) return fail(c, "expected %zu arguments, got %zu", want, c->argc);
  return true;
}

bool fail(Call *c, const char *fmt, ...) {
  char detail[400], message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  snprintf(message, sizeof message, "native backend: %s: %s", c->kernel, detail);
  bool pending = false;
  napi_is_exception_pending(c->env, &pending);
  if (!pending) napi_throw_error(c->env, "ERR_NABLA_NATIVE", message);
  return false;
}

static bool typed_array(Call *c, size_t i, const char *name, napi_typedarray_type *type, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(c->env, c->argv[i], &is) != napi_ok || !is) return fail(c, "%s must be a typed array", name);
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(c->env, c->argv[i], type, length, data, &buffer, &offset) != napi_ok) return fail(c, "could not read %s", name);
  // A detached buffer reports length 0 (and no data): every later `need` then refuses it.
  if (*data == NULL) *length = 0;
  return true;
}

bool arg_floats(Call *c, size_t i, const char *name, Floats *out) {
  napi_typedarray_type type;
  if (!typed_array(c, i, name, &type, &out->data, &out->length)) return false;
  if (type != napi_float32_array && type != napi_float64_array) return fail(c, "%s must be a Float32Array or Float64Array", name);
  out->f64 = type == napi_float64_array;
  out->given = true;
  return true;
}

bool arg_floats_or_null(Call *c, size_t i, const char *name, Floats *out) {
  napi_valuetype t;
  if (napi_typeof(c->env, c->argv[i], &t) != napi_ok) return fail(c, "could not read %s", name);
  if (t == napi_null || t == napi_undefined) {
    out->data = NULL;
    out->length = 0;
    out->f64 = false;
    out->given = false;
    return true;
  }
  return arg_floats(c, i, name, out);
}

bool arg_int32s(Call *c, size_t i, const char *name, int32_t **data, size_t *length) {
  napi_typedarray_type type;
  void *p;
  if (!typed_array(c, i, name, &type, &p, length)) return false;
  if (type != napi_int32_array) return fail(c, "%s must be an Int32Array", name);
  *data = p;
  return true;
}

bool arg_double(Call *c, size_t i, double *out) {
  if (napi_get_value_double(c->env, c->argv[i], out) != napi_ok) return fail(c, "argument %zu must be a number", i);
  return true;
}

bool arg_size(Call *c, size_t i, const char *name, size_t *out) {
  double v;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) return fail(c, "%s must be a number", name);
  if (!(v >= 0 && v <= 9007199254740992.0) || v != floor(v)) return fail(c, "%s must be a non-negative integer, got %g", name, v);
  *out = (size_t)v;
  return true;
}

bool arg_flag(Call *c, size_t i, bool *out) {
  napi_value b;
  if (napi_coerce_to_bool(c->env, c->argv[i], &b) != napi_ok || napi_get_value_bool(c->env, b, out) != napi_ok) return fail(c, "argument %zu must be a boolean", i);
  return true;
}

bool need(Call *c, const Floats *a, const char *name, size_t count) {
  if (a->length < count) return fail(c, "%s holds %zu elements, the call needs %zu (a detached or too short buffer)", name, a->length, count);
  return true;
}

bool same_dtype(Call *c, const Floats *a, const char *an, const Floats *b, const char *bn) {
  if (a->f64 != b->f64) return fail(c, "%s is %s but %s is %s", an, a->f64 ? "float64" : "float32", bn, b->f64 ? "float64" : "float32");
  return true;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}
