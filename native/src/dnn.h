// oneDNN (libdnnl, the library PyTorch calls for CPU convolution and pooling) as the native
// kernels use it: one engine and stream, and a small cache of primitives with the memory they run
// on. Built only where oneDNN's headers are (scripts/build-native.mjs defines NABLA_DNNL).
#pragma once
#include "kernels.h"

/** What a cached primitive computes: the first word of its key. */
enum { DNN_CONV_FORWARD, DNN_CONV_INPUT_GRAD, DNN_CONV_WEIGHT_GRAD, DNN_MAX_POOL };

#ifdef NABLA_DNNL
#include <oneapi/dnnl/dnnl.h>

/** Each argument of a primitive: the caller's plain tensor and, if oneDNN wants another layout, its copy. */
typedef struct {
  int arg;                  // DNNL_ARG_SRC, ...
  bool output;              // written by the primitive (reordered out after it)
  bool owned;               // memory of the entry's own (a workspace), not the caller's
  dnnl_memory_desc_t user;  // plain: nchw, (g)oihw
  dnnl_memory_t user_mem;
  dnnl_memory_t mem;        // what the primitive sees: user_mem, or a buffer in its own layout
  dnnl_primitive_t reorder; // user → mem for inputs, mem → user for outputs; NULL when the layouts agree
  void *buffer;             // the reorder's buffer, or an owned operand's memory
} Operand;

#define DNN_KEY 24
#define DNN_OPERANDS 4
typedef struct {
  long key[DNN_KEY];
  dnnl_primitive_t prim;
  Operand ops[DNN_OPERANDS];
  int count;
  dnnl_memory_t scratch_mem;
  void *scratch;
  const void *weight_data; // convolution forward: the weight memory and version whose reorder is in the buffer
  double weight_version;
  unsigned long used;
} Entry;

extern dnnl_engine_t dnn_engine;

/** Whether s is success; otherwise throws `oneDNN <what> failed (<status>)`. */
bool dnn_ok(Call *c, dnnl_status_t s, const char *what);
/** A plain float32 descriptor of rank dims in layout tag. */
void dnn_plain(dnnl_memory_desc_t *md, int rank, const long *dims, dnnl_format_tag_t tag);
/** Adds an operand: the caller's plain memory, and a buffer plus reorder where oneDNN's layout differs. */
bool dnn_add_operand(Call *c, Entry *e, dnnl_primitive_desc_t pd, int arg, bool output, const dnnl_memory_desc_t *user);
/** Adds an operand the entry owns, in the layout the primitive wants for arg (a pooling workspace). */
bool dnn_add_owned(Call *c, Entry *e, dnnl_primitive_desc_t pd, int arg);
/** Creates the primitive of pd, with the user-mode scratchpad it asks for. */
bool dnn_finish(Call *c, Entry *e, dnnl_primitive_desc_t pd, const char *what);

/** Builds a primitive for a cache entry from its key (spec: what the builder needs besides). */
typedef bool (*DnnBuild)(Call *c, Entry *e, const long *key, const void *spec);
/** The cache entry for key (whose words after the first must include everything that shapes the primitive), built on a miss. */
Entry *dnn_entry(Call *c, const long key[DNN_KEY], DnnBuild build, const void *spec);
/**
 * Runs an entry on the caller's arrays (data[i] for operand i; owned operands ignore theirs).
 * Inputs are reordered in first, except the weights when weights_current (their reorder is kept).
 */
bool dnn_run(Call *c, Entry *e, void *const *data, bool weights_current);

/**
 * pool.c: float32 max pooling of x over the geometry's windows into out, with each maximum's flat
 * index into x in idx. 1 when done, 0 when x holds a NaN or −∞ (the caller's loop has torch's
 * answer for those), −1 on an error (thrown).
 */
int dnn_max_pool2d(Call *c, const long g[GEOMETRY], const float *x, float *out, int32_t *idx);
#endif

/** The threads oneDNN's primitives use (a no-op without oneDNN); the count is in every key. */
void dnn_set_threads(int n);
int dnn_threads(void);
/** oneDNN's name and version, or NULL in a build without it. */
const char *dnn_library(void);
