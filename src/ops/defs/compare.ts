// Comparisons, elementwise with NumPy broadcasting (torch.eq, ne, gt, ge, lt, le): 1 where the
// relation holds, else 0, in the first input's float dtype (nabla has no bool dtype yet). As torch's,
// the result is a constant: it carries no gradient (the relations are piecewise constant, their
// derivative 0 wherever it exists). NaN compares false, so ne(NaN, ·) is 1, as IEEE and torch.
// Run as a loop over host values (no kernel: the kernel table has only eq among binary maps), so
// on a device backend the inputs must be on the host (`await t.read()` first, else a clear error).

import { allocData } from '../../cells.js';
import { Tensor, type Data } from '../../tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from '../../shape.js';
import { asTensor, checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Method, type Sample } from '../op.js';

type Compare = Method<(a: Tensor, b: Tensor | number) => Tensor>;

const samples: Sample[] = [
  { inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], gradcheck: false },
  { inputs: [{ shape: [3, 4] }, { shape: [4] }], gradcheck: false },
  // Ties, and −0 = 0.
  {
    inputs: [
      { shape: [4], values: [1, 2, 4, -0] },
      { shape: [4], values: [1, 3, 2, 0] },
    ],
    gradcheck: false,
  },
  { inputs: [{ shape: [2, 3] }], args: { other: 0.25 }, gradcheck: false },
];

/** x's host values read at every index of the broadcast shape, in row-major order. */
function expand(x: Tensor, shape: readonly number[]): Data {
  if (sameShape(x.shape, shape)) return x.data;
  const strides = broadcastStrides(x.shape, shape);
  const src = x.data;
  const out = allocData(x.dtype, sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      at += strides[d];
      if (++index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

function comparison(name: string, python: string, holds: (a: number, b: number) => boolean): Compare {
  const op: Compare = defineOp({
    name,
    method: true,
    composite(a: Tensor, b: Tensor | number) {
      checkTensor(name, a);
      const other = asTensor(name, b, a);
      checkSameDtype(name, a, other);
      const shape = broadcastShapes(name, a.shape, other.shape);
      const x = expand(a, shape);
      const y = expand(other, shape);
      const out = allocData(a.dtype, sizeOf(shape));
      for (let i = 0; i < out.length; i++) out[i] = holds(x[i], y[i]) ? 1 : 0;
      return new Tensor(out, shape, a.dtype);
    },
    call: (x, a) => op(x[0], x[1] ?? a.other),
    torch: `(x[0] ${python} (x[1] if len(x) > 1 else a['other'])).to(x[0].dtype)`,
    samples,
    errors: [
      { inputs: [{ shape: [2, 3] }, { shape: [4] }], message: `${name}: shapes [2,3] and [4] cannot be broadcast` },
    ],
  });
  return op;
}

/** 1 where a = b, else 0 (torch.eq), broadcasting; no gradient. Also `a.eq(b)`. @function */
export const eq: Compare = comparison('eq', '==', (a, b) => a === b);
/** 1 where a ≠ b (or either is NaN), else 0 (torch.ne), broadcasting; no gradient. Also `a.ne(b)`. @function */
export const ne: Compare = comparison('ne', '!=', (a, b) => a !== b);
/** 1 where a > b, else 0 (torch.gt), broadcasting; no gradient. Also `a.gt(b)`. @function */
export const gt: Compare = comparison('gt', '>', (a, b) => a > b);
/** 1 where a ≥ b, else 0 (torch.ge), broadcasting; no gradient. Also `a.ge(b)`. @function */
export const ge: Compare = comparison('ge', '>=', (a, b) => a >= b);
/** 1 where a < b, else 0 (torch.lt), broadcasting; no gradient. Also `a.lt(b)`. @function */
export const lt: Compare = comparison('lt', '<', (a, b) => a < b);
/** 1 where a ≤ b, else 0 (torch.le), broadcasting; no gradient. Also `a.le(b)`. @function */
export const le: Compare = comparison('le', '<=', (a, b) => a <= b);
