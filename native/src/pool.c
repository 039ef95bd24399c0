// Max pooling through oneDNN's pooling primitive, float32, on the tensors' own NCHW memory: the
// maxima, and from its workspace (each window's tap of its maximum, kh·kW + kw) the flat index of
// each maximum into x, which the backward pass scatters to (patches.c's maxPool2dBackward).
// oneDNN's maximum differs from torch's where a window holds a NaN (torch's wins) or only −∞
// (torch takes the first tap inside x): an x holding either takes patches.c's loop instead.

#include "dnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef NABLA_DNNL
/** The key's words: kind, threads, then PatchGeometry's 14 integers. */
enum { KEY_KIND, KEY_THREADS, KEY_GEOMETRY };

/** Builds the max-pooling primitive of a key: operands (x, out, workspace). */
static bool build(Call *c, Entry *e, const long *key, const void *spec) {
  (void)spec;
  const long *g = key + KEY_GEOMETRY;
  long N = g[GEO_BATCH], C = g[GEO_CHANNELS], H = g[GEO_HEIGHT], W = g[GEO_WIDTH], kh = g[GEO_KH], kw = g[GEO_KW];
  long oH = g[GEO_OUT_H], oW = g[GEO_OUT_W];
  long src_dims[4] = {N, C, H, W}, dst_dims[4] = {N, C, oH, oW};
  dnnl_memory_desc_t src, dst, ws;
  dnn_plain(&src, 4, src_dims, dnnl_nchw);
  dnn_plain(&dst, 4, dst_dims, dnnl_nchw);
  // The far side's padding makes oneDNN's output size ours (ceil mode's last partial window).
  dnnl_dims_t kernel = {kh, kw}, strides = {g[GEO_SH], g[GEO_SW]}, dil = {g[GEO_DH] - 1, g[GEO_DW] - 1};
  dnnl_dims_t pad_l = {g[GEO_PAD_TOP], g[GEO_PAD_LEFT]};
  dnnl_dims_t pad_r = {(oH - 1) * g[GEO_SH] + (kh - 1) * g[GEO_DH] + 1 - H - g[GEO_PAD_TOP],
                       (oW - 1) * g[GEO_SW] + (kw - 1) * g[GEO_DW] + 1 - W - g[GEO_PAD_LEFT]};
  dnnl_pooling_v2_desc_t d;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr;
  dnnl_primitive_attr_create(&attr);
  dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
  dnnl_status_t s = dnnl_pooling_v2_forward_desc_init(&d, dnnl_forward_training, dnnl_pooling_max, &src, &dst, strides,
                                                      kernel, dil, pad_l, pad_r);
  if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &d, attr, dnn_engine, NULL);
  dnnl_primitive_attr_destroy(attr);
  if (!dnn_ok(c, s, "pooling descriptor")) return false;
  // The workspace read below as one tap number per output value, in out's order.
  const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, dnnl_query_workspace_md, 0);
  dnnl_dims_t wd = {N, C, oH, oW};
  bool plain = want && (want->data_type == dnnl_u8 || want->data_type == dnnl_s32) &&
               dnnl_memory_desc_init_by_tag(&ws, 4, wd, want->data_type, dnnl_nchw) == dnnl_success &&
               dnnl_memory_desc_equal(want, &ws);
  bool built = (plain || fail(c, "oneDNN's pooling workspace is not one plain tap number per output")) &&
               dnn_add_operand(c, e, pd, DNNL_ARG_SRC, false, &src) && dnn_add_operand(c, e, pd, DNNL_ARG_DST, true, &dst) &&
               dnn_add_owned(c, e, pd, DNNL_ARG_WORKSPACE) && dnn_finish(c, e, pd, "pooling primitive");
  dnnl_primitive_desc_destroy(pd);
  return built;
}

/** Whether x holds a NaN or −∞ (one compare per value, vectorised). */
CLONES static bool has_nan_or_minus_inf(const float *x, size_t n) {
  bool bad = false;
#pragma omp parallel for reduction(| : bad) num_threads(map_threads) if (n >= MAP_PARALLEL_MIN)
  for (size_t i = 0; i < n; i++) bad |= !(x[i] > -INFINITY);
  return bad;
}

/** The workspace's tap numbers as flat indices into x: a window's first tap's index plus the tap's offset. */
#define TAPS_TO_INDICES(T)                                                                          \
  {                                                                                                 \
    const T *taps = e->ops[2].buffer;                                                               \
    _Pragma("omp parallel for num_threads(map_threads) if (N * C * oH * oW >= MAP_PARALLEL_MIN)")   \
    for (long p = 0; p < N * C; p++)                                                                \
      for (long oh = 0; oh < oH; oh++) {                                                            \
        long row = (p * oH + oh) * oW, first = p * H * W + (oh * sh - pt) * W - pl;                 \
        for (long ow = 0; ow < oW; ow++) idx[row + ow] = (int32_t)(first + ow * sw + offset[taps[row + ow]]); \
      }                                                                                             \
  }

int dnn_max_pool2d(Call *c, const long g[GEOMETRY], const float *x, float *out, int32_t *idx) {
  long N = g[GEO_BATCH], C = g[GEO_CHANNELS], H = g[GEO_HEIGHT], W = g[GEO_WIDTH], kh = g[GEO_KH], kw = g[GEO_KW];
  long sh = g[GEO_SH], sw = g[GEO_SW], pt = g[GEO_PAD_TOP], pl = g[GEO_PAD_LEFT], dh = g[GEO_DH], dw = g[GEO_DW];
  long oH = g[GEO_OUT_H], oW = g[GEO_OUT_W];
  if (has_nan_or_minus_inf(x, (size_t)(N * C * H * W))) return 0;
  long key[DNN_KEY] = {[KEY_KIND] = DNN_MAX_POOL, [KEY_THREADS] = dnn_threads()};
  memcpy(key + KEY_GEOMETRY, g, GEOMETRY * sizeof *g);
  Entry *e = dnn_entry(c, key, build, NULL);
  void *data[3] = {(void *)x, out, NULL};
  if (!e || !dnn_run(c, e, data, false)) return -1;
  long *offset = malloc(sizeof(long) * (size_t)(kh * kw));
  if (!offset) return fail(c, "out of memory"), -1;
  for (long tap = 0; tap < kh * kw; tap++) offset[tap] = tap / kw * dh * W + tap % kw * dw;
  if (e->ops[2].user.data_type == dnnl_u8) TAPS_TO_INDICES(uint8_t) else TAPS_TO_INDICES(int32_t)
  free(offset);
  return 1;
}
#endif
