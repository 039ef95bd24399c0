// Reductions along axes (all axes by default, keepdim as in PyTorch), and broadcastTo, their
// adjoint: summing over axes and repeating along them are each other's backward.

import { allocCell, allocData, hostCell, type Cell } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import type { ReduceOp } from '../../backend/contract.js';
import { kernels } from '../../backend/index.js';
import { broadcastShapes, normAxes, reducedShape, sameShape, shapeStr, sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Sample, type Fn, type Method } from '../op.js';
import { reshape } from './shape.js';

type Axes = number | readonly number[] | undefined;

function reduceData(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean): [Cell, number[]] {
  const shape = reducedShape(x.shape, axes, keepdim);
  const out = allocCell(x.dtype, sizeOf(shape));
  kernels().reduce(op, x.cell, x.shape, axes, out);
  return [out, shape];
}

const reductionSamples: Sample[] = [
  { inputs: [{ shape: [3, 4] }] },
  { inputs: [{ shape: [3, 4] }], args: { axes: [1], keepdim: false } },
  { inputs: [{ shape: [2, 3, 4] }], args: { axes: [0, 2], keepdim: true } },
  { inputs: [{ shape: [1, 5] }], args: { axes: [0], keepdim: false } },
  { inputs: [{ shape: [2, 3, 4] }], args: { axes: [-2], keepdim: false } },
  { inputs: [{ shape: [48, 30] }], args: { axes: [0], keepdim: false } },
];
const reductionTorch = (f: string) => `x[0].${f}(dim=a['axes'], keepdim=a['keepdim']) if 'axes' in a else x[0].${f}()`;

/**
 * The sum over `axes` (all by default; negative axes count from the end), which are removed unless
 * `keepdim` (torch.sum(x, dim, keepdim)). Also `x.sum(axes, keepdim)`.
 *
 * @example
 * ```ts
 * const total = x.sum();              // [N, C] → [] (a scalar)
 * const perColumn = x.sum(0);         // [N, C] → [C]; x.sum(-1, true) is [N, 1]
 * ```
 * @function
 */
// y = Σ_axes x → dx = dy broadcast back over the summed axes (every x fed y once).
export const sum: Method<(x: Tensor, axes?: number | readonly number[], keepdim?: boolean) => Tensor> = defineOp({
  name: 'sum',
  method: true,
  forward(x: Tensor, axes?: Axes, keepdim = false) {
    checkTensor('sum', x);
    const ax = normAxes('sum', axes, x.rank);
    if (ax.length === 0) return x;
    const [data, shape] = reduceData('sum', x, ax, keepdim);
    return { data, shape, inputs: [x], saved: { shape: x.shape, kept: reducedShape(x.shape, ax, true) } };
  },
  backward: (gy, { shape, kept }) => [broadcastTo(reshape(gy, kept), shape)],
  call: (x, a) => sum(x[0], a.axes, a.keepdim),
  torch: reductionTorch('sum'),
  samples: reductionSamples,
  errors: [
    { inputs: [{ shape: [2, 3] }], args: { axes: [2] }, message: 'sum: axis 2 is out of range for a tensor of rank 2' },
  ],
});

/**
 * The mean over `axes` (all by default), which are removed unless `keepdim` (torch.mean); throws
 * over an empty axis. Also `x.mean(axes, keepdim)`.
 *
 * @example
 * ```ts
 * const loss = x.sub(y).pow(2).mean();   // a scalar
 * const mu = x.mean(0, true);            // [N, C] → [1, C]
 * ```
 * @function
 */
// y = (1/n) Σ_axes x, n the number of elements summed → dx = dy / n broadcast back.
export const mean: Method<(x: Tensor, axes?: number | readonly number[], keepdim?: boolean) => Tensor> = defineOp({
  name: 'mean',
  method: true,
  composite(x: Tensor, axes?: Axes, keepdim = false) {
    checkTensor('mean', x);
    const ax = normAxes('mean', axes, x.rank);
    const n = ax.reduce((p, a) => p * x.shape[a], 1);
    if (n === 0) throw new Error(`mean: cannot average over an empty axis of shape [${x.shape.join(',')}]`);
    return sum(x, ax, keepdim).mul(1 / n);
  },
  call: (x, a) => mean(x[0], a.axes, a.keepdim),
  torch: reductionTorch('mean'),
  samples: reductionSamples,
  errors: [
    {
      inputs: [{ shape: [0, 3] }],
      args: { axes: [0] },
      message: 'mean: cannot average over an empty axis of shape [0,3]',
    },
  ],
});

/**
 * The maximum over `axes` (all by default), which are removed unless `keepdim`: values only, as
 * torch.amax. Elements tied for the maximum share its gradient equally (PyTorch's amax rule).
 * Throws over an empty axis. Also `x.max(axes, keepdim)`.
 * @function
 */
// y = max_axes x → dx = dy at the positions that hold the maximum; ties share it equally
// (PyTorch's amax rule), so dx = dy ⊙ 1[x = y] / count.
export const max: Method<(x: Tensor, axes?: number | readonly number[], keepdim?: boolean) => Tensor> = defineOp({
  name: 'max',
  method: true,
  forward(x: Tensor, axes?: Axes, keepdim = false) {
    checkTensor('max', x);
    const ax = normAxes('max', axes, x.rank);
    if (ax.some((a) => x.shape[a] === 0))
      throw new Error(`max: cannot take the maximum over an empty axis of shape [${x.shape.join(',')}]`);
    if (ax.length === 0) return x;
    const [data, shape] = reduceData('max', x, ax, keepdim);
    return { data, shape, inputs: [x], saved: { x, ax, kept: reducedShape(x.shape, ax, true) } };
  },
  backward(gy, { x, ax, kept }, y) {
    const yb = new Tensor(y.cell, kept);
    const maskData = allocCell(x.dtype, x.size);
    kernels().binary('eq', x.cell, x.shape, yb.cell, kept, maskData, x.shape);
    const mask = new Tensor(maskData, x.shape);
    const count = new Tensor(reduceData('sum', mask, ax, true)[0], kept);
    return [broadcastTo(reshape(gy, kept), x.shape).mul(mask.div(count))];
  },
  call: (x, a) => max(x[0], a.axes, a.keepdim),
  torch: reductionTorch('amax'),
  samples: reductionSamples,
  errors: [
    {
      inputs: [{ shape: [0, 3] }],
      args: { axes: [0] },
      message: 'max: cannot take the maximum over an empty axis of shape [0,3]',
    },
  ],
});

/**
 * The minimum over `axes` (all by default), which are removed unless `keepdim`: values only, as
 * torch.amin; ties share the gradient equally. Throws over an empty axis. Also `x.min(axes, keepdim)`.
 * @function
 */
// y = min_axes x = −max_axes(−x): max's gradient rule, ties sharing dy equally (PyTorch's amin rule).
export const min: Method<(x: Tensor, axes?: number | readonly number[], keepdim?: boolean) => Tensor> = defineOp({
  name: 'min',
  method: true,
  composite(x: Tensor, axes?: Axes, keepdim = false) {
    checkTensor('min', x);
    if (normAxes('min', axes, x.rank).some((a) => x.shape[a] === 0))
      throw new Error(`min: cannot take the minimum over an empty axis of shape [${x.shape.join(',')}]`);
    return max(x.neg(), axes, keepdim).neg();
  },
  call: (x, a) => min(x[0], a.axes, a.keepdim),
  torch: reductionTorch('amin'),
  samples: [
    ...reductionSamples,
    { inputs: [{ shape: [2, 3], values: [1, -2, -2, 0, 3, 0] }], args: { axes: [1], keepdim: false } },
  ],
  errors: [
    {
      inputs: [{ shape: [0, 3] }],
      args: { axes: [0] },
      message: 'min: cannot take the minimum over an empty axis of shape [0,3]',
    },
  ],
});

/**
 * x repeated to `shape` by NumPy broadcasting (as torch's x.expand(shape), but a copy); its
 * gradient sums back to x's shape. Also `x.broadcastTo(shape)`.
 * @function
 */
// y = x repeated along broadcast axes → dx = sumTo(dy, x.shape).
export const broadcastTo: Method<(x: Tensor, shape: readonly number[]) => Tensor> = defineOp({
  name: 'broadcastTo',
  method: true,
  forward(x: Tensor, shape: readonly number[]) {
    checkTensor('broadcastTo', x);
    const full = broadcastShapes('broadcastTo', x.shape, shape);
    if (!sameShape(full, shape))
      throw new Error(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    if (sameShape(x.shape, shape)) return x;
    const data = allocCell(x.dtype, sizeOf(shape));
    const zero = hostCell(allocData(x.dtype, 1));
    // A 0-d x is read as [1]: the kernels take equal operand shapes for an output of that shape.
    kernels().binary('add', x.cell, x.rank === 0 ? [1] : x.shape, zero, [], data, shape);
    return { data, shape: [...shape], inputs: [x], saved: x.shape };
  },
  backward: (gy, shape) => [sumTo(gy, shape)],
  call: (x, a) => broadcastTo(x[0], a.shape),
  torch: "x[0].expand(a['shape'])",
  samples: [
    { inputs: [{ shape: [3, 1] }], args: { shape: [2, 3, 4] } },
    { inputs: [{ shape: [4] }], args: { shape: [3, 4] } },
    { inputs: [{ shape: [40] }], args: { shape: [30, 40] } },
    { inputs: [{ shape: [] }], args: { shape: [2, 3] } },
  ],
  errors: [
    { inputs: [{ shape: [3, 4] }], args: { shape: [4] }, message: 'broadcastTo: cannot broadcast [3,4] to [4]' },
  ],
});

/**
 * g summed to `shape` over the axes along which `shape` was broadcast to g's shape (torch's
 * g.sum_to_size(shape)): the adjoint of broadcastTo, what the backward of every broadcasting op
 * uses. Throws when `shape` does not broadcast to g's.
 * @function
 */
export const sumTo: Fn<(g: Tensor, shape: readonly number[]) => Tensor> = defineOp({
  name: 'sumTo',
  method: false,
  composite(g: Tensor, shape: readonly number[]) {
    checkTensor('sumTo', g);
    if (sameShape(g.shape, shape)) return g;
    const lead = g.rank - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < g.rank; i++) {
      if (i >= lead && shape[i - lead] !== 1 && shape[i - lead] !== g.shape[i])
        throw new Error(`sumTo: cannot sum ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
      if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
    }
    if (lead < 0) throw new Error(`sumTo: cannot sum ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
    return reshape(sum(g, axes), shape);
  },
  call: (x, a) => sumTo(x[0], a.shape),
  torch: "x[0].sum_to_size(a['shape'])",
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], args: { shape: [3, 1] } },
    { inputs: [{ shape: [5, 4] }], args: { shape: [4] } },
    { inputs: [{ shape: [40, 30] }], args: { shape: [30] } },
  ],
  errors: [{ inputs: [{ shape: [2, 3] }], args: { shape: [4, 6] }, message: 'sumTo: cannot sum [2,3] to [4,6]' }],
});
