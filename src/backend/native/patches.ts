// The native im2col, col2im, max pooling and place (native/src/patches.c, pool.c): the geometry as
// 14 integers.

import { geometryValues, type Data, type Kernels, type PatchGeometry } from '../contract.js';
import type { Shape } from '../../shape.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';
import type { UseThreads } from './threads.js';

const geometry = new Int32Array(14);

/** A geometry as the 14 integers the addon reads (one array, refilled at each call). */
export function geometryInts(g: PatchGeometry): Int32Array {
  geometry.set(geometryValues(g));
  return geometry;
}

export function makePatches(
  native: Addon,
  useThreads: UseThreads,
): Pick<Kernels, 'im2col' | 'col2im' | 'maxPool2d' | 'maxPool2dBackward' | 'place'> {
  const meta = new Meta();
  return {
    im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
      native.im2col(x, geometryInts(g), padValue, out);
    },
    col2im(cols: Data, g: PatchGeometry, out: Data): void {
      native.col2im(cols, geometryInts(g), out);
    },
    maxPool2d(x: Data, g: PatchGeometry, out: Data, idx: Int32Array): void {
      useThreads(true);
      native.maxPool2d(x, geometryInts(g), out, idx);
    },
    maxPool2dBackward(gy: Data, idx: Int32Array, out: Data): void {
      native.maxPool2dBackward(gy, idx, out);
    },
    place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void {
      native.place(x, out, meta.fill(xShape.length, xShape, outShape, offset));
    },
  };
}
