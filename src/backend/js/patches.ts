// im2col and col2im: a convolution's patches as the rows of a matrix, so that the convolution is
// one matrix product (see ops/defs/conv.ts), and the adjoint that scatters them back.

import type { Data, PatchGeometry } from '../contract.js';

export function im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
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
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
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
