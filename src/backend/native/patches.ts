// The native im2col, col2im and place (native/src/patches.c): the geometry as 14 integers.

import { geometryValues, type Data, type Kernels, type PatchGeometry } from '../contract.js';
import type { Shape } from '../../shape.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

const geometry = new Int32Array(14);

/** A geometry as the 14 integers the addon reads (one array, refilled at each call). */
export function geometryInts(g: PatchGeometry): Int32Array {
  geometry.set(geometryValues(g));
  return geometry;
}

export function makePatches(native: Addon): Pick<Kernels, 'im2col' | 'col2im' | 'maxPool2dIndices' | 'place'> {
  const meta = new Meta();
  return {
    im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
      native.im2col(x, geometryInts(g), padValue, out);
    },
    col2im(cols: Data, g: PatchGeometry, out: Data): void {
      native.col2im(cols, geometryInts(g), out);
    },
    maxPool2dIndices(x: Data, g: PatchGeometry, out: Int32Array): void {
      native.maxPool2dIndices(x, geometryInts(g), out);
    },
    place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void {
      native.place(x, out, meta.fill(xShape.length, xShape, outShape, offset));
    },
  };
}
