// The native backend: kernels in C (native/src) called through Node-API on the tensors' own typed
// arrays, no copies in or out; the matrix product is OpenBLAS's (matmul.ts), convolution and max pooling
// oneDNN's where the build links it (conv.ts, patches.ts).

import type { Backend } from '../contract.js';
import { addon } from '#native-addon';
import type { Addon } from './addon.js';
import { makeConv } from './conv.js';
import { makeElementwise } from './elementwise.js';
import { makeMatmul } from './matmul.js';
import { makeOptim } from './optim.js';
import { makePatches } from './patches.js';
import { makeRows } from './rows.js';
import { makeThreads } from './threads.js';

function makeBackend(native: Addon): Backend {
  const useThreads = makeThreads(native);
  return {
    name: 'native',
    ...makeElementwise(native),
    ...makeRows(native),
    ...makePatches(native, useThreads),
    ...makeOptim(native),
    ...makeMatmul(native, useThreads),
    ...makeConv(native, useThreads),
  };
}

/** The native backend, or null where the addon is absent (see addonLoadError). */
export const nativeBackend: Backend | null = addon ? makeBackend(addon) : null;

/**
 * Which native build runs: its BLAS and the kernel it chose for this CPU, and the oneDNN its
 * convolutions run on (null in a build without it); null without the addon.
 */
export function nativeBuild(): { blas: string; core: string; threads: number; dnn: string | null } | null {
  return addon ? addon.info() : null;
}
