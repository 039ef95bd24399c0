// Small work that a backend hands to the js kernels, where a benchmark shows js is faster than a
// copy into wasm or a call into native code (bench/KERNELS.md has the figures behind each threshold).

import type { Kernels } from './contract.js';
import { jsBackend } from './js/index.js';
import { settings } from './settings.js';

/** js's kernel `name`, for a backend handing this call to it: `return toJs('unary')(op, x, out, p, q)`. Counted in settings.handOffs. */
export function toJs<K extends keyof Kernels>(name: K): Kernels[K] {
  settings.handOffs++;
  return jsBackend[name];
}
