// argmax and argmin (torch.argmax, torch.argmin): the index of the largest (smallest) value along
// an axis, or in the flattened tensor without one; the first index among ties, and a NaN counts as
// the extreme, as torch's. Indices are whole numbers in x's float dtype (nabla has no integer dtype
// yet) and constants: no gradient (an index is piecewise constant in x). A loop over host values.

import { allocData } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { normAxis, reducedShape, shapeStr } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method, type Sample } from '../op.js';

type ArgExtreme = Method<(x: Tensor, axis?: number, keepdim?: boolean) => Tensor>;

const samples: Sample[] = [
  { inputs: [{ shape: [3, 4] }], gradcheck: false },
  { inputs: [{ shape: [3, 4] }], args: { axis: 1, keepdim: false }, gradcheck: false },
  { inputs: [{ shape: [2, 3, 4] }], args: { axis: 0, keepdim: true }, gradcheck: false },
  { inputs: [{ shape: [2, 3, 4] }], args: { axis: -2, keepdim: false }, gradcheck: false },
  // Ties take the first index.
  { inputs: [{ shape: [2, 3], values: [1, 5, 5, 2, -1, 2] }], args: { axis: 1, keepdim: false }, gradcheck: false },
];

function argExtreme(name: string, beats: (v: number, best: number) => boolean): ArgExtreme {
  const op: ArgExtreme = defineOp({
    name,
    method: true,
    composite(x: Tensor, axis?: number, keepdim = false) {
      checkTensor(name, x);
      if (x.size === 0) throw new Error(`${name}: the input ${shapeStr(x.shape)} is empty`);
      const checked = axis === undefined ? null : normAxis(name, axis, x.rank);
      const ax = x.rank === 0 ? null : checked; // a scalar's only index is 0, with or without an axis
      // The flattened tensor is one axis of x.size, with nothing outside it.
      const n = ax === null ? x.size : x.shape[ax];
      const inner = ax === null ? 1 : x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
      const outer = x.size / (n * inner);
      const src = x.data;
      const out = allocData(x.dtype, outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let best = 0;
          for (let j = 1; j < n; j++) if (beats(src[base + j * inner], src[base + best * inner])) best = j;
          out[o * inner + i] = best;
        }
      }
      return new Tensor(out, ax === null ? [] : reducedShape(x.shape, [ax], keepdim), x.dtype);
    },
    call: (x, a) => op(x[0], a.axis, a.keepdim),
    torch: `x[0].${name}(a['axis'], a['keepdim']).to(x[0].dtype) if 'axis' in a else x[0].${name}().to(x[0].dtype)`,
    samples,
    errors: [
      { inputs: [{ shape: [0, 3] }], message: `${name}: the input [0,3] is empty` },
      { inputs: [{ shape: [2, 3] }], args: { axis: 2 }, message: `${name}: axis 2` },
    ],
  });
  return op;
}

const isNaN = Number.isNaN;

/**
 * The index of the largest value along `axis` (of the flattened tensor without one), the axis
 * removed unless `keepdim` (torch.argmax); the first among ties, NaN counting as largest. Whole
 * numbers in x's dtype, with no gradient. Also `x.argmax(axis, keepdim)`.
 *
 * @example
 * ```ts
 * const predicted = logits.argmax(1);   // [N, C] → [N]
 * ```
 * @function
 */
export const argmax: ArgExtreme = argExtreme('argmax', (v, best) => !isNaN(best) && (v > best || isNaN(v)));
/**
 * The index of the smallest value along `axis` (of the flattened tensor without one), as argmax
 * (torch.argmin); NaN counts as smallest. Also `x.argmin(axis, keepdim)`.
 * @function
 */
export const argmin: ArgExtreme = argExtreme('argmin', (v, best) => !isNaN(best) && (v < best || isNaN(v)));
