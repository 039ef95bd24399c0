// cat and stack: tensors joined along an axis (torch.cat, torch.stack).
// y = [x₀ | x₁ | …] along `axis` → dxᵢ = the slice of dy that xᵢ filled: dy cropped with pad.

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { normAxis, shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { pad } from './pad.js';

function checkList(op: string, xs: readonly Tensor[]): void {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error(`${op}: expected a non-empty array of tensors`);
  xs.forEach((x, i) => {
    checkTensor(op, x, `tensor ${i}`);
    checkSameDtype(op, xs[0], x);
  });
}

/**
 * The tensors joined along an existing axis (default 0), as torch.cat: all other sizes (and the
 * dtype) must agree. Each input's gradient is its slice of dy.
 *
 * @example
 * ```ts
 * const xy = cat([x, y]);         // [2, 3] and [4, 3] → [6, 3]
 * const wide = cat([x, x], 1);    // [2, 3] → [2, 6]
 * ```
 * @function
 */
export const cat: Fn<(tensors: readonly Tensor[], axis?: number) => Tensor> = defineOp({
  name: 'cat',
  method: false,
  forward(tensors: readonly Tensor[], axis = 0) {
    checkList('cat', tensors);
    const rank = tensors[0].rank;
    if (rank === 0) throw new Error('cat: zero-dimensional tensors cannot be joined (use stack)');
    const a = normAxis('cat', axis, rank);
    const first = tensors[0].shape;
    for (const [i, x] of tensors.entries()) {
      if (x.rank !== rank || x.shape.some((d, j) => j !== a && d !== first[j])) {
        throw new Error(
          `cat: tensor ${i} has shape ${shapeStr(x.shape)}, but tensor 0 has ${shapeStr(first)}: only axis ${a} may differ`,
        );
      }
    }
    const shape = [...first];
    shape[a] = tensors.reduce((s, x) => s + x.shape[a], 0);
    const data = allocCell(
      tensors[0].dtype,
      shape.reduce((p, d) => p * d, 1),
    );
    const offset = new Array<number>(rank).fill(0);
    const starts: number[] = [];
    for (const x of tensors) {
      starts.push(offset[a]);
      kernels().place(x.cell, x.shape, data, shape, offset);
      offset[a] += x.shape[a];
    }
    return { data, shape, inputs: tensors, saved: { a, starts, sizes: tensors.map((x) => x.shape[a]) } };
  },
  backward(gy, { a, starts, sizes }, _y, needs) {
    const total = gy.shape[a];
    const axesAfter = gy.rank - 1 - a; // F.pad lists the last axis first
    return starts.map((start, i) =>
      needs[i] ? pad(gy, [...new Array<number>(2 * axesAfter).fill(0), -start, -(total - start - sizes[i])]) : null,
    );
  },
  call: (x, a) => cat(x, a.axis),
  torch: "torch.cat(x, a.get('axis', 0))",
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [4, 3] }] },
    { inputs: [{ shape: [2, 1, 4] }, { shape: [2, 3, 4] }, { shape: [2, 2, 4] }], args: { axis: 1 } },
    { inputs: [{ shape: [3, 2] }, { shape: [3, 5] }], args: { axis: -1 } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [2, 4] }],
      message: 'cat: tensor 1 has shape [2,4], but tensor 0 has [2,3]: only axis 0 may differ',
    },
    { inputs: [{ shape: [2, 3] }], args: { axis: 2 }, message: 'cat: axis 2 is out of range for a tensor of rank 2' },
  ],
  secondOrder: true,
});

/**
 * The tensors, all of one shape, joined along a new axis (default 0), as torch.stack: n tensors of
 * shape S give [n, ...S] (or the new axis at `axis`).
 *
 * @example
 * ```ts
 * const batch = stack([a, b, c]);   // three [3, 4] → [3, 3, 4]
 * ```
 * @function
 */
export const stack: Fn<(tensors: readonly Tensor[], axis?: number) => Tensor> = defineOp({
  name: 'stack',
  method: false,
  composite(tensors: readonly Tensor[], axis = 0) {
    checkList('stack', tensors);
    const shape = tensors[0].shape;
    const a = normAxis('stack', axis, shape.length + 1);
    for (const [i, x] of tensors.entries()) {
      if (x.shape.length !== shape.length || x.shape.some((d, j) => d !== shape[j])) {
        throw new Error(
          `stack: tensor ${i} has shape ${shapeStr(x.shape)}, but tensor 0 has ${shapeStr(shape)}: all must be equal`,
        );
      }
    }
    const expanded = [...shape.slice(0, a), 1, ...shape.slice(a)];
    return cat(
      tensors.map((x) => x.reshape(expanded)),
      a,
    );
  },
  call: (x, a) => stack(x, a.axis),
  torch: "torch.stack(x, a.get('axis', 0))",
  samples: [
    { inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] },
    { inputs: [{ shape: [3] }, { shape: [3] }, { shape: [3] }], args: { axis: 1 } },
    { inputs: [{ shape: [] }, { shape: [] }] },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }, { shape: [3, 2] }],
      message: 'stack: tensor 1 has shape [3,2], but tensor 0 has [2,3]: all must be equal',
    },
  ],
  secondOrder: true,
});
