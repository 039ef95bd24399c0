// oneDNN's batch normalisation beside nabla's own native kernel (bench/batchnorm.ts): training
// forward and backward at the bench CNN's two shapes, on the tensors' plain NCHW layout (oneDNN's
// ncsp kernel) and on its channel-blocked layout with the reorders in and out that an NCHW tensor
// needs. Best of 200 calls, ms. Not a test:
//   cc -O2 bench/onednn_batchnorm.c -o /tmp/onednn_batchnorm -ldnnl && OMP_NUM_THREADS=1 /tmp/onednn_batchnorm

#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(x)                                                                                    \
  do {                                                                                              \
    dnnl_status_t s_ = (x);                                                                         \
    if (s_ != dnnl_success) {                                                                       \
      fprintf(stderr, "%s failed: %d\n", #x, (int)s_);                                              \
      exit(1);                                                                                      \
    }                                                                                               \
  } while (0)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static dnnl_memory_t memory(const dnnl_memory_desc_t *md) {
  dnnl_memory_t m;
  float *p = malloc(dnnl_memory_desc_get_size(md));
  for (size_t i = 0; i < dnnl_memory_desc_get_size(md) / sizeof *p; i++) p[i] = (float)rand() / RAND_MAX;
  CHECK(dnnl_memory_create(&m, md, engine, p));
  return m;
}

static dnnl_primitive_t reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t p;
  CHECK(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL));
  CHECK(dnnl_primitive_create(&p, pd));
  return p;
}

/** Best time of 200 runs of a sequence of primitives (each with its arguments), ms. */
typedef struct {
  dnnl_primitive_t p;
  int n;
  dnnl_exec_arg_t args[9];
} Step;

static double best(const Step *steps, int count) {
  double b = 1e9;
  for (int r = 0; r < 200; r++) {
    double t0 = now();
    for (int i = 0; i < count; i++) CHECK(dnnl_primitive_execute(steps[i].p, stream, steps[i].n, steps[i].args));
    CHECK(dnnl_stream_wait(stream));
    if (now() - t0 < b) b = now() - t0;
  }
  return b * 1e3;
}

static void run(long N, long C, long H, dnnl_format_tag_t layout, const char *name) {
  dnnl_dims_t d = {N, C, H, H}, c = {C};
  dnnl_memory_desc_t md, plain, vec;
  dnnl_memory_desc_init_by_tag(&md, 4, d, dnnl_f32, layout);
  dnnl_memory_desc_init_by_tag(&plain, 4, d, dnnl_f32, dnnl_nchw);
  dnnl_memory_desc_init_by_tag(&vec, 1, c, dnnl_f32, dnnl_x);
  unsigned flags = dnnl_use_scale | dnnl_use_shift;
  dnnl_batch_normalization_desc_t fd, bd;
  dnnl_primitive_desc_t fpd, bpd;
  CHECK(dnnl_batch_normalization_forward_desc_init(&fd, dnnl_forward_training, &md, 1e-5f, flags));
  CHECK(dnnl_primitive_desc_create(&fpd, &fd, NULL, engine, NULL));
  CHECK(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &md, &md, 1e-5f, flags));
  CHECK(dnnl_primitive_desc_create(&bpd, &bd, NULL, engine, fpd));
  const char *impl;
  dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &impl);
  dnnl_memory_t x = memory(&md), y = memory(&md), gy = memory(&md), gx = memory(&md), xp = memory(&plain);
  dnnl_memory_t scale = memory(&vec), shift = memory(&vec), mean = memory(&vec), var = memory(&vec);
  dnnl_memory_t dscale = memory(&vec), dshift = memory(&vec);
  dnnl_primitive_t fwd, bwd;
  CHECK(dnnl_primitive_create(&fwd, fpd));
  CHECK(dnnl_primitive_create(&bwd, bpd));
  Step f = {fwd, 6, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}, {DNNL_ARG_SCALE, scale}, {DNNL_ARG_SHIFT, shift},
                     {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var}}};
  Step b = {bwd, 9, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, gy}, {DNNL_ARG_SCALE, scale}, {DNNL_ARG_SHIFT, shift},
                     {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var}, {DNNL_ARG_DIFF_SRC, gx},
                     {DNNL_ARG_DIFF_SCALE, dscale}, {DNNL_ARG_DIFF_SHIFT, dshift}}};
  double tf = best(&f, 1), tb = best(&b, 1);
  printf("[%ld,%ld,%ld,%ld] %-8s %-22s forward %.3f  backward %.3f", N, C, H, H, name, impl, tf, tb);
  if (layout != dnnl_nchw) {
    // What an NCHW tensor needs around them: forward x in and y out; backward x and dy in, dx out
    // (each from or to its own plain array, as in a training step).
    dnnl_memory_t yp = memory(&plain), gyp = memory(&plain), gxp = memory(&plain);
    dnnl_primitive_t in = reorder(&plain, &md), out = reorder(&md, &plain);
    Step fs[] = {{in, 2, {{DNNL_ARG_FROM, xp}, {DNNL_ARG_TO, x}}}, f, {out, 2, {{DNNL_ARG_FROM, y}, {DNNL_ARG_TO, yp}}}};
    Step bs[] = {{in, 2, {{DNNL_ARG_FROM, xp}, {DNNL_ARG_TO, x}}},
                 {in, 2, {{DNNL_ARG_FROM, gyp}, {DNNL_ARG_TO, gy}}},
                 b,
                 {out, 2, {{DNNL_ARG_FROM, gx}, {DNNL_ARG_TO, gxp}}}};
    printf("  with the reorders: forward %.3f  backward %.3f", best(fs, 3), best(bs, 4));
  }
  printf("\n");
}

int main(void) {
  CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
  CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
  long shapes[2][3] = {{64, 32, 28}, {64, 64, 14}};
  for (int i = 0; i < 2; i++) {
    run(shapes[i][0], shapes[i][1], shapes[i][2], dnnl_nchw, "nchw");
    run(shapes[i][0], shapes[i][1], shapes[i][2], dnnl_nChw16c, "nChw16c");
  }
  return 0;
}
