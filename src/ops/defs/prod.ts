// prod (torch.prod): the product over one axis (keepdim as torch) or over all, a loop over host
// values. ∂y/∂x_i = Π_{j≠i} x_j over x_i's slice, which y/x_i gives only without zeros. With k the
// count of zeros in the slice and p the product of its non-zero values:
//   no zero (k = 0):  Π_{j≠i} x_j = p / x_i
//   one zero (k = 1): Π_{j≠i} x_j = p at the zero, 0 elsewhere (each of those products holds the zero)
//   more zeros:       0 everywhere
// so dx = dy (broadcast back over the axis) ⊙ those products, which backward works out on the host
// from x: a constant, so the entry has first derivatives only.

import { allocData } from '../../cells.js';
import { Tensor, type Data } from '../../tensor.js';
import { normAxis, reducedShape, sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method } from '../op.js';

/** Π_{j≠i} x_j over each element's slice (along `ax`, or all of x), from x's host values. */
function othersProduct(x: Tensor, ax: number | null): Data {
  const n = ax === null ? x.size : x.shape[ax];
  const inner = ax === null ? 1 : sizeOf(x.shape.slice(ax + 1));
  const src = x.data;
  const out = allocData(x.dtype, x.size);
  for (let base = 0; base < x.size; base += n * inner) {
    for (let i = 0; i < inner; i++) {
      let zeros = 0;
      let p = 1; // the product of the slice's non-zero values
      for (let j = 0; j < n; j++) {
        const v = src[base + j * inner + i];
        if (v === 0) zeros++;
        else p *= v;
      }
      for (let j = 0; j < n; j++) {
        const v = src[base + j * inner + i];
        out[base + j * inner + i] = zeros === 0 ? p / v : zeros === 1 && v === 0 ? p : 0;
      }
    }
  }
  return out;
}

/**
 * The product over `axis` (all values without one), the axis removed unless `keepdim`
 * (torch.prod); its gradient is right where x holds zeros. On a device backend the input must be on
 * the host. Also `x.prod(axis, keepdim)`.
 * @function
 */
export const prod: Method<(x: Tensor, axis?: number, keepdim?: boolean) => Tensor> = defineOp({
  name: 'prod',
  method: true,
  forward(x: Tensor, axis?: number, keepdim = false) {
    checkTensor('prod', x);
    const checked = axis === undefined ? null : normAxis('prod', axis, x.rank);
    const ax = x.rank === 0 ? null : checked;
    // Without an axis, the whole tensor is one slice.
    const kept = reducedShape(x.shape, ax === null ? x.shape.map((_, i) => i) : [ax], true);
    const n = ax === null ? x.size : x.shape[ax];
    const inner = ax === null ? 1 : sizeOf(x.shape.slice(ax + 1));
    const src = x.data;
    const data = allocData(x.dtype, sizeOf(kept));
    for (let o = 0; inner > 0 && o < data.length / inner; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 1;
        for (let j = 0; j < n; j++) acc *= src[(o * n + j) * inner + i];
        data[o * inner + i] = acc;
      }
    }
    const shape = ax === null ? [] : keepdim ? kept : x.shape.filter((_, i) => i !== ax);
    return { data, shape, inputs: [x], saved: { x, ax, kept } };
  },
  backward: (gy, { x, ax, kept }) => [gy.reshape(kept).mul(new Tensor(othersProduct(x, ax), x.shape, x.dtype))],
  call: (x, a) => prod(x[0], a.axis, a.keepdim),
  torch: "x[0].prod(a['axis'], keepdim=a['keepdim']) if 'axis' in a else x[0].prod()",
  samples: [
    { inputs: [{ shape: [3, 4] }] },
    { inputs: [{ shape: [3, 4] }], args: { axis: 1, keepdim: false } },
    { inputs: [{ shape: [2, 3, 4] }], args: { axis: 0, keepdim: true } },
    // Rows with no zero, one zero and two zeros.
    { inputs: [{ shape: [3, 3], values: [1.5, -2, 0.5, 0, 3, -1.2, 0, 2, 0] }], args: { axis: 1, keepdim: false } },
    { inputs: [{ shape: [2, 3], values: [1.5, -2, 0.5, 0, 3, -1.2] }] },
  ],
  errors: [{ inputs: [{ shape: [3] }], args: { axis: 1 }, message: 'prod: axis 1' }],
});
