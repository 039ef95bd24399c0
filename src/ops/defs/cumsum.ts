// cumsum (torch.cumsum): y_i = Σ_{j ≤ i} x_j along an axis, a loop over host values. Each x_j feeds
// every y_i with i ≥ j, so dx_j = Σ_{i ≥ j} dy_i, the reversed cumulative sum, written with ops as
// Σ_i dy_i − Σ_{i ≤ j} dy_i + dy_j = sum(dy) − cumsum(dy) + dy (all along the axis, x's shape).

import { allocData } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { normAxis } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method } from '../op.js';

/**
 * The running sum along `axis` (torch.cumsum), of x's shape. On a device backend the input must be
 * on the host. Also `x.cumsum(axis)`.
 *
 * @example
 * ```ts
 * tensor([1, 2, 3]).cumsum(0);   // [1, 3, 6]
 * ```
 * @function
 */
export const cumsum: Method<(x: Tensor, axis: number) => Tensor> = defineOp({
  name: 'cumsum',
  method: true,
  forward(x: Tensor, axis: number) {
    checkTensor('cumsum', x);
    const ax = normAxis('cumsum', axis, x.rank);
    const n = x.rank === 0 ? 1 : x.shape[ax];
    const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    const src = x.data;
    const data = allocData(x.dtype, x.size);
    for (let base = 0; base < x.size; base += n * inner) {
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) data[base + j * inner + i] = acc += src[base + j * inner + i];
      }
    }
    return { data, shape: x.shape, inputs: [x], saved: ax };
  },
  backward: (gy, ax) => [gy.sum(ax, true).sub(cumsum(gy, ax)).add(gy)],
  call: (x, a) => cumsum(x[0], a.axis),
  torch: "x[0].cumsum(a['axis'])",
  samples: [
    { inputs: [{ shape: [3, 4] }], args: { axis: 1 } },
    { inputs: [{ shape: [2, 3, 4] }], args: { axis: 0 } },
    { inputs: [{ shape: [2, 3, 4] }], args: { axis: -2 } },
    { inputs: [{ shape: [30, 40] }], args: { axis: 0 } },
  ],
  errors: [{ inputs: [{ shape: [3] }], args: { axis: 1 }, message: 'cumsum: axis 1' }],
  secondOrder: true,
});
