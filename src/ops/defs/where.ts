// Selection by a boolean mask: where, and the ops made of it (maskedFill, triu, tril).
//
// y = where(c, a, b): y_i = a_i if c_i else b_i, with c, a, b broadcast to y's shape
//   → da = where(c, dy, 0), db = where(c, 0, dy), each summed to its input's shape; c gets none.
// (A product c·a + (1−c)·b would not do: a masked −∞ times 0 is NaN.)

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { broadcastShapes, shapeStr, sizeOf } from '../../shape.js';
import { asTensor, checkSameDtype, checkTensor } from '../node.js';
import { broadcastMask, readMask, type BoolMask, type Mask } from '../mask.js';
import { defineOp, type Fn, type Method } from '../op.js';
import { broadcastTo, sumTo } from './reduce.js';

/** @inline */
type Operand = Tensor | number;

/**
 * y = a where the mask is true, else b, elementwise (torch.where): the mask (nested booleans, a
 * Tensor whose nonzero entries are true, or a read mask), a and b broadcast to one shape; either
 * value may be a number. Gradients go to a where the mask is true and to b elsewhere (summed to
 * their shapes); the mask gets none.
 *
 * @example
 * ```ts
 * const y = where([[true, false]], x, 0);      // x [2, 2]: its second column zeroed
 * const z = where(mask, a, b);                 // a, b and mask broadcast together
 * ```
 * @function
 */
export const where: Fn<(cond: Mask, a: Operand, b: Operand) => Tensor> = defineOp({
  name: 'where',
  method: false,
  forward(cond: Mask, a: Operand, b: Operand) {
    if (typeof a === 'number') {
      checkTensor('where', b, 'second value');
      a = asTensor('where', a, b);
    }
    checkTensor('where', a, 'first value');
    const bt = asTensor('where', b, a);
    checkSameDtype('where', a, bt);
    const mask = readMask('where', cond);
    const shape = broadcastShapes('where', broadcastShapes('where', mask.shape, a.shape), bt.shape);
    const c = broadcastMask('where', mask, shape);
    const data = allocCell(a.dtype, sizeOf(shape));
    kernels().where(c, broadcastTo(a, shape).cell, broadcastTo(bt, shape).cell, data);
    return { data, shape, inputs: [a, bt], saved: { c, shape, a: a.shape, b: bt.shape } };
  },
  backward(gy, { c, shape, a, b }, _y, needs) {
    const mask = { values: c, shape };
    return [needs[0] ? sumTo(where(mask, gy, 0), a) : null, needs[1] ? sumTo(where(mask, 0, gy), b) : null];
  },
  call: (x, a) => where(a.cond, x[0], 'scalar' in a ? (a.scalar as number) : x[1]),
  torch: "torch.where(torch.tensor(a['cond']), x[0], a['scalar'] if 'scalar' in a else x[1])",
  samples: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 3] }],
      args: {
        cond: [
          [true, false, true],
          [false, false, true],
        ],
      },
    },
    { inputs: [{ shape: [2, 1] }, { shape: [3] }], args: { cond: [true, false, true] } },
    { inputs: [{ shape: [2, 3] }], args: { cond: [[true], [false]], scalar: -1.5 } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 3] }],
      args: { cond: [true, false] },
      message: 'where: shapes [2] and [2,3] cannot be broadcast',
    },
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 3] }],
      args: { cond: [[true], [false, true]] },
      message: 'where: the mask is a ragged nested array at depth 1',
    },
  ],
  secondOrder: true,
});

/**
 * x with `value` where the mask is true (torch's masked_fill); the mask broadcasts to x's shape and
 * the gradient passes where it is false. Also `x.maskedFill(mask, value)`.
 *
 * @example
 * ```ts
 * const ahead = triu(ones([T, T]), 1);                 // 1 above the diagonal
 * const causal = scores.maskedFill(ahead, -Infinity);   // scores [..., T, T]: no attending ahead
 * ```
 * @function
 */
export const maskedFill: Method<(x: Tensor, mask: Mask, value: number) => Tensor> = defineOp({
  name: 'maskedFill',
  method: true,
  composite(x: Tensor, mask: Mask, value: number) {
    checkTensor('maskedFill', x);
    if (typeof value !== 'number') throw new Error(`maskedFill: value must be a number, got ${typeof value}`);
    const values = broadcastMask('maskedFill', readMask('maskedFill', mask), x.shape);
    return where({ values, shape: x.shape }, value, x);
  },
  call: (x, a) => maskedFill(x[0], a.mask, a.value),
  torch: "x[0].masked_fill(torch.tensor(a['mask']), a['value'])",
  samples: [
    { inputs: [{ shape: [2, 3] }], args: { mask: [false, true, true], value: 0.25 } },
    {
      inputs: [{ shape: [2, 2, 2] }],
      args: {
        mask: [
          [true, false],
          [false, false],
        ],
        value: -3.5,
      },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: {
        mask: [
          [true, false, true],
          [true, false, true],
          [true, true, true],
        ],
        value: 0,
      },
      message: 'maskedFill: shapes [3,3] and [2,3] cannot be broadcast',
    },
  ],
});

/** The mask of the entries (i, j) of a [rows, cols] matrix with j − i ≥ diagonal (upper) or ≤ diagonal (lower). */
function triangle(op: string, x: Tensor, diagonal: number, upper: boolean): BoolMask {
  if (x.rank < 2) throw new Error(`${op}: input must have at least 2 axes, got ${shapeStr(x.shape)}`);
  if (!Number.isSafeInteger(diagonal)) throw new Error(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2);
  const values = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = (upper ? j - i >= diagonal : j - i <= diagonal) ? 1 : 0;
  }
  return { values, shape: [rows, cols] };
}

/**
 * x on and above the `diagonal` (default 0; positive: above the main diagonal) of its last two axes,
 * 0 below (torch.triu). Also `x.triu(diagonal)`.
 * @function
 */
// y = x on and above (triu) or below (tril) the diagonal of the last two axes, 0 elsewhere
// → dx = dy with the same entries kept.
export const triu: Method<(x: Tensor, diagonal?: number) => Tensor> = defineOp({
  name: 'triu',
  method: true,
  composite(x: Tensor, diagonal = 0) {
    checkTensor('triu', x);
    return where(triangle('triu', x, diagonal, true), x, 0);
  },
  call: (x, a) => triu(x[0], a.diagonal),
  torch: "torch.triu(x[0], a.get('diagonal', 0))",
  samples: [
    { inputs: [{ shape: [3, 4] }] },
    { inputs: [{ shape: [2, 4, 3] }], args: { diagonal: 1 } },
    { inputs: [{ shape: [4, 4] }], args: { diagonal: -2 } },
  ],
  errors: [{ inputs: [{ shape: [3] }], message: 'triu: input must have at least 2 axes, got [3]' }],
});

/**
 * x on and below the `diagonal` (default 0; negative: below the main diagonal) of its last two axes,
 * 0 above (torch.tril). Also `x.tril(diagonal)`.
 *
 * @example
 * ```ts
 * const causal = tril(ones([4, 4]));   // 1 on and below the diagonal: a causal mask
 * ```
 * @function
 */
export const tril: Method<(x: Tensor, diagonal?: number) => Tensor> = defineOp({
  name: 'tril',
  method: true,
  composite(x: Tensor, diagonal = 0) {
    checkTensor('tril', x);
    return where(triangle('tril', x, diagonal, false), x, 0);
  },
  call: (x, a) => tril(x[0], a.diagonal),
  torch: "torch.tril(x[0], a.get('diagonal', 0))",
  samples: [{ inputs: [{ shape: [3, 4] }] }, { inputs: [{ shape: [2, 3, 3] }], args: { diagonal: -1 } }],
  errors: [
    { inputs: [{ shape: [2, 2] }], args: { diagonal: 0.5 }, message: 'tril: diagonal must be an integer, got 0.5' },
  ],
});
