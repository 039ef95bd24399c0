// The native backend: kernels in C (native/src) called through Node-API on the tensors' own typed
// arrays, no copies in or out. The matrix product is OpenBLAS's (linked statically), on as many
// threads as setNumThreads says. OpenBLAS's sums depend on how it tiles the product, which
// depends on the thread count; so under setDeterministic(true) products run on one thread, and
// the results are the same bits whatever the thread count (native/README.md).

import type { Backend, Data, MatmulArgs } from '../contract.js';
import { settings } from '../settings.js';
import { addon, type Addon } from './addon.js';
import { makeElementwise } from './elementwise.js';
import { makeOptim } from './optim.js';
import { makePatches } from './patches.js';
import { makeRows } from './rows.js';

/**
 * Products below this many multiply-adds (~160³) run on one thread: when OpenBLAS threaded the
 * small products of a 784-128-10 training step too (its own rule threads from 2^18), two threads
 * gave 50k samples/s where one gave 116k; with this rule two give 140k (bench/RESULTS.md, issue 12).
 */
export const NATIVE_THREADS_MIN_MACS = 1 << 22;

function cores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism(): number } | undefined;
  return os?.availableParallelism() ?? 1;
}

function makeBackend(native: Addon): Backend {
  const machine = cores();
  let current = 0; // the thread count OpenBLAS was last given
  const useThreads = (n: number) => {
    if (n !== current) native.setThreads((current = n));
  };
  return {
    name: 'native',
    ...makeElementwise(native),
    ...makeRows(native),
    ...makePatches(native),
    ...makeOptim(native),
    matmul(a: Data, b: Data, out: Data, args: MatmulArgs): void {
      const big = args.m * args.k * args.n >= NATIVE_THREADS_MIN_MACS;
      useThreads(settings.deterministic || !big ? 1 : (settings.numThreads ?? machine));
      native.matmul(a, b, out, args.m, args.k, args.n, args.transA, args.transB, args.aOffset, args.bOffset, args.outOffset,
        args.bias ?? null, args.biasOffset ?? 0, args.relu ?? false);
    },
  };
}

/** The native backend, or null where the addon is absent (see addonLoadError). */
export const nativeBackend: Backend | null = addon ? makeBackend(addon) : null;

/** Which native build runs: its BLAS and the kernel it chose for this CPU (null without the addon). */
export function nativeBuild(): { blas: string; core: string; threads: number } | null {
  return addon ? addon.info() : null;
}
