// The native im2col, col2im and place (native/src/patches.c): the geometry as 14 integers.

import type { Data, Kernels, PatchGeometry } from '../contract.js';
import type { Shape } from '../../shape.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

export function makePatches(native: Addon): Pick<Kernels, 'im2col' | 'col2im' | 'place'> {
  const geometry = new Int32Array(14);
  const meta = new Meta();
  const fill = (g: PatchGeometry) => {
    geometry.set([
      g.batch,
      g.channels,
      g.height,
      g.width,
      g.kernelH,
      g.kernelW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.dilationH,
      g.dilationW,
      g.outH,
      g.outW,
    ]);
    return geometry;
  };
  return {
    im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
      native.im2col(x, fill(g), padValue, out);
    },
    col2im(cols: Data, g: PatchGeometry, out: Data): void {
      native.col2im(cols, fill(g), out);
    },
    place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void {
      native.place(x, out, meta.fill(xShape.length, xShape, outShape, offset));
    },
  };
}
