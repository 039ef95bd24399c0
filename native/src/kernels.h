// Every kernel the addon exports (addon.c registers them by name). One file per family.
#pragma once
#include "napi_util.h"

// Elementwise loops are compiled once per vector width and picked at load by the CPU (GCC's
// function multi-versioning) on x86-64, where the baseline is SSE2. On aarch64, NEON is the
// baseline, so one version is enough.
#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

// gemm.c
napi_value k_matmul(napi_env env, napi_callback_info info);
napi_value k_set_threads(napi_env env, napi_callback_info info);
napi_value k_info(napi_env env, napi_callback_info info);

// elementwise.c
napi_value k_unary(napi_env env, napi_callback_info info);
napi_value k_binary(napi_env env, napi_callback_info info);

// rows.c
napi_value k_reduce(napi_env env, napi_callback_info info);
napi_value k_log_softmax(napi_env env, napi_callback_info info);
napi_value k_permute(napi_env env, napi_callback_info info);
napi_value k_pick(napi_env env, napi_callback_info info);
napi_value k_unpick(napi_env env, napi_callback_info info);

// patches.c
napi_value k_im2col(napi_env env, napi_callback_info info);
napi_value k_col2im(napi_env env, napi_callback_info info);
napi_value k_place(napi_env env, napi_callback_info info);

// optim.c
napi_value k_axpy(napi_env env, napi_callback_info info);
napi_value k_scale(napi_env env, napi_callback_info info);
napi_value k_norm_accumulate(napi_env env, napi_callback_info info);
napi_value k_sgd(napi_env env, napi_callback_info info);
napi_value k_adam(napi_env env, napi_callback_info info);
napi_value k_rmsprop(napi_env env, napi_callback_info info);
