// Convolution through oneDNN (libdnnl, the library PyTorch calls for CPU convolution): its
// forward, backward-data and backward-weights primitives on the tensors' own NCHW memory, float32.
// Built only where oneDNN's headers are (scripts/build-native.mjs defines NABLA_DNNL); elsewhere
// the kernels throw and the native backend does not register them (src/backend/native/conv.ts),
// so ops take the im2col path.
//
// Each call finds its primitive in a small cache keyed by everything that shapes it (the kind, the
// geometry, the channels, groups, bias, ReLU). oneDNN picks the memory layout it runs fastest on
// (channel-blocked, nChw16c on AVX-512); a tensor whose layout differs is reordered into a buffer
// the entry owns before the call (inputs) or out of it after (outputs). The forward weights'
// reorder is skipped while the weight's version (ConvArgs.weightVersion) and memory are unchanged.

#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONV_FORWARD, CONV_INPUT_GRAD, CONV_WEIGHT_GRAD };

#ifdef NABLA_DNNL
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

void omp_set_num_threads(int n);

/** Each argument of a convolution primitive: the user's plain tensor and, if oneDNN wants another layout, its copy. */
typedef struct {
  int arg;                 // DNNL_ARG_SRC, ...
  bool output;             // written by the primitive (reordered out after it)
  dnnl_memory_desc_t user; // plain: nchw, (g)oihw
  dnnl_memory_t user_mem;
  dnnl_memory_t mem;       // what the primitive sees: user_mem, or a buffer in its own layout
  dnnl_primitive_t reorder; // user → mem for inputs, mem → user for outputs; NULL when the layouts agree
  void *buffer;
} Operand;

typedef struct {
  long key[20];
  dnnl_primitive_t prim;
  Operand ops[4];
  int count;
  dnnl_memory_t scratch_mem;
  void *scratch;
  const void *weight_data; // forward: the weight memory and version whose reorder is in the buffer
  double weight_version;
  unsigned long used;
} Entry;

#define CACHE 48
static Entry cache[CACHE];
static unsigned long clock_tick;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int threads = 1;

static bool ok(Call *c, dnnl_status_t s, const char *what) {
  return s == dnnl_success || fail(c, "oneDNN %s failed (%s)", what, dnnl_status2str(s));
}

static void free_entry(Entry *e) {
  if (e->prim) dnnl_primitive_destroy(e->prim);
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    if (o->reorder) {
      dnnl_primitive_destroy(o->reorder);
      dnnl_memory_destroy(o->mem);
      free(o->buffer);
    }
    dnnl_memory_destroy(o->user_mem);
  }
  if (e->scratch_mem) dnnl_memory_destroy(e->scratch_mem);
  free(e->scratch);
  memset(e, 0, sizeof *e);
}

static void *aligned(size_t bytes) {
  void *p = NULL;
  return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

/** Sets up operand i: its plain descriptor, and a buffer plus reorder where oneDNN's layout differs. */
static bool add_operand(Call *c, Entry *e, dnnl_primitive_desc_t pd, int arg, bool output, const dnnl_memory_desc_t *user) {
  Operand *o = &e->ops[e->count++];
  o->arg = arg;
  o->output = output;
  o->user = *user;
  if (!ok(c, dnnl_memory_create(&o->user_mem, user, engine, DNNL_MEMORY_NONE), "memory")) return false;
  const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
  if (dnnl_memory_desc_equal(want, user)) {
    o->mem = o->user_mem;
    return true;
  }
  o->buffer = aligned(dnnl_memory_desc_get_size(want));
  if (!o->buffer) return fail(c, "out of memory for a reorder buffer");
  if (!ok(c, dnnl_memory_create(&o->mem, want, engine, o->buffer), "memory")) return false;
  dnnl_primitive_desc_t rpd;
  const dnnl_memory_desc_t *from = output ? want : user, *to = output ? user : want;
  if (!ok(c, dnnl_reorder_primitive_desc_create(&rpd, from, engine, to, engine, NULL), "reorder")) return false;
  dnnl_status_t s = dnnl_primitive_create(&o->reorder, rpd);
  dnnl_primitive_desc_destroy(rpd);
  return ok(c, s, "reorder");
}

static void plain(dnnl_memory_desc_t *md, int rank, const long *dims, dnnl_format_tag_t tag) {
  dnnl_dims_t d;
  for (int i = 0; i < rank; i++) d[i] = dims[i];
  dnnl_memory_desc_init_by_tag(md, rank, d, dnnl_f32, tag);
}

static void any(dnnl_memory_desc_t *md, const dnnl_memory_desc_t *like) {
  dnnl_memory_desc_init_by_tag(md, like->ndims, like->dims, dnnl_f32, dnnl_format_tag_any);
}

/** Builds the primitive of one kind for a geometry (g: PatchGeometry's 14 integers). */
static bool build(Call *c, Entry *e, int kind, const long *g, long outC, long groups, bool bias, bool relu) {
  long N = g[GEO_BATCH], C = g[GEO_CHANNELS], H = g[GEO_HEIGHT], W = g[GEO_WIDTH], kh = g[GEO_KH], kw = g[GEO_KW];
  long oH = g[GEO_OUT_H], oW = g[GEO_OUT_W];
  long src_dims[4] = {N, C, H, W}, dst_dims[4] = {N, outC, oH, oW};
  long w_dims[5] = {groups, outC / groups, C / groups, kh, kw};
  dnnl_memory_desc_t src, dst, wei, bia, src_any, dst_any, wei_any, bia_any;
  plain(&src, 4, src_dims, dnnl_nchw);
  plain(&dst, 4, dst_dims, dnnl_nchw);
  if (groups > 1) plain(&wei, 5, w_dims, dnnl_goihw);
  else plain(&wei, 4, w_dims + 1, dnnl_oihw);
  plain(&bia, 1, &outC, dnnl_x);
  any(&src_any, &src);
  any(&dst_any, &dst);
  any(&wei_any, &wei);
  any(&bia_any, &bia);
  // oneDNN's padding on the far side: what makes its output size ours (negative where the last
  // window stops short of the input's end).
  dnnl_dims_t strides = {g[GEO_SH], g[GEO_SW]}, dil = {g[GEO_DH] - 1, g[GEO_DW] - 1};
  dnnl_dims_t pad_l = {g[GEO_PAD_TOP], g[GEO_PAD_LEFT]};
  dnnl_dims_t pad_r = {(oH - 1) * g[GEO_SH] + (kh - 1) * g[GEO_DH] + 1 - H - g[GEO_PAD_TOP],
                       (oW - 1) * g[GEO_SW] + (kw - 1) * g[GEO_DW] + 1 - W - g[GEO_PAD_LEFT]};

  dnnl_primitive_attr_t attr;
  dnnl_primitive_attr_create(&attr);
  dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
  if (relu) {
    dnnl_post_ops_t po;
    dnnl_post_ops_create(&po);
    dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    dnnl_primitive_attr_set_post_ops(attr, po);
    dnnl_post_ops_destroy(po);
  }
  dnnl_convolution_desc_t fd, bd;
  dnnl_primitive_desc_t fwd = NULL, pd = NULL;
  dnnl_status_t s = dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                                               &src_any, &wei_any, bias ? &bia_any : NULL, &dst_any,
                                                               strides, dil, pad_l, pad_r);
  if (s == dnnl_success) s = dnnl_primitive_desc_create(&fwd, &fd, kind == CONV_FORWARD ? attr : NULL, engine, NULL);
  if (s == dnnl_success && kind == CONV_FORWARD) {
    pd = fwd;
    fwd = NULL;
  } else if (s == dnnl_success && kind == CONV_INPUT_GRAD) {
    s = dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src_any, &wei_any, &dst_any,
                                                         strides, dil, pad_l, pad_r);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &bd, attr, engine, fwd);
  } else if (s == dnnl_success) {
    s = dnnl_dilated_convolution_backward_weights_desc_init(&bd, dnnl_convolution_direct, &src_any, &wei_any, NULL,
                                                            &dst_any, strides, dil, pad_l, pad_r);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &bd, attr, engine, fwd);
  }
  dnnl_primitive_attr_destroy(attr);
  if (fwd) dnnl_primitive_desc_destroy(fwd);
  if (!ok(c, s, "convolution descriptor")) return false;

  bool built = true;
  if (kind == CONV_FORWARD) {
    built = add_operand(c, e, pd, DNNL_ARG_SRC, false, &src) && add_operand(c, e, pd, DNNL_ARG_WEIGHTS, false, &wei) &&
            add_operand(c, e, pd, DNNL_ARG_DST, true, &dst) &&
            (!bias || add_operand(c, e, pd, DNNL_ARG_BIAS, false, &bia));
  } else if (kind == CONV_INPUT_GRAD) {
    built = add_operand(c, e, pd, DNNL_ARG_DIFF_DST, false, &dst) &&
            add_operand(c, e, pd, DNNL_ARG_WEIGHTS, false, &wei) && add_operand(c, e, pd, DNNL_ARG_DIFF_SRC, true, &src);
  } else {
    built = add_operand(c, e, pd, DNNL_ARG_SRC, false, &src) && add_operand(c, e, pd, DNNL_ARG_DIFF_DST, false, &dst) &&
            add_operand(c, e, pd, DNNL_ARG_DIFF_WEIGHTS, true, &wei);
  }
  const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
  if (built && scratch && dnnl_memory_desc_get_size(scratch) > 0) {
    e->scratch = aligned(dnnl_memory_desc_get_size(scratch));
    built = (e->scratch || fail(c, "out of memory for oneDNN's scratchpad")) &&
            ok(c, dnnl_memory_create(&e->scratch_mem, scratch, engine, e->scratch), "memory");
  }
  if (built) built = ok(c, dnnl_primitive_create(&e->prim, pd), "convolution primitive");
  dnnl_primitive_desc_destroy(pd);
  return built;
}

/** The cache entry for this key, built on a miss (the least recently used one is replaced). */
static Entry *entry_for(Call *c, const long *key, int kind, const long *g, long outC, long groups, bool bias, bool relu) {
  if (!engine && (!ok(c, dnnl_engine_create(&engine, dnnl_cpu, 0), "engine") ||
                  !ok(c, dnnl_stream_create(&stream, engine, dnnl_stream_default_flags), "stream")))
    return NULL;
  Entry *victim = &cache[0];
  for (int i = 0; i < CACHE; i++) {
    if (cache[i].prim && memcmp(cache[i].key, key, sizeof cache[i].key) == 0) {
      cache[i].used = ++clock_tick;
      return &cache[i];
    }
    if (cache[i].used < victim->used) victim = &cache[i];
  }
  free_entry(victim);
  if (!build(c, victim, kind, g, outC, groups, bias, relu)) {
    free_entry(victim);
    return NULL;
  }
  memcpy(victim->key, key, sizeof victim->key);
  victim->used = ++clock_tick;
  victim->weight_version = -1;
  return victim;
}

/** Runs an entry on the given arrays (in operand order); the forward weights' reorder is skipped when cached. */
static bool run(Call *c, Entry *e, void *const *data, bool weights_current) {
  dnnl_exec_arg_t args[5];
  omp_set_num_threads(threads);
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    dnnl_memory_set_data_handle(o->user_mem, data[i]);
    args[i] = (dnnl_exec_arg_t){o->arg, o->mem};
    bool cached = weights_current && o->arg == DNNL_ARG_WEIGHTS;
    if (o->reorder && !o->output && !cached) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, o->user_mem}, {DNNL_ARG_TO, o->mem}};
      if (!ok(c, dnnl_primitive_execute(o->reorder, stream, 2, r), "reorder")) return false;
    }
  }
  int n = e->count;
  if (e->scratch_mem) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch_mem};
  if (!ok(c, dnnl_primitive_execute(e->prim, stream, n, args), "convolution")) return false;
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    if (o->reorder && o->output) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, o->mem}, {DNNL_ARG_TO, o->user_mem}};
      if (!ok(c, dnnl_primitive_execute(o->reorder, stream, 2, r), "reorder")) return false;
    }
  }
  return ok(c, dnnl_stream_wait(stream), "stream");
}
#endif

/**
 * The arguments all three kernels share: (a, b, out, geometry, outChannels, groups), float32
 * arrays long enough for the sizes the geometry gives them in this kind's roles.
 */
static bool conv_args(Call *c, int kind, Floats *a, Floats *b, Floats *out, long g[GEOMETRY], long *outC, long *groups) {
  static const char *an[] = {"x", "gy", "x"}, *bn[] = {"weight", "weight", "gy"};
  size_t oc, gr;
  if (!arg_floats(c, 0, an[kind], a) || !arg_floats(c, 1, bn[kind], b) || !arg_floats(c, 2, "out", out) ||
      !read_geometry(c, 3, g) || !arg_size(c, 4, "outChannels", &oc) || !arg_size(c, 5, "groups", &gr))
    return false;
  if (a->f64 || b->f64 || out->f64) return fail(c, "oneDNN's convolution here is float32 only");
  if (gr < 1 || oc < 1 || g[GEO_CHANNELS] % (long)gr != 0 || (long)oc % (long)gr != 0)
    return fail(c, "groups %zu must divide the channels (%ld) and the output channels (%zu)", gr, g[GEO_CHANNELS], oc);
  *outC = (long)oc;
  *groups = (long)gr;
  size_t x_len = (size_t)(g[GEO_BATCH] * g[GEO_CHANNELS] * g[GEO_HEIGHT] * g[GEO_WIDTH]);
  size_t y_len = (size_t)(g[GEO_BATCH] * *outC * g[GEO_OUT_H] * g[GEO_OUT_W]);
  size_t w_len = (size_t)(*outC * (g[GEO_CHANNELS] / *groups) * g[GEO_KH] * g[GEO_KW]);
  size_t lens[3][3] = {{x_len, w_len, y_len}, {y_len, w_len, x_len}, {x_len, y_len, w_len}};
  return need(c, a, an[kind], lens[kind][0]) && need(c, b, bn[kind], lens[kind][1]) &&
         need(c, out, "out", lens[kind][2]);
}

static napi_value conv(napi_env env, napi_callback_info info, int kind) {
  static const char *names[] = {"conv2d", "conv2dInputGrad", "conv2dWeightGrad"};
  Call c;
  Floats a, b, out, bias = {0};
  long g[GEOMETRY], outC = 0, groups = 0;
  bool relu = false;
  double version = -1;
  if (!call_begin(&c, env, info, names[kind], kind == CONV_FORWARD ? 9 : 6) ||
      !conv_args(&c, kind, &a, &b, &out, g, &outC, &groups))
    return NULL;
  if (kind == CONV_FORWARD &&
      (!arg_floats_or_null(&c, 6, "bias", &bias) || !arg_flag(&c, 7, &relu) || !arg_double(&c, 8, &version) ||
       (bias.given && (bias.f64 ? !fail(&c, "bias must be float32") : !need(&c, &bias, "bias", (size_t)outC)))))
    return NULL;
#ifdef NABLA_DNNL
  // oneDNN fixes a primitive's split over threads when it builds it: the thread count is in the key.
  long key[20] = {kind, outC, groups, bias.given, relu, threads};
  memcpy(key + 6, g, GEOMETRY * sizeof *g);
  Entry *e = entry_for(&c, key, kind, g, outC, groups, bias.given, relu);
  if (!e) return NULL;
  // Operand order as build() added them: (a, b, out[, bias]).
  void *data[4] = {a.data, b.data, out.data, bias.data};
  bool current = kind == CONV_FORWARD && version >= 0 && e->weight_data == b.data && e->weight_version == version;
  if (!run(&c, e, data, current)) return NULL;
  if (kind == CONV_FORWARD) {
    e->weight_data = b.data;
    e->weight_version = version;
  }
  return undefined(env);
#else
  (void)version;
  return fail(&c, "this build has no oneDNN (scripts/build-native.mjs links it where libdnnl-dev is installed)"), NULL;
#endif
}

// conv2d(x, weight, out, geometry, outChannels, groups, bias | null, relu, weightVersion): y = x ⋆ w (+ b, ReLU).
napi_value k_conv2d(napi_env env, napi_callback_info info) { return conv(env, info, CONV_FORWARD); }

// conv2dInputGrad(gy, weight, out, geometry, outChannels, groups): dx for dy (the geometry is x's).
napi_value k_conv2d_input_grad(napi_env env, napi_callback_info info) { return conv(env, info, CONV_INPUT_GRAD); }

// conv2dWeightGrad(x, gy, out, geometry, outChannels, groups): dW for dy.
napi_value k_conv2d_weight_grad(napi_env env, napi_callback_info info) { return conv(env, info, CONV_WEIGHT_GRAD); }

/** Sets the threads oneDNN's primitives use (no-op without oneDNN). */
void conv_set_threads(int n) {
#ifdef NABLA_DNNL
  threads = n;
#else
  (void)n;
#endif
}

/** Whether this build links oneDNN, and its version. */
const char *conv_library(void) {
#ifdef NABLA_DNNL
  static char version[64];
  const dnnl_version_t *v = dnnl_version();
  snprintf(version, sizeof version, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
  return version;
#else
  return NULL;
#endif
}
