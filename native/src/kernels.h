// What the kernel files share: the generated kernel table (op codes, each kernel's declaration)
// and the vector-width clones. One file per family (src/backend/table.ts names them).
#pragma once
#include "kernel_table.h"
#include "napi_util.h"

// Elementwise loops are compiled once per vector width and picked at load by the CPU (GCC's
// function multi-versioning) on x86-64, where the baseline is SSE2. On aarch64, NEON is the
// baseline, so one version is enough.
#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/** PatchGeometry's 14 integers, in its order (src/backend/native/patches.ts fills them). */
enum {
  GEO_BATCH,
  GEO_CHANNELS,
  GEO_HEIGHT,
  GEO_WIDTH,
  GEO_KH,
  GEO_KW,
  GEO_SH,
  GEO_SW,
  GEO_PAD_TOP,
  GEO_PAD_LEFT,
  GEO_DH,
  GEO_DW,
  GEO_OUT_H,
  GEO_OUT_W,
  GEOMETRY
};
/** patches.c: argument i as a patch geometry (non-negative, strides positive). */
bool read_geometry(Call *c, size_t i, long g[GEOMETRY]);

// The threads that kernels computing each value (or each row, each channel) on its own split
// their work over (OpenMP; matmul.c's setMapThreads sets it): such a split leaves every result's
// bits as they are, so it holds under setDeterministic too. Work below MAP_PARALLEL_MIN values
// stays on the calling thread.
extern int map_threads;
#define MAP_PARALLEL_MIN 65536
// Kernels bound by memory rather than arithmetic (binary maps, SGD) gain from a second thread
// only from 4× that: below, waking the threads costs what they save (bench/KERNELS.md).
#define STREAM_PARALLEL_MIN 262144

/**
 * Runs `body` for each chunk [at, at + len) of [0, n), 16384 values (a multiple of every vector
 * width) a chunk, over map_threads when n ≥ min.
 */
#define MAP_CHUNK 16384
#define FOR_EACH_CHUNK(n, min, at, len, body)                                                                \
  {                                                                                                          \
    size_t total_ = (n), min_ = (min);                                                                       \
    long chunks_ = (long)((total_ + MAP_CHUNK - 1) / MAP_CHUNK);                                             \
    _Pragma("omp parallel for num_threads(map_threads) if (total_ >= min_) schedule(static)")                \
    for (long k_ = 0; k_ < chunks_; k_++) {                                                                  \
      size_t at = (size_t)k_ * MAP_CHUNK, len = total_ - at < MAP_CHUNK ? total_ - at : MAP_CHUNK;           \
      body;                                                                                                  \
    }                                                                                                        \
  }

// matmul.c: the addon's controls besides its kernels.
napi_value addon_set_threads(napi_env env, napi_callback_info info);
napi_value addon_set_map_threads(napi_env env, napi_callback_info info);
napi_value addon_info(napi_env env, napi_callback_info info);
