// The native convolution kernels: oneDNN's primitives (native/src/conv.c), in a build that links
// oneDNN; without it the backend has none and conv2d runs through im2col and OpenBLAS.

import type { ConvArgs, Data, Kernels } from '../contract.js';
import type { Addon } from './addon.js';
import { geometryInts } from './patches.js';
import type { UseThreads } from './threads.js';

type ConvKernels = Pick<Kernels, 'conv2d' | 'conv2dInputGrad' | 'conv2dWeightGrad'>;

export function makeConv(native: Addon, useThreads: UseThreads): ConvKernels {
  if (native.info().dnn === null) return {};
  // oneDNN keeps the forward weights reordered into its own layout while they are unchanged. A
  // weight array's version alone does not say so (a new array may reuse the memory of a collected
  // one, at the same version), so each (array, version) pair gets a stamp no other pair has.
  const stamps = new WeakMap<Data, { version: number; stamp: number }>();
  let next = 0;
  const stamp = (weight: Data, version: number | undefined) => {
    if (version === undefined) return -1;
    let s = stamps.get(weight);
    if (!s || s.version !== version) stamps.set(weight, (s = { version, stamp: next++ }));
    return s.stamp;
  };
  return {
    conv2d(x: Data, weight: Data, out: Data, args: ConvArgs): void {
      useThreads(true);
      const { geometry, outChannels, groups, bias, relu, weightVersion } = args;
      const version = stamp(weight, weightVersion);
      native.conv2d(x, weight, out, geometryInts(geometry), outChannels, groups, bias ?? null, relu ?? false, version);
    },
    conv2dInputGrad(gy: Data, weight: Data, out: Data, args: ConvArgs): void {
      useThreads(true);
      native.conv2dInputGrad(gy, weight, out, geometryInts(args.geometry), args.outChannels, args.groups);
    },
    conv2dWeightGrad(x: Data, gy: Data, out: Data, args: ConvArgs): void {
      useThreads(true);
      native.conv2dWeightGrad(x, gy, out, geometryInts(args.geometry), args.outChannels, args.groups);
    },
  };
}
