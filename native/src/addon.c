// The nabla native addon: registers each kernel under its table name (kernel_table.h, generated
// from src/backend/table.ts), then its controls.
#include "kernels.h"

static const struct {
  const char *name;
  napi_callback fn;
} EXPORTS[] = {KERNEL_ROWS{"setThreads", addon_set_threads}, {"setMapThreads", addon_set_map_threads}, {"info", addon_info}};

NAPI_MODULE_INIT() {
  for (size_t i = 0; i < sizeof EXPORTS / sizeof EXPORTS[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, EXPORTS[i].name, NAPI_AUTO_LENGTH, EXPORTS[i].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, EXPORTS[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
