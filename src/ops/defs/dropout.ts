// Dropout: in training, each element (dropout) or each channel of [N, C, ...] (dropout2d) is zeroed
// with probability p and the rest scaled by 1/(1−p), so the expectation is unchanged; the identity
// otherwise. The mask m comes from the seeded PRNG and is a constant of the step:
// y = x ⊙ m → dx = dy ⊙ m.

import { allocData } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { fillBernoulli } from '../../random.js';
import { shapeStr, sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

function checkP(op: string, p: number): void {
  if (!(p >= 0 && p < 1)) throw new Error(`${op}: p must be in [0, 1), got ${p}`);
}

/** 0 with probability p, else 1/(1−p), for each element of a tensor of this shape. */
function mask(shape: readonly number[], dtype: Tensor['dtype'], p: number): Tensor {
  const m = allocData(dtype, sizeOf(shape));
  fillBernoulli(m, p, 1 / (1 - p));
  return new Tensor(m, shape, dtype);
}

/**
 * Dropout (torch.nn.functional.dropout): in training (the default), each element is zeroed with
 * probability p (default 0.5) by the seeded PRNG and the others scaled by 1/(1 − p), so the
 * expectation is unchanged; the identity when `training` is false or p is 0. The mask is a
 * constant of the step: dx = dy ⊙ mask. nn.Dropout passes the module's training flag.
 *
 * @example
 * ```ts
 * const h = dropout(x, 0.1);           // training: about 10% of x zeroed, the rest × 1/0.9
 * const same = dropout(x, 0.1, false); // evaluation: x itself
 * ```
 * @function
 */
export const dropout: Fn<(x: Tensor, p?: number, training?: boolean) => Tensor> = defineOp({
  name: 'dropout',
  method: false,
  composite(x: Tensor, p = 0.5, training = true) {
    checkTensor('dropout', x);
    checkP('dropout', p);
    return !training || p === 0 ? x : x.mul(mask(x.shape, x.dtype, p));
  },
  // Random masks cannot match torch's draws: the samples are those where dropout is the identity
  // (its statistics are tested in test/nn).
  call: (x, a) => dropout(x[0], a.p, a.training),
  torch: "F.dropout(x[0], a['p'], a['training'])",
  samples: [
    { inputs: [{ shape: [3, 4] }], args: { p: 0.5, training: false } },
    { inputs: [{ shape: [3, 4] }], args: { p: 0, training: true } },
  ],
  errors: [
    { inputs: [{ shape: [3] }], args: { p: 1, training: true }, message: 'dropout: p must be in [0, 1), got 1' },
  ],
});

/**
 * Channel dropout (torch.nn.functional.dropout2d) of x [N, C, H, W] or [N, C, L]: in training
 * (the default), each whole channel of each sample is zeroed with probability p (default 0.5) and
 * the others scaled by 1/(1 − p); the identity when `training` is false or p is 0.
 * @function
 */
export const dropout2d: Fn<(x: Tensor, p?: number, training?: boolean) => Tensor> = defineOp({
  name: 'dropout2d',
  method: false,
  composite(x: Tensor, p = 0.5, training = true) {
    checkTensor('dropout2d', x);
    checkP('dropout2d', p);
    if (x.rank !== 3 && x.rank !== 4)
      throw new Error(`dropout2d: expected input [N,C,H,W] or [N,C,L], got ${shapeStr(x.shape)}`);
    return !training || p === 0
      ? x
      : x.mul(mask([x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], x.dtype, p));
  },
  call: (x, a) => dropout2d(x[0], a.p, a.training),
  torch: "F.dropout2d(x[0], a['p'], a['training'])",
  samples: [{ inputs: [{ shape: [2, 3, 2, 2] }], args: { p: 0.3, training: false } }],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { p: 0.5, training: true },
      message: 'dropout2d: expected input [N,C,H,W] or [N,C,L], got [2,3]',
    },
  ],
});
