// logSumExp along one axis, torch.logsumexp: y = log Σ_axis e^x, computed stably as
// m + log Σ e^{x − m} with m = max_axis x held constant. That is exact for any constant m, so
// its derivatives of every order are those of logSumExp: dx = dy ⊙ softmax(x) along the axis.
// x:[..., n, ...] → y: the axis removed (or kept as 1 with keepdim).

import type { Tensor } from '../../tensor.js';
import { FLOAT32_MAX } from '../../backend/contract.js';
import { normAxis, reducedShape, shapeStr } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method, type Sample } from '../op.js';
import { sub } from './binary.js';
import { max, sum } from './reduce.js';
import { reshape } from './shape.js';
import { clamp, exp } from './unary.js';

const samples: Sample[] = [
  { inputs: [{ shape: [3, 5] }], args: { axis: -1, keepdim: false } },
  { inputs: [{ shape: [2, 3, 4] }], args: { axis: 1, keepdim: true } },
  { inputs: [{ shape: [1, 4] }], args: { axis: 0, keepdim: false } },
  { inputs: [{ shape: [2, 3], values: [1000, 1001, 999, -1000, -1002, -1001] }], args: { axis: -1, keepdim: false } },
  { inputs: [{ shape: [32, 40] }], args: { axis: -1, keepdim: false } },
];

/**
 * log Σ eˣ along one axis (default the last), computed stably as m + log Σ e^{x − m} with
 * m = max x (torch.logsumexp); the axis is removed unless `keepdim`. Its gradient is softmax(x)
 * along the axis. Also `x.logSumExp(axis, keepdim)`.
 * @function
 */
export const logSumExp: Method<(x: Tensor, axis?: number, keepdim?: boolean) => Tensor> = defineOp({
  name: 'logSumExp',
  method: true,
  composite(x: Tensor, axis = -1, keepdim = false) {
    checkTensor('logSumExp', x);
    if (x.rank === 0) throw new Error('logSumExp: input must have at least one axis');
    const ax = normAxis('logSumExp', axis, x.rank);
    if (x.shape[ax] === 0)
      throw new Error(`logSumExp: cannot reduce the empty axis ${axis} of shape ${shapeStr(x.shape)}`);
    // An infinite maximum (a row of −∞, or a +∞) would give ∞ − ∞: it is clamped to the dtype's
    // largest finite value, which leaves every finite maximum as it is and still gives −∞ for a
    // row of −∞ and +∞ for a row holding +∞ (a kernel, so a device keeps it).
    const big = x.dtype === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
    const m = clamp(max(x, ax, true).detach(), -big, big);
    const y = sum(exp(sub(x, m)), ax, true)
      .log()
      .add(m);
    return keepdim ? y : reshape(y, reducedShape(x.shape, [ax], false));
  },
  call: (x, a) => logSumExp(x[0], a.axis, a.keepdim),
  torch: "torch.logsumexp(x[0], dim=a['axis'], keepdim=a['keepdim'])",
  samples,
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { axis: 2 },
      message: 'logSumExp: axis 2 is out of range for a tensor of rank 2',
    },
    {
      inputs: [{ shape: [2, 0] }],
      args: { axis: 1 },
      message: 'logSumExp: cannot reduce the empty axis 1 of shape [2,0]',
    },
  ],
  secondOrder: true,
});
