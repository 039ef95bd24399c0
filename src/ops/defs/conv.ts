// Convolutions as the seeds' Linear layer over patches. im2col lays every k×k window of x out as
// a column of the patch matrix P (one row per input channel and kernel tap, one column per
// output position), so that a convolution is one matrix product with the weight:
//   x:[N,C,H,W] W:[O,C,kH,kW] b:[O]   P = im2col(x) : [C·kH·kW, N·H'·W']
//   yᵀ = Pᵀ·Wᵀ + b : [N·H'·W', C·kH·kW]·[C·kH·kW, O] → [N·H'·W', O], then laid out as y:[N,O,H',W']
// and the seeds' gradients of y = xW + b (dW = xᵀ·dy, dx = dy·Wᵀ, db = Σ dy) with x = Pᵀ:
//   dL/dW = (Pᵀ)ᵀ·dL/dyᵀ, stored as W is:  dyᵀᵀ·Pᵀ : [O, N·H'·W']·[N·H'·W', C·kH·kW] → [O, C·kH·kW]
//   dL/dP = W ᵀ·dyᵀᵀ : [C·kH·kW, O]·[O, N·H'·W'],  dL/dx = col2im(dL/dP) (each patch entry back to its pixel)
//   dL/db = Σ over N·H'·W' of dyᵀ
// With groups G, channels and outputs split into G blocks, one product per block.
//
// Where the active backend has the direct convolution kernels (native with oneDNN, float32),
// conv2d is one kernel call and its gradients are two more ops, conv2dInputGrad and
// conv2dWeightGrad (torch.nn.grad.conv2d_input and conv2d_weight), each linear in both its
// inputs, so that the three differentiate into one another:
//   y  = conv2d(x, W)             → dx = conv2dInputGrad(dy, W),  dW = conv2dWeightGrad(x, dy)
//   dx = conv2dInputGrad(g, W)    → dg = conv2d(h, W),            dW = conv2dWeightGrad(h, g)
//   dW = conv2dWeightGrad(x, g)   → dx = conv2dInputGrad(g, H),   dg = conv2d(x, H)
// with h (shaped as x) and H (shaped as W) the gradients arriving at each op's output:
// ⟨h, dx⟩ = Σ h[n,c,i]·g[n,o,p]·W[o,c,k] over the taps i = p·stride + k·dilation − padding, read
// once per factor.

import { allocCell, cacheVersion } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { shapeStr, sizeOf } from '../../shape.js';
import { checkSameDtype, checkTensor, constantMap } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { checkPatches, checkWindow1d, geometry, resolveWindow, type Pair, type Window } from '../window.js';
import { matmulT } from './matmul.js';

function checkRank4(op: string, x: Tensor, name = 'input', layout = '[N,C,H,W]'): void {
  checkTensor(op, x, name);
  if (x.rank !== 4) throw new Error(`${op}: ${name} must be ${layout}, got ${shapeStr(x.shape)}`);
}

/**
 * What conv1d and conv2d check alike, naming the op and the shapes as the caller gave them
 * (x [N,C,…], weight [O,C/groups,…]): the dtypes, the groups, the channels and the bias.
 */
function checkConvOperands(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, groups: number): void {
  checkSameDtype(op, x, weight);
  if (bias) checkSameDtype(op, x, bias);
  const c = x.shape[1];
  const [o, cg] = weight.shape;
  if (!Number.isSafeInteger(groups) || groups < 1 || c % groups !== 0 || o % groups !== 0) {
    throw new Error(
      `${op}: groups ${groups} must be a positive integer dividing the input channels (${c}) and the output channels (${o})`,
    );
  }
  if (cg * groups !== c) {
    throw new Error(
      `${op}: input ${shapeStr(x.shape)} has ${c} channels, but weight ${shapeStr(weight.shape)} with groups ${groups} expects ${cg * groups}`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== o))
    throw new Error(`${op}: bias ${shapeStr(bias.shape)} must be [${o}], one per output channel`);
}

const unfold = (w: string) =>
  `(${w}['kernelH'], ${w}['kernelW']), dilation=(${w}['dilationH'], ${w}['dilationW']), ` +
  `padding=(${w}['padTop'], ${w}['padLeft']), stride=(${w}['strideH'], ${w}['strideW'])`;

/**
 * The patch matrix of x [N, C, H, W] for a window (im2col): [C·kH·kW, N·H'·W'], row (c, i, j),
 * column (n, oh, ow), taps outside x reading `padValue` (default 0). Convolutions and pooling are
 * built on it; its gradient is col2im. torch.nn.functional.unfold gives the same values as
 * [N, C·kH·kW, H'·W'] (the batch apart from the positions).
 * @function
 */
// P = im2col(x) (see above): each entry of P is one pixel of x (or padding) → dx = col2im(dP).
export const im2col: Fn<(x: Tensor, window: Window, padValue?: number) => Tensor> = defineOp({
  name: 'im2col',
  method: false,
  forward(x: Tensor, window: Window, padValue = 0) {
    checkRank4('im2col', x);
    const g = geometry(x.shape, window);
    const rows = g.channels * g.kernelH * g.kernelW;
    const cols = g.batch * g.outH * g.outW;
    const data = allocCell(x.dtype, rows * cols);
    kernels().im2col(x.cell, g, padValue, data);
    return { data, shape: [rows, cols], inputs: [x], saved: { window, shape: x.shape } };
  },
  backward: (gy, { window, shape }) => [col2im(gy, window, shape)],
  call: (x, a) => im2col(x[0], a.window),
  // F.unfold gives [N, C·kH·kW, H'·W']; ours puts the batch with the positions: [C·kH·kW, N·H'·W'].
  torch: `(lambda w: F.unfold(x[0], ${unfold('w')}).permute(1, 0, 2).reshape(x[0].shape[1] * w['kernelH'] * w['kernelW'], -1))(a['window'])`,
  samples: [
    {
      inputs: [{ shape: [2, 3, 5, 5] }],
      args: { window: resolveWindow('im2col', [5, 5], { kernel: 3, stride: 1, padding: 1 }) },
    },
    {
      inputs: [{ shape: [1, 2, 6, 7] }],
      args: { window: resolveWindow('im2col', [6, 7], { kernel: [2, 3], stride: [2, 1], dilation: [1, 2] }) },
    },
    {
      inputs: [{ shape: [2, 1, 4, 4] }],
      args: { window: resolveWindow('im2col', [4, 4], { kernel: 2, stride: 3, padding: 1 }) },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [3, 5, 5] }],
      args: { window: resolveWindow('im2col', [5, 5], { kernel: 3 }) },
      message: 'im2col: input must be [N,C,H,W], got [3,5,5]',
    },
  ],
  secondOrder: true,
});

/**
 * im2col's adjoint (col2im, torch.nn.functional.fold in im2col's layout): patches
 * [C·kH·kW, N·H'·W'] summed back into an image of `shape` [N, C, H, W], each entry at the pixel it
 * came from (padding taps dropped).
 * @function
 */
// x = col2im(P): the sum of every patch entry at its pixel (the adjoint of im2col) → dP = im2col(dx).
export const col2im: Fn<(cols: Tensor, window: Window, shape: readonly number[]) => Tensor> = defineOp({
  name: 'col2im',
  method: false,
  forward(cols: Tensor, window: Window, shape: readonly number[]) {
    checkTensor('col2im', cols);
    const g = geometry(shape, window);
    const rows = g.channels * g.kernelH * g.kernelW;
    const n = g.batch * g.outH * g.outW;
    if (shape.length !== 4 || cols.rank !== 2 || cols.shape[0] !== rows || cols.shape[1] !== n) {
      throw new Error(
        `col2im: patches ${shapeStr(cols.shape)} do not fit an image ${shapeStr(shape)} with this window (expected [${rows},${n}])`,
      );
    }
    const data = allocCell(cols.dtype, g.batch * g.channels * g.height * g.width);
    kernels().col2im(cols.cell, g, data);
    return { data, shape: [...shape], inputs: [cols], saved: window };
  },
  backward: (gy, window) => [im2col(gy, window)],
  call: (x, a) => col2im(x[0], a.window, a.shape),
  torch: `(lambda w, s: F.fold(x[0].reshape(x[0].shape[0], s[0], -1).permute(1, 0, 2), (s[2], s[3]), ${unfold('w')}))(a['window'], a['shape'])`,
  samples: [
    {
      inputs: [{ shape: [27, 50] }],
      args: { shape: [2, 3, 5, 5], window: resolveWindow('col2im', [5, 5], { kernel: 3, stride: 1, padding: 1 }) },
    },
    {
      inputs: [{ shape: [4, 8] }],
      args: { shape: [2, 1, 4, 4], window: resolveWindow('col2im', [4, 4], { kernel: 2, stride: 3, padding: 1 }) },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [27, 49] }],
      args: { shape: [2, 3, 5, 5], window: resolveWindow('col2im', [5, 5], { kernel: 3, stride: 1, padding: 1 }) },
      message: 'col2im: patches [27,49] do not fit an image [2,3,5,5] with this window (expected [27,50])',
    },
  ],
  secondOrder: true,
});

/** Options of conv2d (PyTorch's conv2d arguments in camelCase, plus the fused ReLU). */
export interface Conv2dOptions {
  /** Step between windows: a number or [height, width] (default 1). */
  stride?: Pair;
  /** A number or [height, width] added on both sides, 'valid' (0) or 'same' (PyTorch's: stride 1, the odd padding at the bottom/right). */
  padding?: Pair | 'same' | 'valid';
  /** Spacing of the kernel taps (default 1). */
  dilation?: Pair;
  /** Channels and outputs split into this many blocks, each convolved on its own (depthwise: groups = channels). */
  groups?: number;
  /** Apply ReLU in the product's epilogue (what Conv2d followed by ReLU runs). */
  relu?: boolean;
}

/**
 * 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): x [N, C, H, W], weight
 * [O, C/groups, kH, kW] (PyTorch's layout), bias [O] or null → [N, O, H', W'] with
 * H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. One matrix product per group over
 * the im2col patches, the bias (and ReLU) in its epilogue; gradients for x, weight and bias.
 *
 * @example
 * ```ts
 * const y = conv2d(images, w, b, { padding: 1 });   // [N, 1, 28, 28] * [32, 1, 3, 3] → [N, 32, 28, 28]
 * const z = conv2d(images, w, null, { stride: 2 }); // → [N, 32, 13, 13]
 * ```
 * @function
 */
export const conv2d: Fn<(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv2dOptions) => Tensor> =
  defineOp({
    name: 'conv2d',
    method: false,
    forward(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}) {
      checkRank4('conv2d', x);
      checkRank4('conv2d', weight, 'weight', '[O,C/groups,kH,kW]');
      if (bias !== null) checkTensor('conv2d', bias, 'bias');
      const groups = options.groups ?? 1;
      checkConvOperands('conv2d', x, weight, bias, groups);
      const [n] = x.shape;
      const [o, cg, kh, kw] = weight.shape;
      const window = convWindow('conv2d', x.shape, weight.shape, options);
      checkPatches('conv2d', x.shape, window);
      const { stride, padding, dilation } = options;
      const gradOptions: Conv2dGradOptions = { stride, padding, dilation, groups };
      const relu = options.relu ?? false;
      const inputs = bias ? [x, weight, bias] : [x, weight];
      const shape = [n, o, window.outH, window.outW];
      const bVersion = weight.requiresGrad && !weight.gradFn ? cacheVersion(weight.cell) : undefined;
      const direct = x.dtype === 'float32' ? kernels().conv2d : undefined;
      if (direct) {
        const data = allocCell(x.dtype, n * o * window.outH * window.outW);
        direct(x.cell, weight.cell, data, {
          geometry: geometry(x.shape, window),
          outChannels: o,
          groups,
          bias: bias?.cell,
          relu,
          weightVersion: bVersion,
        });
        return {
          data,
          shape,
          inputs,
          saved: { x, weight, bias, patches: null as Tensor | null, window, groups, relu, gradOptions },
        };
      }
      // The patch matrix as an op: a graph node of x, so that dW's product is differentiable in x.
      const patches = im2col(x, window);
      const plane = window.outH * window.outW;
      const positions = n * plane;
      const og = o / groups;
      const depth = cg * kh * kw;
      const yT = allocCell(x.dtype, positions * o); // [G, N·H'·W', O/G]
      for (let g = 0; g < groups; g++) {
        kernels().matmul(patches.cell, weight.cell, yT, {
          m: positions,
          k: depth,
          n: og,
          transA: true,
          transB: true,
          aOffset: g * depth * positions,
          bOffset: g * og * depth,
          outOffset: g * positions * og,
          bVersion,
          bias: bias?.cell,
          biasOffset: g * og,
          relu,
        });
      }
      const data = allocCell(x.dtype, positions * o);
      kernels().permute(yT, [groups, n, plane, og], [1, 0, 3, 2], data);
      return { data, shape, inputs, saved: { x, weight, bias, patches, window, groups, relu, gradOptions } };
    },
    backward(gy, { x, weight, bias, patches, window, groups, relu, gradOptions }, y, needs) {
      const g = relu ? gy.mul(constantMap(y, 'step')) : gy;
      if (patches === null) {
        return [
          needs[0] ? conv2dInputGrad(g, weight, x.shape, gradOptions) : null,
          needs[1] ? conv2dWeightGrad(x, g, weight.shape, gradOptions) : null,
          bias && needs[2] ? g.sum([0, 2, 3]) : null,
        ];
      }
      const [n, o, oh, ow] = g.shape;
      const og = o / groups;
      const positions = n * oh * ow;
      const depth = weight.size / o;
      const gT = g
        .reshape([n, groups, og, oh * ow])
        .permute([1, 0, 3, 2])
        .reshape([groups, positions, og]); // dyᵀ per group
      return [
        needs[0]
          ? col2im(matmulT(weight.reshape([groups, og, depth]), gT, true, true).reshape(patches.shape), window, x.shape)
          : null,
        needs[1] ? matmulT(gT, patches.reshape([groups, depth, positions]), true, true).reshape(weight.shape) : null,
        bias && needs[2] ? gT.sum(1).reshape([o]) : null,
      ];
    },
    call: (x, a) => conv2d(x[0], x[1], x[2] ?? null, a),
    torch:
      "(F.relu if a.get('relu') else (lambda t: t))(F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, stride=a.get('stride', 1), " +
      "padding=a.get('padding', 0), dilation=a.get('dilation', 1), groups=a.get('groups', 1)))",
    samples: [
      { inputs: [{ shape: [2, 3, 6, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], args: { padding: 1 } },
      { inputs: [{ shape: [2, 3, 7, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], args: { stride: 2 } },
      { inputs: [{ shape: [1, 2, 5, 5] }, { shape: [3, 2, 1, 1] }] }, // 1×1 kernel, batch of one, no bias
      { inputs: [{ shape: [2, 2, 4, 3] }, { shape: [3, 2, 4, 3] }, { shape: [3] }] }, // kernel = input
      { inputs: [{ shape: [2, 2, 7, 7] }, { shape: [3, 2, 2, 2] }, { shape: [3] }], args: { stride: 3 } }, // stride > kernel
      { inputs: [{ shape: [2, 2, 5, 6] }, { shape: [3, 2, 2, 4] }, { shape: [3] }], args: { padding: 'same' } }, // even kernels: odd padding bottom/right
      { inputs: [{ shape: [2, 4, 5, 5] }, { shape: [4, 1, 3, 3] }, { shape: [4] }], args: { padding: 1, groups: 4 } }, // depthwise
      {
        inputs: [{ shape: [1, 4, 6, 6] }, { shape: [6, 2, 3, 3] }, { shape: [6] }],
        args: { groups: 2, dilation: 2, padding: [2, 1] },
      },
      { inputs: [{ shape: [2, 3, 6, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], args: { padding: 1, relu: true } },
      // Above the wasm hand-off sizes: a layer of the CNN on small images.
      { inputs: [{ shape: [1, 8, 6, 6] }, { shape: [16, 8, 3, 3] }, { shape: [16] }], args: { padding: 1 } },
    ],
    errors: [
      {
        inputs: [{ shape: [2, 3, 6, 6] }, { shape: [4, 1, 3, 3] }],
        message: 'conv2d: input [2,3,6,6] has 3 channels, but weight [4,1,3,3] with groups 1 expects 1',
      },
      {
        inputs: [{ shape: [1, 1, 3, 3] }, { shape: [2, 1, 5, 5] }],
        message: 'conv2d: kernel 5×5 is larger than the padded input 3×3 (input [1,1,3,3], padding 0)',
      },
      {
        inputs: [{ shape: [1, 3, 6, 6] }, { shape: [4, 1, 3, 3] }],
        args: { groups: 2 },
        message:
          'conv2d: groups 2 must be a positive integer dividing the input channels (3) and the output channels (4)',
      },
      {
        inputs: [{ shape: [3, 6, 6] }, { shape: [4, 3, 3, 3] }],
        message: 'conv2d: input must be [N,C,H,W], got [3,6,6]',
      },
      {
        inputs: [{ shape: [1, 1, 6, 6] }, { shape: [1, 1, 3, 3] }],
        args: { padding: 'same', stride: 2 },
        message: "conv2d: padding 'same' needs stride 1",
      },
    ],
    secondOrder: true,
  });

/** The window of a convolution of an input of `shape` with a weight [O, C/groups, kH, kW] under conv2d's options. */
function convWindow(
  op: string,
  shape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions,
): Window {
  return resolveWindow(op, shape, {
    kernel: [weightShape[2], weightShape[3]],
    stride: options.stride ?? 1,
    padding: options.padding,
    dilation: options.dilation,
  });
}

/** Checks that a shape given as a value is a list of `rank` positive integers. */
function checkShapeArg(op: string, name: string, shape: readonly number[], rank: number): void {
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isSafeInteger(d) && d > 0))
    throw new Error(`${op}: ${name} must be ${rank} positive integers, got ${JSON.stringify(shape)}`);
}

/**
 * What conv2d's gradient ops check alike: that a weight of weightShape with the options' groups
 * fits an input of xShape, and that gy has the convolution's output shape [N, O, H', W'].
 * Returns the window and the groups.
 */
function gradWindow(
  op: string,
  xShape: readonly number[],
  weightShape: readonly number[],
  gy: Tensor,
  options: Conv2dGradOptions,
): { window: Window; groups: number } {
  const groups = options.groups ?? 1;
  const [o, cg] = weightShape;
  if (!Number.isSafeInteger(groups) || groups < 1 || o % groups !== 0 || cg * groups !== xShape[1])
    throw new Error(
      `${op}: weight ${shapeStr(weightShape)} with groups ${groups} does not fit the input ${shapeStr(xShape)}`,
    );
  const window = convWindow(op, xShape, weightShape, options);
  const want = [xShape[0], o, window.outH, window.outW];
  if (gy.shape.some((d, i) => d !== want[i]))
    throw new Error(`${op}: gradient ${shapeStr(gy.shape)} does not fit the convolution's output ${shapeStr(want)}`);
  return { window, groups };
}

/** The dy of one group block laid out as the im2col path's products want it: [G, N·H'·W', O/G]. */
function gradRows(gy: Tensor, groups: number): Tensor {
  const [n, o, oh, ow] = gy.shape;
  return gy
    .reshape([n, groups, o / groups, oh * ow])
    .permute([1, 0, 3, 2])
    .reshape([groups, n * oh * ow, o / groups]);
}

/** The conv2d options the gradient ops take (no ReLU: it belongs to the forward output). */
export type Conv2dGradOptions = Omit<Conv2dOptions, 'relu'>;

/**
 * conv2d's input gradient (torch.nn.grad.conv2d_input): for gy = dL/dy [N, O, H', W'] and the
 * weight [O, C/groups, kH, kW], dL/dx of shape `inputShape` [N, C, H, W], under conv2d's options.
 * Also the transposed convolution of gy. Differentiable in gy and the weight.
 * @function
 */
export const conv2dInputGrad: Fn<
  (gy: Tensor, weight: Tensor, inputShape: readonly number[], options?: Conv2dGradOptions) => Tensor
> = defineOp({
  name: 'conv2dInputGrad',
  method: false,
  forward(gy: Tensor, weight: Tensor, inputShape: readonly number[], options: Conv2dGradOptions = {}) {
    const op = 'conv2dInputGrad';
    checkRank4(op, gy, 'gradient', "[N,O,H',W']");
    checkRank4(op, weight, 'weight', '[O,C/groups,kH,kW]');
    checkSameDtype(op, gy, weight);
    checkShapeArg(op, 'inputShape', inputShape, 4);
    const { window, groups } = gradWindow(op, inputShape, weight.shape, gy, options);
    const o = weight.shape[0];
    const direct = gy.dtype === 'float32' ? kernels().conv2dInputGrad : undefined;
    if (!direct) {
      // dL/dP = Wᵀ·dyᵀᵀ per group, then each patch entry back to its pixel (see the top of the file).
      const depth = weight.size / o;
      const dP = matmulT(weight.reshape([groups, o / groups, depth]), gradRows(gy, groups), true, true);
      return col2im(dP.reshape([groups * depth, dP.shape[2]]), window, inputShape);
    }
    const data = allocCell(gy.dtype, sizeOf(inputShape));
    direct(gy.cell, weight.cell, data, { geometry: geometry(inputShape, window), outChannels: o, groups });
    return { data, shape: [...inputShape], inputs: [gy, weight], saved: { gy, weight, options } };
  },
  backward: (h, { gy, weight, options }, _y, needs) => [
    needs[0] ? conv2d(h, weight, null, options) : null,
    needs[1] ? conv2dWeightGrad(h, gy, weight.shape, options) : null,
  ],
  call: (x, a) => conv2dInputGrad(x[0], x[1], a.inputShape, a),
  torch:
    "torch.nn.grad.conv2d_input(a['inputShape'], x[1], x[0], stride=a.get('stride', 1), padding=a.get('padding', 0), " +
    "dilation=a.get('dilation', 1), groups=a.get('groups', 1))",
  samples: [
    { inputs: [{ shape: [2, 4, 6, 6] }, { shape: [4, 3, 3, 3] }], args: { inputShape: [2, 3, 6, 6], padding: 1 } },
    { inputs: [{ shape: [2, 4, 3, 2] }, { shape: [4, 3, 3, 3] }], args: { inputShape: [2, 3, 7, 6], stride: 2 } },
    {
      inputs: [{ shape: [1, 6, 6, 4] }, { shape: [6, 2, 3, 3] }],
      args: { inputShape: [1, 4, 6, 6], groups: 2, dilation: 2, padding: [2, 1] },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 4, 5, 5] }, { shape: [4, 3, 3, 3] }],
      args: { inputShape: [2, 3, 6, 6], padding: 1 },
      message: "conv2dInputGrad: gradient [2,4,5,5] does not fit the convolution's output [2,4,6,6]",
    },
  ],
  secondOrder: true,
});

/**
 * conv2d's weight gradient (torch.nn.grad.conv2d_weight): for the input x [N, C, H, W] and
 * gy = dL/dy [N, O, H', W'], dL/dweight of shape `weightShape` [O, C/groups, kH, kW], under
 * conv2d's options. Differentiable in x and gy.
 * @function
 */
export const conv2dWeightGrad: Fn<
  (x: Tensor, gy: Tensor, weightShape: readonly number[], options?: Conv2dGradOptions) => Tensor
> = defineOp({
  name: 'conv2dWeightGrad',
  method: false,
  forward(x: Tensor, gy: Tensor, weightShape: readonly number[], options: Conv2dGradOptions = {}) {
    const op = 'conv2dWeightGrad';
    checkRank4(op, x);
    checkRank4(op, gy, 'gradient', "[N,O,H',W']");
    checkSameDtype(op, x, gy);
    checkShapeArg(op, 'weightShape', weightShape, 4);
    const { window, groups } = gradWindow(op, x.shape, weightShape, gy, options);
    const o = weightShape[0];
    const direct = x.dtype === 'float32' ? kernels().conv2dWeightGrad : undefined;
    if (!direct) {
      // dL/dW = dyᵀᵀ·Pᵀ per group (see the top of the file).
      const patches = im2col(x, window);
      const depth = patches.shape[0] / groups;
      return matmulT(gradRows(gy, groups), patches.reshape([groups, depth, patches.shape[1]]), true, true).reshape([
        ...weightShape,
      ]);
    }
    const data = allocCell(x.dtype, sizeOf(weightShape));
    direct(x.cell, gy.cell, data, { geometry: geometry(x.shape, window), outChannels: o, groups });
    return { data, shape: [...weightShape], inputs: [x, gy], saved: { x, gy, options } };
  },
  backward: (h, { x, gy, options }, _y, needs) => [
    needs[0] ? conv2dInputGrad(gy, h, x.shape, options) : null,
    needs[1] ? conv2d(x, h, null, options) : null,
  ],
  call: (x, a) => conv2dWeightGrad(x[0], x[1], a.weightShape, a),
  torch:
    "torch.nn.grad.conv2d_weight(x[0], a['weightShape'], x[1], stride=a.get('stride', 1), padding=a.get('padding', 0), " +
    "dilation=a.get('dilation', 1), groups=a.get('groups', 1))",
  samples: [
    { inputs: [{ shape: [2, 3, 6, 6] }, { shape: [2, 4, 6, 6] }], args: { weightShape: [4, 3, 3, 3], padding: 1 } },
    { inputs: [{ shape: [2, 3, 7, 6] }, { shape: [2, 4, 3, 2] }], args: { weightShape: [4, 3, 3, 3], stride: 2 } },
    {
      inputs: [{ shape: [1, 4, 6, 6] }, { shape: [1, 6, 6, 4] }],
      args: { weightShape: [6, 2, 3, 3], groups: 2, dilation: 2, padding: [2, 1] },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3, 6, 6] }, { shape: [2, 4, 6, 6] }],
      args: { weightShape: [4, 2, 3, 3], padding: 1 },
      message: 'conv2dWeightGrad: weight [4,2,3,3] with groups 1 does not fit the input [2,3,6,6]',
    },
  ],
  secondOrder: true,
});

/** Options of conv1d (PyTorch's conv1d arguments in camelCase). */
export interface Conv1dOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zeros added on both ends, 'valid' (0) or 'same' (stride 1; the odd one at the end) (default 0). */
  padding?: number | 'same' | 'valid';
  /** Spacing of the kernel taps (default 1). */
  dilation?: number;
  /** Channels and outputs split into this many blocks, each convolved on its own (default 1). */
  groups?: number;
}

/**
 * 1-D convolution (torch.nn.functional.conv1d): x [N, C, L], weight [O, C/groups, k], bias [O] or
 * null → [N, O, L'], L' = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1; a conv2d over
 * planes of height 1.
 *
 * @example
 * ```ts
 * const y = conv1d(signal, w, b, { padding: 'same' });   // [N, 4, 100] * [8, 4, 5] → [N, 8, 100]
 * ```
 * @function
 */
export const conv1d: Fn<(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv1dOptions) => Tensor> =
  defineOp({
    name: 'conv1d',
    method: false,
    composite(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}) {
      // Everything conv2d would check is checked here first, in 1-D terms: its errors never show.
      checkTensor('conv1d', x);
      checkTensor('conv1d', weight, 'weight');
      if (bias !== null) checkTensor('conv1d', bias, 'bias');
      if (x.rank !== 3) throw new Error(`conv1d: input must be [N,C,L], got ${shapeStr(x.shape)}`);
      if (weight.rank !== 3) throw new Error(`conv1d: weight must be [O,C/groups,k], got ${shapeStr(weight.shape)}`);
      const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
      checkConvOperands('conv1d', x, weight, bias, groups);
      checkWindow1d('conv1d', { stride, padding, dilation });
      const [n, c, l] = x.shape;
      const [o, cg, k] = weight.shape;
      const span = dilation * (k - 1) + 1;
      const padded = l + (padding === 'same' ? span - 1 : padding === 'valid' ? 0 : 2 * padding);
      if (span > padded) {
        throw new Error(
          `conv1d: kernel ${k}${span !== k ? ` (${span} dilated)` : ''} is larger than the padded input ${padded} (input ${shapeStr(x.shape)}, padding ${JSON.stringify(padding)})`,
        );
      }
      const y = conv2d(x.reshape([n, c, 1, l]), weight.reshape([o, cg, 1, k]), bias, {
        stride: [1, stride],
        padding: typeof padding === 'number' ? [0, padding] : padding,
        dilation: [1, dilation],
        groups,
      });
      return y.reshape([n, o, y.shape[3]]);
    },
    call: (x, a) => conv1d(x[0], x[1], x[2] ?? null, a),
    torch:
      "F.conv1d(x[0], x[1], x[2] if len(x) > 2 else None, stride=a.get('stride', 1), padding=a.get('padding', 0), dilation=a.get('dilation', 1), groups=a.get('groups', 1))",
    samples: [
      { inputs: [{ shape: [2, 3, 9] }, { shape: [4, 3, 3] }, { shape: [4] }], args: { padding: 1 } },
      { inputs: [{ shape: [1, 4, 10] }, { shape: [4, 2, 4] }], args: { stride: 2, dilation: 2, groups: 2 } },
      { inputs: [{ shape: [2, 2, 7] }, { shape: [3, 2, 4] }, { shape: [3] }], args: { padding: 'same' } },
    ],
    errors: [
      {
        inputs: [{ shape: [2, 3, 9, 1] }, { shape: [4, 3, 3] }],
        message: 'conv1d: input must be [N,C,L], got [2,3,9,1]',
      },
      {
        inputs: [{ shape: [2, 3, 4] }, { shape: [4, 3, 6] }],
        message: 'conv1d: kernel 6 is larger than the padded input 4 (input [2,3,4], padding 0)',
      },
      // conv1d runs conv2d on planes of height 1, but every error is conv1d's, with the 1-D shapes.
      {
        inputs: [{ shape: [1, 3, 8] }, { shape: [4, 2, 3] }],
        message: 'conv1d: input [1,3,8] has 3 channels, but weight [4,2,3] with groups 1 expects 2',
      },
      {
        inputs: [{ shape: [1, 4, 8] }, { shape: [4, 2, 3] }],
        args: { groups: 3 },
        message:
          'conv1d: groups 3 must be a positive integer dividing the input channels (4) and the output channels (4)',
      },
      {
        inputs: [{ shape: [1, 2, 8] }, { shape: [4, 2, 3] }, { shape: [5] }],
        message: 'conv1d: bias [5] must be [4], one per output channel',
      },
      {
        inputs: [{ shape: [1, 2, 8] }, { shape: [4, 2, 3] }],
        args: { stride: 0 },
        message: 'conv1d: stride must be a positive integer, got 0',
      },
      {
        inputs: [{ shape: [1, 2, 8] }, { shape: [4, 2, 3] }],
        args: { padding: -2 },
        message: "conv1d: padding must be a non-negative integer, 'same' or 'valid', got -2",
      },
      {
        inputs: [{ shape: [1, 2, 8] }, { shape: [4, 2, 3] }],
        args: { padding: 'same', stride: 2 },
        message: "conv1d: padding 'same' needs stride 1, got stride 2",
      },
    ],
    secondOrder: true,
  });
