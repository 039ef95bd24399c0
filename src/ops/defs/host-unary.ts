// Elementwise maps that the kernel table has no op code for (sin, cos, floor, ceil, round), run as
// loops over host values with Math's functions (each rounded once to the dtype). On a device backend
// the input must be on the host (`await t.read()` first, else a clear error). A kernel each would
// mean new rows in src/backend/table.ts and every backend.

import { allocData } from '../../cells.js';
import { zeros, type Tensor } from '../../tensor.js';
import { checkTensor } from '../node.js';
import { plain } from '../elementwise.js';
import { defineOp, type Method, type Sample } from '../op.js';

type Map1 = Method<(x: Tensor) => Tensor>;

function hostMap(
  name: string,
  f: (v: number) => number,
  backward: (gy: Tensor, x: Tensor) => Tensor,
  torch: string,
  samples: Sample[],
  secondOrder = false,
): Map1 {
  return defineOp({
    name,
    method: true,
    forward(x: Tensor) {
      checkTensor(name, x);
      const src = x.data;
      const data = allocData(x.dtype, x.size);
      for (let i = 0; i < data.length; i++) data[i] = f(src[i]);
      return { data, shape: x.shape, inputs: [x], saved: x };
    },
    backward: (gy, x) => [backward(gy, x)],
    torch,
    samples,
    errors: [{ inputs: [], message: `${name}: input must be a Tensor` }],
    secondOrder,
  });
}

/** sin x, elementwise (torch.sin); also `x.sin()`. @function */
// y = sin x → dx = dy ⊙ cos x
export const sin: Map1 = hostMap('sin', Math.sin, (gy, x) => gy.mul(cos(x)), 'x[0].sin()', plain, true);
/** cos x, elementwise (torch.cos); also `x.cos()`. @function */
// y = cos x → dx = −dy ⊙ sin x
export const cos: Map1 = hostMap('cos', Math.cos, (gy, x) => gy.mul(sin(x)).neg(), 'x[0].cos()', plain, true);

// Rounding is piecewise constant: its derivative is 0 wherever it exists, and torch's gradient is 0
// everywhere, so dx = 0 (finite differences agree away from the steps, where the samples lie).
const zeroGrad = (gy: Tensor) => zeros(gy.shape, { dtype: gy.dtype });
const steps: Sample[] = [
  ...plain,
  { inputs: [{ shape: [8], values: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0, 3] }], gradcheck: false },
];

/** ⌊x⌋, elementwise (torch.floor); gradient 0. Also `x.floor()`. @function */
export const floor: Map1 = hostMap('floor', Math.floor, zeroGrad, 'x[0].floor()', steps);
/** ⌈x⌉, elementwise (torch.ceil); gradient 0. Also `x.ceil()`. @function */
export const ceil: Map1 = hostMap('ceil', Math.ceil, zeroGrad, 'x[0].ceil()', steps);
/** x rounded to the nearest integer, halves to even as torch.round (2.5 → 2, −1.5 → −2); gradient 0. Also `x.round()`. @function */
export const round: Map1 = hostMap(
  'round',
  (v) => {
    const r = Math.round(v); // halves up: 2.5 → 3, −2.5 → −2
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  zeroGrad,
  'x[0].round()',
  steps,
);
