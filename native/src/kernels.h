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

// matmul.c: the addon's controls besides its kernels.
napi_value addon_set_threads(napi_env env, napi_callback_info info);
napi_value addon_info(napi_env env, napi_callback_info info);
