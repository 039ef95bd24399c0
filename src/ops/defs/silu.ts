// SiLU (swish), torch.nn.functional.silu: y = x·σ(x), x and y of one shape, as a composite of
// sigmoid and mul, whose gradients give dx = dy ⊙ σ(x)(1 + x(1 − σ(x))).

import type { Tensor } from '../../tensor.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method } from '../op.js';
import { plain } from '../elementwise.js';
import { mul } from './binary.js';
import { sigmoid } from './unary.js';

/**
 * SiLU (swish), x·σ(x), elementwise (torch.nn.functional.silu), composed of sigmoid and mul.
 * Also `x.silu()`.
 * @function
 */
export const silu: Method<(x: Tensor) => Tensor> = defineOp({
  name: 'silu',
  method: true,
  composite(x: Tensor) {
    checkTensor('silu', x);
    return mul(x, sigmoid(x));
  },
  torch: 'F.silu(x[0])',
  samples: [...plain, { inputs: [{ shape: [5], values: [-30, -2, 0, 1.5, 30] }] }],
  errors: [{ inputs: [], message: 'silu: input must be a Tensor' }],
  secondOrder: true,
});
