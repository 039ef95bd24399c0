// Pooling over the windows of each channel plane, as compositions over im2col's patch matrix:
// each plane of x [N,C,H,W] becomes one image of one channel, so that
//   P = im2col(x as [N·C,1,H,W]) : [kH·kW, N·C·H'·W']   (one column per window)
//   maxPool2d: y = max over the rows of P → dP = dy at each window's maximum (ties share it,
//     where PyTorch gives it all to the first), dx = col2im(dP): max's and im2col's backward.
//     Where the backend has a maxPool2d kernel (native), it gives y and the flat index i into x of
//     each window's maximum (the first of ties, as PyTorch): y = x[i], so dx = dy scattered to
//     those i (maxPool2dBackward's kernel, or scatterRows as ops when the gradient is itself
//     differentiated).
//   avgPool2d: y = Σ rows of P / count → dx = col2im(dy / count spread over each window).
//   adaptiveAvgPool2d: y = A_H · x · A_Wᵀ with A the [out, in] averaging matrices of
//     PyTorch's windows [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), so dx = A_Hᵀ · dy · A_W (matmul's backward).

import { allocCell, allocData } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { shapeStr, sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { kernels } from '../../backend/index.js';
import { checkPoolPadding, geometry, pair, resolveWindow, type Pair, type Window } from '../window.js';
import { im2col } from './conv.js';
import { scatterRows } from './gather.js';
import { isGradEnabled } from '../../autograd/mode.js';

function planes(op: string, x: Tensor): [number, number, number, number] {
  checkTensor(op, x);
  if (x.rank !== 4) throw new Error(`${op}: input must be [N,C,H,W], got ${shapeStr(x.shape)}`);
  return x.shape as unknown as [number, number, number, number];
}

/** The windows of each plane as the columns of a [kH·kW, N·C·H'·W'] matrix. */
function windows(x: Tensor, w: Window, padValue: number): Tensor {
  const [n, c, h, wd] = x.shape;
  return im2col(x.reshape([n * c, 1, h, wd]), w, padValue);
}

/** Options of maxPool2d (PyTorch's max_pool2d arguments in camelCase). */
export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  /** Spacing of the window's taps (default 1). */
  dilation?: Pair;
  /** Round the output size up, keeping a last partial window when it starts inside the input or its left padding (default false). */
  ceilMode?: boolean;
}

/**
 * The maximum of each kernelSize window of each channel plane (torch.nn.functional.max_pool2d):
 * x [N, C, H, W] → [N, C, H', W']; padding never wins. Where several elements tie for a window's
 * maximum, the first gets its gradient on native (as PyTorch), and they share it on the other
 * backends.
 *
 * @example
 * ```ts
 * const y = maxPool2d(x, 2);                            // [N, C, 28, 28] → [N, C, 14, 14]
 * const z = maxPool2d(x, 3, { stride: 2, padding: 1 }); // [N, C, 28, 28] → [N, C, 14, 14]
 * ```
 * @function
 */
export const maxPool2d: Fn<(x: Tensor, kernelSize: Pair, options?: MaxPool2dOptions) => Tensor> = defineOp({
  name: 'maxPool2d',
  method: false,
  forward(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}) {
    const [n, c] = planes('maxPool2d', x);
    const w = resolveWindow('maxPool2d', x.shape, {
      kernel: kernelSize,
      stride: options.stride ?? kernelSize,
      padding: options.padding,
      dilation: options.dilation,
      ceilMode: options.ceilMode,
    });
    checkPoolPadding('maxPool2d', [w.padTop, w.padLeft], [w.kernelH, w.kernelW]);
    const shape = [n, c, w.outH, w.outW];
    const pool = kernels().maxPool2d;
    if (!pool) return windows(x, w, -Infinity).max(0).reshape(shape);
    const idx = new Int32Array(sizeOf(shape));
    const out = allocCell(x.dtype, idx.length);
    pool(x.cell, geometry(x.shape, w), out, idx);
    return { data: out, shape, inputs: [x], saved: { idx, xShape: x.shape } };
  },
  backward(gy, { idx, xShape }) {
    const scatter = isGradEnabled() ? undefined : kernels().maxPool2dBackward;
    if (!scatter) return [scatterRows(gy.reshape([idx.length, 1]), idx, sizeOf(xShape)).reshape(xShape)];
    const dx = allocCell(gy.dtype, sizeOf(xShape));
    scatter(gy.cell, idx, dx);
    return [new Tensor(dx, xShape)];
  },
  call: (x, a) => maxPool2d(x[0], a.kernelSize, a),
  torch:
    "F.max_pool2d(x[0], a['kernelSize'], stride=a.get('stride'), padding=a.get('padding', 0), dilation=a.get('dilation', 1), ceil_mode=a.get('ceilMode', False))",
  samples: [
    { inputs: [{ shape: [2, 3, 6, 6] }], args: { kernelSize: 2 } },
    { inputs: [{ shape: [1, 2, 7, 5] }], args: { kernelSize: 3, stride: 2, padding: 1 } },
    { inputs: [{ shape: [2, 1, 7, 7] }], args: { kernelSize: [2, 3], stride: [2, 1], dilation: 2, ceilMode: true } },
    { inputs: [{ shape: [1, 2, 5, 5] }], args: { kernelSize: 2, ceilMode: true } },
    { inputs: [{ shape: [4, 8, 12, 12] }], args: { kernelSize: 2 } },
  ],
  errors: [
    {
      inputs: [{ shape: [1, 1, 4, 4] }],
      args: { kernelSize: 2, padding: 2 },
      message: 'maxPool2d: padding 2×2 must be at most half the kernel 2×2',
    },
    {
      inputs: [{ shape: [1, 1, 2, 2] }],
      args: { kernelSize: 3 },
      message: 'maxPool2d: kernel 3×3 is larger than the padded input 2×2',
    },
  ],
});

/** Options of avgPool2d (PyTorch's avg_pool2d arguments in camelCase). */
export interface AvgPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  /** Round the output size up, keeping a last partial window when it starts inside the input or its left padding (default false). */
  ceilMode?: boolean;
  /** Count the padding in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

/** PyTorch's divisor of each window: its size within the padded input, or within x alone. */
function divisors(w: Window, h: number, wd: number, includePad: boolean, dtype: Tensor['dtype']): Tensor {
  const d = allocData(dtype, w.outH * w.outW);
  for (let i = 0; i < w.outH; i++) {
    for (let j = 0; j < w.outW; j++) {
      let h0 = i * w.strideH - w.padTop;
      let w0 = j * w.strideW - w.padLeft;
      let h1 = Math.min(h0 + w.kernelH, h + w.padTop);
      let w1 = Math.min(w0 + w.kernelW, wd + w.padLeft);
      if (!includePad) [h0, w0, h1, w1] = [Math.max(h0, 0), Math.max(w0, 0), Math.min(h1, h), Math.min(w1, wd)];
      d[i * w.outW + j] = (h1 - h0) * (w1 - w0);
    }
  }
  return new Tensor(d, [w.outH * w.outW], dtype);
}

/**
 * The mean of each kernelSize window of each channel plane (torch.nn.functional.avg_pool2d):
 * x [N, C, H, W] → [N, C, H', W'], each window divided by its size (countIncludePad decides
 * whether padding counts).
 * @function
 */
export const avgPool2d: Fn<(x: Tensor, kernelSize: Pair, options?: AvgPool2dOptions) => Tensor> = defineOp({
  name: 'avgPool2d',
  method: false,
  composite(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}) {
    const [n, c, h, wd] = planes('avgPool2d', x);
    const w = resolveWindow('avgPool2d', x.shape, {
      kernel: kernelSize,
      stride: options.stride ?? kernelSize,
      padding: options.padding,
      ceilMode: options.ceilMode,
    });
    checkPoolPadding('avgPool2d', [w.padTop, w.padLeft], [w.kernelH, w.kernelW]);
    const sums = windows(x, w, 0)
      .sum(0)
      .reshape([n * c, w.outH * w.outW]);
    return sums.div(divisors(w, h, wd, options.countIncludePad ?? true, x.dtype)).reshape([n, c, w.outH, w.outW]);
  },
  call: (x, a) => avgPool2d(x[0], a.kernelSize, a),
  torch:
    "F.avg_pool2d(x[0], a['kernelSize'], stride=a.get('stride'), padding=a.get('padding', 0), ceil_mode=a.get('ceilMode', False), count_include_pad=a.get('countIncludePad', True))",
  samples: [
    { inputs: [{ shape: [2, 3, 6, 6] }], args: { kernelSize: 2 } },
    { inputs: [{ shape: [1, 2, 7, 5] }], args: { kernelSize: 3, stride: 2, padding: 1 } },
    { inputs: [{ shape: [1, 2, 7, 5] }], args: { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false } },
    { inputs: [{ shape: [2, 1, 5, 5] }], args: { kernelSize: 2, ceilMode: true, padding: 1 } },
    { inputs: [{ shape: [2, 1, 5, 5] }], args: { kernelSize: 2, ceilMode: true, countIncludePad: false } },
  ],
  errors: [
    {
      inputs: [{ shape: [1, 1, 4, 4] }],
      args: { kernelSize: 3, padding: 2 },
      message: 'avgPool2d: padding 2×2 must be at most half the kernel 3×3',
    },
  ],
});

/** The [out, size] matrix of PyTorch's adaptive windows, each row 1/length over its window. */
function averaging(out: number, size: number, dtype: Tensor['dtype']): Tensor {
  const a = allocData(dtype, out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) a[i * size + j] = 1 / (end - start);
  }
  return new Tensor(a, [out, size], dtype);
}

/**
 * The mean over an outputSize grid of windows that cover each plane, PyTorch's windows
 * [⌊i·H/H'⌋, ⌈(i+1)·H/H'⌉) (torch.nn.functional.adaptive_avg_pool2d): x [N, C, H, W] → [N, C, H', W'].
 *
 * @example
 * ```ts
 * const pooled = adaptiveAvgPool2d(features, 1);   // global average pooling: [N, C, H, W] → [N, C, 1, 1]
 * ```
 * @function
 */
export const adaptiveAvgPool2d: Fn<(x: Tensor, outputSize: Pair) => Tensor> = defineOp({
  name: 'adaptiveAvgPool2d',
  method: false,
  composite(x: Tensor, outputSize: Pair) {
    const [, , h, w] = planes('adaptiveAvgPool2d', x);
    const [oh, ow] = pair('adaptiveAvgPool2d', 'output size', outputSize, 1);
    if (h === 0 || w === 0) throw new Error(`adaptiveAvgPool2d: input ${shapeStr(x.shape)} has an empty plane`);
    if (oh === 1 && ow === 1) return x.mean([2, 3], true);
    return averaging(oh, h, x.dtype)
      .matmul(x)
      .matmul(averaging(ow, w, x.dtype).transpose());
  },
  call: (x, a) => adaptiveAvgPool2d(x[0], a.outputSize),
  torch: "F.adaptive_avg_pool2d(x[0], a['outputSize'])",
  samples: [
    { inputs: [{ shape: [2, 3, 5, 5] }], args: { outputSize: 1 } },
    { inputs: [{ shape: [1, 2, 7, 5] }], args: { outputSize: [3, 2] } },
    { inputs: [{ shape: [2, 2, 4, 4] }], args: { outputSize: 4 } },
  ],
  errors: [
    {
      inputs: [{ shape: [1, 1, 4, 4] }],
      args: { outputSize: 0 },
      message: 'adaptiveAvgPool2d: output size must be a positive integer or a pair of them, got 0',
    },
  ],
});
