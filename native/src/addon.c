// The nabla native addon: registers each kernel under its contract name (src/backend/contract.ts).
#include "kernels.h"

static const struct {
  const char *name;
  napi_callback fn;
} KERNELS[] = {
    {"matmul", k_matmul},
    {"unary", k_unary},
    {"binary", k_binary},
    {"reduce", k_reduce},
    {"logSoftmax", k_log_softmax},
    {"permute", k_permute},
    {"pick", k_pick},
    {"unpick", k_unpick},
    {"im2col", k_im2col},
    {"col2im", k_col2im},
    {"place", k_place},
    {"axpy", k_axpy},
    {"scale", k_scale},
    {"normAccumulate", k_norm_accumulate},
    {"sgd", k_sgd},
    {"adam", k_adam},
    {"rmsprop", k_rmsprop},
    {"setThreads", k_set_threads},
    {"info", k_info},
};

NAPI_MODULE_INIT() {
  for (size_t i = 0; i < sizeof KERNELS / sizeof KERNELS[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, KERNELS[i].name, NAPI_AUTO_LENGTH, KERNELS[i].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, KERNELS[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
