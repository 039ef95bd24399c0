// The oneDNN primitive cache shared by conv.c and pool.c (see dnn.h).
//
// Each call finds its primitive in a small cache keyed by everything that shapes it. oneDNN
// picks the memory layout it runs fastest on (for convolution, channel-blocked: nChw16c on
// AVX-512); a tensor whose layout differs is reordered into a buffer the entry owns before the
// call (inputs) or out of it after (outputs).

#include "dnn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NABLA_DNNL
#include <oneapi/dnnl/dnnl_debug.h>

void omp_set_num_threads(int n);

#define CACHE 48
static Entry cache[CACHE];
static unsigned long clock_tick;
dnnl_engine_t dnn_engine;
static dnnl_stream_t stream;
static int threads = 1;

bool dnn_ok(Call *c, dnnl_status_t s, const char *what) {
  return s == dnnl_success || fail(c, "oneDNN %s failed (%s)", what, dnnl_status2str(s));
}

void dnn_plain(dnnl_memory_desc_t *md, int rank, const long *dims, dnnl_format_tag_t tag) {
  dnnl_dims_t d;
  for (int i = 0; i < rank; i++) d[i] = dims[i];
  dnnl_memory_desc_init_by_tag(md, rank, d, dnnl_f32, tag);
}

static void free_entry(Entry *e) {
  if (e->prim) dnnl_primitive_destroy(e->prim);
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    if (o->reorder) {
      dnnl_primitive_destroy(o->reorder);
      dnnl_memory_destroy(o->mem);
    }
    free(o->buffer);
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

bool dnn_add_operand(Call *c, Entry *e, dnnl_primitive_desc_t pd, int arg, bool output, const dnnl_memory_desc_t *user) {
  Operand *o = &e->ops[e->count++];
  o->arg = arg;
  o->output = output;
  o->user = *user;
  if (!dnn_ok(c, dnnl_memory_create(&o->user_mem, user, dnn_engine, DNNL_MEMORY_NONE), "memory")) return false;
  const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
  if (dnnl_memory_desc_equal(want, user)) {
    o->mem = o->user_mem;
    return true;
  }
  o->buffer = aligned(dnnl_memory_desc_get_size(want));
  if (!o->buffer) return fail(c, "out of memory for a reorder buffer");
  if (!dnn_ok(c, dnnl_memory_create(&o->mem, want, dnn_engine, o->buffer), "memory")) return false;
  dnnl_primitive_desc_t rpd;
  const dnnl_memory_desc_t *from = output ? want : user, *to = output ? user : want;
  if (!dnn_ok(c, dnnl_reorder_primitive_desc_create(&rpd, from, dnn_engine, to, dnn_engine, NULL), "reorder"))
    return false;
  dnnl_status_t s = dnnl_primitive_create(&o->reorder, rpd);
  dnnl_primitive_desc_destroy(rpd);
  return dnn_ok(c, s, "reorder");
}

bool dnn_add_owned(Call *c, Entry *e, dnnl_primitive_desc_t pd, int arg) {
  Operand *o = &e->ops[e->count++];
  o->arg = arg;
  o->owned = true;
  o->user = *dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
  o->buffer = aligned(dnnl_memory_desc_get_size(&o->user));
  if (!o->buffer) return fail(c, "out of memory for oneDNN's workspace");
  if (!dnn_ok(c, dnnl_memory_create(&o->user_mem, &o->user, dnn_engine, o->buffer), "memory")) return false;
  o->mem = o->user_mem;
  return true;
}

bool dnn_finish(Call *c, Entry *e, dnnl_primitive_desc_t pd, const char *what) {
  const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
  if (scratch && dnnl_memory_desc_get_size(scratch) > 0) {
    e->scratch = aligned(dnnl_memory_desc_get_size(scratch));
    if (!e->scratch) return fail(c, "out of memory for oneDNN's scratchpad");
    if (!dnn_ok(c, dnnl_memory_create(&e->scratch_mem, scratch, dnn_engine, e->scratch), "memory")) return false;
  }
  return dnn_ok(c, dnnl_primitive_create(&e->prim, pd), what);
}

Entry *dnn_entry(Call *c, const long key[DNN_KEY], DnnBuild build, const void *spec) {
  if (!dnn_engine && (!dnn_ok(c, dnnl_engine_create(&dnn_engine, dnnl_cpu, 0), "engine") ||
                      !dnn_ok(c, dnnl_stream_create(&stream, dnn_engine, dnnl_stream_default_flags), "stream")))
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
  if (!build(c, victim, key, spec)) {
    free_entry(victim);
    return NULL;
  }
  memcpy(victim->key, key, sizeof victim->key);
  victim->used = ++clock_tick;
  victim->weight_version = -1;
  return victim;
}

bool dnn_run(Call *c, Entry *e, void *const *data, bool weights_current) {
  dnnl_exec_arg_t args[DNN_OPERANDS + 1];
  omp_set_num_threads(threads);
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    if (!o->owned) dnnl_memory_set_data_handle(o->user_mem, data[i]);
    args[i] = (dnnl_exec_arg_t){o->arg, o->mem};
    bool cached = weights_current && o->arg == DNNL_ARG_WEIGHTS;
    if (o->reorder && !o->output && !cached) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, o->user_mem}, {DNNL_ARG_TO, o->mem}};
      if (!dnn_ok(c, dnnl_primitive_execute(o->reorder, stream, 2, r), "reorder")) return false;
    }
  }
  int n = e->count;
  if (e->scratch_mem) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch_mem};
  if (!dnn_ok(c, dnnl_primitive_execute(e->prim, stream, n, args), "primitive")) return false;
  for (int i = 0; i < e->count; i++) {
    Operand *o = &e->ops[i];
    if (o->reorder && o->output) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, o->mem}, {DNNL_ARG_TO, o->user_mem}};
      if (!dnn_ok(c, dnnl_primitive_execute(o->reorder, stream, 2, r), "reorder")) return false;
    }
  }
  return dnn_ok(c, dnnl_stream_wait(stream), "stream");
}
#endif

void dnn_set_threads(int n) {
#ifdef NABLA_DNNL
  threads = n;
#else
  (void)n;
#endif
}

int dnn_threads(void) {
#ifdef NABLA_DNNL
  return threads;
#else
  return 1;
#endif
}

const char *dnn_library(void) {
#ifdef NABLA_DNNL
  static char version[64];
  const dnnl_version_t *v = dnnl_version();
  snprintf(version, sizeof version, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
  return version;
#else
  return NULL;
#endif
}
