// Convolution through oneDNN: its forward, backward-data and backward-weights primitives,
// float32, on the tensors' own NCHW memory (reordered to oneDNN's channel-blocked layout and back
// by the primitive cache, dnn.c). In a build without oneDNN the kernels throw and the native
// backend does not register them (src/backend/native/conv.ts), so ops take the im2col path.
// The forward weights' reorder is skipped while the weight's version (ConvArgs.weightVersion)
// and memory are unchanged.

#include "dnn.h"

#include <string.h>

#ifdef NABLA_DNNL
static void any(dnnl_memory_desc_t *md, const dnnl_memory_desc_t *like) {
  dnnl_memory_desc_init_by_tag(md, like->ndims, like->dims, dnnl_f32, dnnl_format_tag_any);
}

/** The key's words: kind, outC, groups, bias, relu, threads, then PatchGeometry's 14 integers. */
enum { KEY_KIND, KEY_OUT_C, KEY_GROUPS, KEY_BIAS, KEY_RELU, KEY_THREADS, KEY_GEOMETRY };

/** Builds the convolution primitive of a key. */
static bool build(Call *c, Entry *e, const long *key, const void *spec) {
  (void)spec;
  const long *g = key + KEY_GEOMETRY;
  long kind = key[KEY_KIND], outC = key[KEY_OUT_C], groups = key[KEY_GROUPS];
  bool bias = key[KEY_BIAS], relu = key[KEY_RELU];
  long N = g[GEO_BATCH], C = g[GEO_CHANNELS], H = g[GEO_HEIGHT], W = g[GEO_WIDTH], kh = g[GEO_KH], kw = g[GEO_KW];
  long oH = g[GEO_OUT_H], oW = g[GEO_OUT_W];
  long src_dims[4] = {N, C, H, W}, dst_dims[4] = {N, outC, oH, oW};
  long w_dims[5] = {groups, outC / groups, C / groups, kh, kw};
  dnnl_memory_desc_t src, dst, wei, bia, src_any, dst_any, wei_any, bia_any;
  dnn_plain(&src, 4, src_dims, dnnl_nchw);
  dnn_plain(&dst, 4, dst_dims, dnnl_nchw);
  if (groups > 1) dnn_plain(&wei, 5, w_dims, dnnl_goihw);
  else dnn_plain(&wei, 4, w_dims + 1, dnnl_oihw);
  dnn_plain(&bia, 1, &outC, dnnl_x);
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
  if (s == dnnl_success) s = dnnl_primitive_desc_create(&fwd, &fd, kind == DNN_CONV_FORWARD ? attr : NULL, dnn_engine, NULL);
  if (s == dnnl_success && kind == DNN_CONV_FORWARD) {
    pd = fwd;
    fwd = NULL;
  } else if (s == dnnl_success && kind == DNN_CONV_INPUT_GRAD) {
    s = dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src_any, &wei_any, &dst_any,
                                                         strides, dil, pad_l, pad_r);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &bd, attr, dnn_engine, fwd);
  } else if (s == dnnl_success) {
    s = dnnl_dilated_convolution_backward_weights_desc_init(&bd, dnnl_convolution_direct, &src_any, &wei_any, NULL,
                                                            &dst_any, strides, dil, pad_l, pad_r);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &bd, attr, dnn_engine, fwd);
  }
  dnnl_primitive_attr_destroy(attr);
  if (fwd) dnnl_primitive_desc_destroy(fwd);
  if (!dnn_ok(c, s, "convolution descriptor")) return false;

  bool built = true;
  if (kind == DNN_CONV_FORWARD) {
    built = dnn_add_operand(c, e, pd, DNNL_ARG_SRC, false, &src) && dnn_add_operand(c, e, pd, DNNL_ARG_WEIGHTS, false, &wei) &&
            dnn_add_operand(c, e, pd, DNNL_ARG_DST, true, &dst) &&
            (!bias || dnn_add_operand(c, e, pd, DNNL_ARG_BIAS, false, &bia));
  } else if (kind == DNN_CONV_INPUT_GRAD) {
    built = dnn_add_operand(c, e, pd, DNNL_ARG_DIFF_DST, false, &dst) &&
            dnn_add_operand(c, e, pd, DNNL_ARG_WEIGHTS, false, &wei) && dnn_add_operand(c, e, pd, DNNL_ARG_DIFF_SRC, true, &src);
  } else {
    built = dnn_add_operand(c, e, pd, DNNL_ARG_SRC, false, &src) && dnn_add_operand(c, e, pd, DNNL_ARG_DIFF_DST, false, &dst) &&
            dnn_add_operand(c, e, pd, DNNL_ARG_DIFF_WEIGHTS, true, &wei);
  }
  if (built) built = dnn_finish(c, e, pd, "convolution primitive");
  dnnl_primitive_desc_destroy(pd);
  return built;
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
  if (!call_begin(&c, env, info, names[kind], kind == DNN_CONV_FORWARD ? 9 : 6) ||
      !conv_args(&c, kind, &a, &b, &out, g, &outC, &groups))
    return NULL;
  if (kind == DNN_CONV_FORWARD &&
      (!arg_floats_or_null(&c, 6, "bias", &bias) || !arg_flag(&c, 7, &relu) || !arg_double(&c, 8, &version) ||
       (bias.given && (bias.f64 ? !fail(&c, "bias must be float32") : !need(&c, &bias, "bias", (size_t)outC)))))
    return NULL;
#ifdef NABLA_DNNL
  // oneDNN fixes a primitive's split over threads when it builds it: the thread count is in the key.
  long key[DNN_KEY] = {[KEY_KIND] = kind, [KEY_OUT_C] = outC, [KEY_GROUPS] = groups, [KEY_BIAS] = bias.given,
                       [KEY_RELU] = relu, [KEY_THREADS] = dnn_threads()};
  memcpy(key + KEY_GEOMETRY, g, GEOMETRY * sizeof *g);
  Entry *e = dnn_entry(&c, key, build, NULL);
  if (!e) return NULL;
  // Operand order as build() added them: (a, b, out[, bias]).
  void *data[4] = {a.data, b.data, out.data, bias.data};
  bool current = kind == DNN_CONV_FORWARD && version >= 0 && e->weight_data == b.data && e->weight_version == version;
  if (!dnn_run(&c, e, data, current)) return NULL;
  if (kind == DNN_CONV_FORWARD) {
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
napi_value k_conv2d(napi_env env, napi_callback_info info) { return conv(env, info, DNN_CONV_FORWARD); }

// conv2dInputGrad(gy, weight, out, geometry, outChannels, groups): dx for dy (the geometry is x's).
napi_value k_conv2d_input_grad(napi_env env, napi_callback_info info) { return conv(env, info, DNN_CONV_INPUT_GRAD); }

// conv2dWeightGrad(x, gy, out, geometry, outChannels, groups): dW for dy.
napi_value k_conv2d_weight_grad(napi_env env, napi_callback_info info) { return conv(env, info, DNN_CONV_WEIGHT_GRAD); }
