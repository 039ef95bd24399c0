// im2col and col2im: a convolution's patches as the rows of a matrix, so that the convolution is
// one matrix product (see ops/defs/conv.ts), and the adjoint that scatters them back; place, which
// copies a block into a larger one (pad, cat, the adjoint of slicing).

import type { Data, PatchGeometry } from '../contract.js';
import { stridesOf, type Shape } from '../../shape.js';

export function im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
  const {
    batch,
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  } = g;
  const plane = outH * outW;
  const cols = batch * plane;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const row = ((c * kernelH + i) * kernelW + j) * cols;
        for (let n = 0; n < batch; n++) {
          const src = (n * channels + c) * height * width;
          for (let oh = 0; oh < outH; oh++) {
            const h = oh * strideH - padTop + i * dilationH;
            const dst = row + n * plane + oh * outW;
            if (h < 0 || h >= height) {
              out.fill(padValue, dst, dst + outW);
              continue;
            }
            const base = src + h * width - padLeft + j * dilationW;
            for (let ow = 0; ow < outW; ow++) {
              const w = ow * strideW - padLeft + j * dilationW;
              out[dst + ow] = w >= 0 && w < width ? x[base + ow * strideW] : padValue;
            }
          }
        }
      }
    }
  }
}

export function col2im(cols: Data, g: PatchGeometry, out: Data): void {
  const {
    batch,
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  } = g;
  const plane = outH * outW;
  const ncols = batch * plane;
  out.fill(0);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const row = ((c * kernelH + i) * kernelW + j) * ncols;
        for (let n = 0; n < batch; n++) {
          const dstPlane = (n * channels + c) * height * width;
          for (let oh = 0; oh < outH; oh++) {
            const h = oh * strideH - padTop + i * dilationH;
            if (h < 0 || h >= height) continue;
            const src = row + n * plane + oh * outW;
            const base = dstPlane + h * width - padLeft + j * dilationW;
            for (let ow = 0; ow < outW; ow++) {
              const w = ow * strideW - padLeft + j * dilationW;
              if (w >= 0 && w < width) out[base + ow * strideW] += cols[src + ow];
            }
          }
        }
      }
    }
  }
}

export function place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void {
  const rank = xShape.length;
  if (rank === 0) {
    if (out.length) out[0] = x[0];
    return;
  }
  // The overlap, in x's coordinates, axis by axis: [lo, hi).
  const lo = xShape.map((_, d) => Math.max(0, -offset[d]));
  const hi = xShape.map((s, d) => Math.min(s, outShape[d] - offset[d]));
  if (lo.some((l, d) => l >= hi[d])) return;
  const xs = stridesOf(xShape);
  const os = stridesOf(outShape);
  const last = rank - 1;
  const runLength = hi[last] - lo[last];
  const idx = lo.slice();
  for (;;) {
    let src = 0;
    let dst = 0;
    for (let d = 0; d < rank; d++) {
      src += idx[d] * xs[d];
      dst += (idx[d] + offset[d]) * os[d];
    }
    for (let k = 0; k < runLength; k++) out[dst + k] = x[src + k];
    let d = last - 1;
    for (; d >= 0; d--) {
      if (++idx[d] < hi[d]) break;
      idx[d] = lo[d];
    }
    if (d < 0) return;
  }
}
