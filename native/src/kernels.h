// Every kernel the addon exports (addon.c registers them by name). One file per family.
#pragma once
#include "napi_util.h"

// gemm.c
napi_value k_matmul(napi_env env, napi_callback_info info);
napi_value k_set_threads(napi_env env, napi_callback_info info);
napi_value k_info(napi_env env, napi_callback_info info);
