// unsqueeze and squeeze (torch.unsqueeze, torch.squeeze): reshapes that add or drop an axis of
// size 1, so their gradient is dy reshaped back to x's shape (reshape's own backward).

import type { Tensor } from '../../tensor.js';
import { normAxis } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method } from '../op.js';
import { reshape } from './shape.js';

/**
 * x with a new axis of size 1 at `axis` (in [−rank−1, rank], negative counting from the end of
 * the result), as torch.unsqueeze. Also `x.unsqueeze(axis)`.
 *
 * @example
 * ```ts
 * const column = v.unsqueeze(1);   // [N] → [N, 1]
 * ```
 * @function
 */
export const unsqueeze: Method<(x: Tensor, axis: number) => Tensor> = defineOp({
  name: 'unsqueeze',
  method: true,
  composite(x: Tensor, axis: number) {
    checkTensor('unsqueeze', x);
    const at = normAxis('unsqueeze', axis, x.rank + 1);
    return reshape(x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
  },
  call: (x, a) => unsqueeze(x[0], a.axis),
  torch: "x[0].unsqueeze(a['axis'])",
  samples: [
    { inputs: [{ shape: [3, 4] }], args: { axis: 0 } },
    { inputs: [{ shape: [3, 4] }], args: { axis: 2 } },
    { inputs: [{ shape: [3, 4] }], args: { axis: -1 } },
    { inputs: [{ shape: [] }], args: { axis: 0 } },
  ],
  errors: [{ inputs: [{ shape: [3, 4] }], args: { axis: 3 }, message: 'unsqueeze: axis 3' }],
});

/**
 * x without its axes of size 1, or without `axis` alone when it is of size 1 (x unchanged when it
 * is not), as torch.squeeze. Also `x.squeeze(axis)`.
 * @function
 */
export const squeeze: Method<(x: Tensor, axis?: number) => Tensor> = defineOp({
  name: 'squeeze',
  method: true,
  composite(x: Tensor, axis?: number) {
    checkTensor('squeeze', x);
    if (axis === undefined)
      return reshape(
        x,
        x.shape.filter((d) => d !== 1),
      );
    const at = normAxis('squeeze', axis, x.rank);
    return x.shape[at] === 1
      ? reshape(
          x,
          x.shape.filter((_, i) => i !== at),
        )
      : x;
  },
  call: (x, a) => squeeze(x[0], a.axis),
  torch: "x[0].squeeze(a['axis']) if 'axis' in a else x[0].squeeze()",
  samples: [
    { inputs: [{ shape: [1, 3, 1, 4] }] },
    { inputs: [{ shape: [1, 3, 1, 4] }], args: { axis: 2 } },
    { inputs: [{ shape: [1, 3, 1, 4] }], args: { axis: -3 } },
    { inputs: [{ shape: [1, 1] }] },
  ],
  errors: [{ inputs: [{ shape: [1, 3] }], args: { axis: 2 }, message: 'squeeze: axis 2' }],
});
