// log-softmax as one fused, numerically stable row primitive; softmax composed from it.
//
// y = x − log Σ_j e^{x_j} along the axis → dx = dy − softmax(x) ⊙ Σ_axis dy
// (the Jacobian is I − 1·softmax(x)ᵀ per row; softmax(x) = e^y). x, y, dx, dy: one shape.

import { allocCell } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { isGradEnabled } from '../../autograd/mode.js';
import { kernels } from '../../backend/index.js';
import { normAxis } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Sample, type Method } from '../op.js';
import { permute } from './shape.js';

const samples: Sample[] = [
  { inputs: [{ shape: [3, 5] }], args: { axis: -1 } },
  { inputs: [{ shape: [3, 5] }], args: { axis: 0 } },
  { inputs: [{ shape: [2, 3, 4] }], args: { axis: 1 } },
  { inputs: [{ shape: [1, 4] }], args: { axis: -1 } },
  { inputs: [{ shape: [2, 3], values: [1000, 1001, 999, -1000, -1002, -1001] }], args: { axis: -1 } },
  { inputs: [{ shape: [32, 40] }], args: { axis: -1 } },
];

/**
 * log softmax along `axis` (default the last): x − log Σ eˣ, by one numerically stable row
 * kernel (torch.log_softmax); y has x's shape. Also `x.logSoftmax(axis)`.
 * @function
 */
export const logSoftmax: Method<(x: Tensor, axis?: number) => Tensor> = defineOp({
  name: 'logSoftmax',
  method: true,
  forward(x: Tensor, axis = -1) {
    checkTensor('logSoftmax', x);
    const ax = normAxis('logSoftmax', axis, x.rank);
    if (x.rank === 0) return x.sub(x); // log-softmax of a single value is 0
    if (ax !== x.rank - 1) {
      const perm = Array.from({ length: x.rank }, (_, i) => i);
      [perm[ax], perm[x.rank - 1]] = [perm[x.rank - 1], perm[ax]];
      return permute(logSoftmax(permute(x, perm), -1), perm);
    }
    const cols = x.shape[x.rank - 1];
    const data = allocCell(x.dtype, x.size);
    kernels().logSoftmax(x.cell, data, cols === 0 ? 0 : x.size / cols, cols);
    return { data, shape: x.shape, inputs: [x], saved: null };
  },
  backward: (gy, _saved, y) => [gy.sub(y.exp().mul(gy.sum(-1, true)))],
  call: (x, a) => logSoftmax(x[0], a.axis),
  torch: "torch.log_softmax(x[0], a['axis'])",
  samples,
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { axis: 2 },
      message: 'logSoftmax: axis 2 is out of range for a tensor of rank 2',
    },
  ],
  secondOrder: true,
});

/**
 * softmax along `axis` (default the last): eˣ / Σ eˣ, computed as exp(logSoftmax(x)) so it never
 * overflows (torch.softmax); y has x's shape and sums to 1 along the axis. Also `x.softmax(axis)`.
 *
 * @example
 * ```ts
 * softmax(tensor([1, 2, 3])).toArray();   // [0.090, 0.245, 0.665]
 * const probs = logits.softmax(-1);       // [N, C], each row sums to 1
 * ```
 * @function
 */
// softmax(x) = e^{logSoftmax(x)}; dx = y ⊙ (dy − Σ_axis dy ⊙ y). Where the backend has a fused
// softmax (native), the last axis runs on it and on its backward kernel (unless the gradient must
// itself be differentiable: then the formula above, as ops of y); elsewhere the two ops run.
export const softmax: Method<(x: Tensor, axis?: number) => Tensor> = defineOp({
  name: 'softmax',
  method: true,
  forward(x: Tensor, axis = -1) {
    checkTensor('softmax', x);
    const ax = normAxis('softmax', axis, x.rank);
    const fused = x.rank > 0 && ax === x.rank - 1 ? kernels().softmax : undefined;
    if (!fused) return logSoftmax(x, axis).exp();
    const cols = x.shape[ax];
    const rows = cols === 0 ? 0 : x.size / cols;
    const data = allocCell(x.dtype, x.size);
    fused(x.cell, data, rows, cols);
    return { data, shape: x.shape, inputs: [x], saved: { rows, cols } };
  },
  backward(gy, { rows, cols }, y) {
    const fused = isGradEnabled() ? undefined : kernels().softmaxBackward;
    if (!fused) return [y.mul(gy.sub(gy.mul(y).sum(-1, true)))];
    const out = allocCell(gy.dtype, gy.size);
    fused(y.cell, gy.cell, out, rows, cols);
    return [new Tensor(out, y.shape)];
  },
  call: (x, a) => softmax(x[0], a.axis),
  torch: "torch.softmax(x[0], a['axis'])",
  samples,
  errors: [{ inputs: [], message: 'softmax: input must be a Tensor' }],
  secondOrder: true,
});
