// Ops that move elements without computing: reshape and permute/transpose. Each backward moves
// the gradient back the same way. (broadcastTo, whose adjoint is a sum, is in reduce.ts.)

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { normAxis, sameShape, shapeStr, sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Method } from '../op.js';

/**
 * x with a new shape of as many elements (torch.reshape); one size may be −1, inferred from the
 * others. Shares x's data: no copy. Also `x.reshape(shape)`.
 *
 * @example
 * ```ts
 * const flat = images.reshape([-1, 784]);    // [N, 1, 28, 28] → [N, 784]
 * const col = arange(6).reshape([3, 2]);     // [[0, 1], [2, 3], [4, 5]]
 * ```
 * @function
 */
// y = x viewed with a new shape (same elements, same order) → dx = dy reshaped back.
// One size may be -1, inferred from the others.
export const reshape: Method<(x: Tensor, shape: readonly number[]) => Tensor> = defineOp({
  name: 'reshape',
  method: true,
  forward(x: Tensor, shape: readonly number[]) {
    checkTensor('reshape', x);
    const target = [...shape];
    const unknown = target.indexOf(-1);
    if (unknown >= 0) {
      const known = target.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
      if (target.indexOf(-1, unknown + 1) >= 0 || known === 0 || x.size % known !== 0) {
        throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
      }
      target[unknown] = x.size / known;
    }
    if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== x.size) {
      throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
    }
    if (sameShape(target, x.shape)) return x;
    return { data: x.cell, shape: target, inputs: [x], saved: x.shape };
  },
  backward: (gy, shape) => [reshape(gy, shape)],
  call: (x, a) => reshape(x[0], a.shape),
  torch: "x[0].reshape(a['shape'])",
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], args: { shape: [6, 4] } },
    { inputs: [{ shape: [2, 3, 4] }], args: { shape: [4, -1] } },
    { inputs: [{ shape: [1, 5] }], args: { shape: [5] } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { shape: [4, 2] },
      message: 'reshape: cannot reshape [2,3] (6 elements) to [4,2]',
    },
    {
      inputs: [{ shape: [2, 3] }],
      args: { shape: [-1, -1] },
      message: 'reshape: cannot reshape [2,3] (6 elements) to [-1,-1]',
    },
  ],
});

/**
 * x with its axes reordered, y.shape[i] = x.shape[perm[i]] (torch.permute); a copy in the new
 * order. Also `x.permute(perm)`.
 *
 * @example
 * ```ts
 * const nhwc = images.permute([0, 2, 3, 1]);   // [N, C, H, W] → [N, H, W, C]
 * ```
 * @function
 */
// y = x with axes reordered, y.shape[i] = x.shape[perm[i]] → dx = dy permuted by perm⁻¹.
export const permute: Method<(x: Tensor, perm: readonly number[]) => Tensor> = defineOp({
  name: 'permute',
  method: true,
  forward(x: Tensor, perm: readonly number[]) {
    checkTensor('permute', x);
    const rank = x.rank;
    const p = perm.map((a) => normAxis('permute', a, rank));
    if (p.length !== rank || new Set(p).size !== rank) {
      throw new Error(
        `permute: ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of ${shapeStr(x.shape)}`,
      );
    }
    const data = allocCell(x.dtype, x.size);
    kernels().permute(x.cell, x.shape, p, data);
    const inverse = new Array<number>(rank);
    p.forEach((a, i) => (inverse[a] = i));
    return { data, shape: p.map((a) => x.shape[a]), inputs: [x], saved: inverse };
  },
  backward: (gy, inverse) => [permute(gy, inverse)],
  call: (x, a) => permute(x[0], a.perm),
  torch: "x[0].permute(a['perm'])",
  samples: [
    { inputs: [{ shape: [2, 3, 4] }], args: { perm: [2, 0, 1] } },
    { inputs: [{ shape: [1, 3] }], args: { perm: [1, 0] } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { perm: [0, 0] },
      message: 'permute: [0,0] is not a permutation of the 2 axes of [2,3]',
    },
  ],
});

/**
 * Swaps two axes, the last two by default (torch.transpose(x, a, b); for a matrix, x.T): a permute,
 * so a copy. Also `x.transpose(a, b)`.
 *
 * @example
 * ```ts
 * const wT = w.transpose();              // [in, out] → [out, in]
 * const y = q.matmul(k.transpose());     // [..., L, E]·[..., E, S] → [..., L, S]
 * ```
 * @function
 */
export const transpose: Method<(x: Tensor, a?: number, b?: number) => Tensor> = defineOp({
  name: 'transpose',
  method: true,
  composite(x: Tensor, a = -2, b = -1) {
    checkTensor('transpose', x);
    const perm = Array.from({ length: x.rank }, (_, i) => i);
    const i = normAxis('transpose', a, x.rank);
    const j = normAxis('transpose', b, x.rank);
    [perm[i], perm[j]] = [perm[j], perm[i]];
    return permute(x, perm);
  },
  call: (x, a) => transpose(x[0], a.a, a.b),
  torch: "x[0].transpose(a['a'], a['b'])",
  samples: [
    { inputs: [{ shape: [3, 4] }], args: { a: 0, b: 1 } },
    { inputs: [{ shape: [2, 3, 4] }], args: { a: -1, b: -2 } },
  ],
  errors: [{ inputs: [{ shape: [2, 3] }], args: { a: 0, b: 2 }, message: 'transpose: axis 2' }],
});

/**
 * Merges axes startDim..endDim (default all) into one (torch.flatten): a reshape, so no copy. A
 * scalar becomes [1]. Also `x.flatten(startDim, endDim)`.
 *
 * @example
 * ```ts
 * const rows = images.flatten(1);   // [N, C, H, W] → [N, C·H·W]
 * ```
 * @function
 */
export const flatten: Method<(x: Tensor, startDim?: number, endDim?: number) => Tensor> = defineOp({
  name: 'flatten',
  method: true,
  composite(x: Tensor, startDim = 0, endDim = -1) {
    checkTensor('flatten', x);
    if (x.rank === 0) return x.reshape([1]);
    const start = normAxis('flatten', startDim, x.rank);
    const end = normAxis('flatten', endDim, x.rank);
    if (start > end)
      throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${shapeStr(x.shape)}`);
    return x.reshape([...x.shape.slice(0, start), sizeOf(x.shape.slice(start, end + 1)), ...x.shape.slice(end + 1)]);
  },
  call: (x, a) => flatten(x[0], a.startDim, a.endDim),
  torch: "torch.flatten(x[0], a.get('startDim', 0), a.get('endDim', -1))",
  samples: [
    { inputs: [{ shape: [2, 3, 4] }] },
    { inputs: [{ shape: [2, 3, 4, 5] }], args: { startDim: 1 } },
    { inputs: [{ shape: [2, 3, 4, 5] }], args: { startDim: 1, endDim: 2 } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3, 4] }],
      args: { startDim: 2, endDim: 1 },
      message: 'flatten: startDim 2 comes after endDim 1 for shape [2,3,4]',
    },
  ],
});
