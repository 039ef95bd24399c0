// The native matrix product: OpenBLAS's sgemm/dgemm (native/src/matmul.c, linked statically), on
// as many threads as setNumThreads says for large products and one for small ones. OpenBLAS's
// sums depend on how it tiles the product, which depends on the thread count; so under
// setDeterministic(true) products run on one thread, and the results are the same bits whatever
// the thread count (native/README.md).

import type { Data, Kernels, MatmulArgs } from '../contract.js';
import type { Addon } from './addon.js';
import type { UseThreads } from './threads.js';

/**
 * Products below this many multiply-adds (~160³) run on one thread: OpenBLAS's own rule threads
 * from 2^18, which made the small products of a 784-128-10 training step slower on two threads
 * than on one (bench/RESULTS.md has the figures).
 */
export const NATIVE_THREADS_MIN_MACS = 1 << 22;

export function makeMatmul(native: Addon, useThreads: UseThreads): Pick<Kernels, 'matmul'> {
  return {
    matmul(a: Data, b: Data, out: Data, args: MatmulArgs): void {
      useThreads(args.m * args.k * args.n >= NATIVE_THREADS_MIN_MACS);
      native.matmul(
        a,
        b,
        out,
        args.m,
        args.k,
        args.n,
        args.transA,
        args.transB,
        args.aOffset,
        args.bOffset,
        args.outOffset,
        args.bias ?? null,
        args.biasOffset ?? 0,
        args.relu ?? false,
      );
    },
  };
}
