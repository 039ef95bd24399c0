// Matrix product, 2-D or batched (leading axes broadcast), with transposes as flags so the
// backward products run on the same kernel without copying a transpose.
//
// The seeds' Linear layer: y = xW, x:[N,in] W:[in,out] y:[N,out]
//   dx = dy·Wᵀ  [N,out]·[out,in] → [N,in]
//   dW = xᵀ·dy  [in,N]·[N,out]  → [in,out]
// In general, for y = op(A)·op(B) with op(X) = X or Xᵀ:
//   dA = dy·op(B)ᵀ, stored transposed when A is: (dy·op(B)ᵀ)ᵀ = op(B)·dyᵀ
//   dB = op(A)ᵀ·dy, stored transposed when B is: (op(A)ᵀ·dy)ᵀ = dyᵀ·op(A)

import { allocCell, cacheVersion } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { broadcastShapes, shapeStr, sizeOf, stridesOf } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Sample, type Fn, type Method } from '../op.js';
import { sumTo } from './reduce.js';

/**
 * op(a)·op(b), where op transposes the last two axes when its flag is set, without copying the
 * transpose: torch.matmul(a.mT if transA else a, b.mT if transB else b). matmul's backward runs
 * on it; shapes and broadcasting as matmul.
 * @function
 */
export const matmulT: Fn<(a: Tensor, b: Tensor, transA: boolean, transB: boolean) => Tensor> = defineOp({
  name: 'matmulT',
  method: false,
  forward(a: Tensor, b: Tensor, transA: boolean, transB: boolean) {
    checkTensor('matmul', a, 'first input');
    checkTensor('matmul', b, 'second input');
    if (a.rank < 2 || b.rank < 2) {
      throw new Error(
        `matmul: ${shapeStr(a.shape)} @ ${shapeStr(b.shape)}: both inputs need at least 2 axes (reshape a vector to [1,n] or [n,1])`,
      );
    }
    checkSameDtype('matmul', a, b);
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const [m, k] = transA ? [ac, ar] : [ar, ac];
    const [k2, n] = transB ? [bc, br] : [br, bc];
    if (k !== k2) {
      const show = (s: readonly number[], t: boolean) => shapeStr(s) + (t ? 'ᵀ' : '');
      throw new Error(
        `matmul: ${show(a.shape, transA)} @ ${show(b.shape, transB)}: inner dimensions ${k} and ${k2} differ`,
      );
    }
    // A batch of rows times one matrix (a Linear on [N, T, E], attention's projections, a GPT's
    // head) is one product over the folded rows: [N·T, E]·[E, F]. Its weight gradient is then one
    // product too, aᵀ·dy with the N·T rows as the inner dimension, instead of N products summed.
    if (b.rank === 2 && a.rank > 2 && !transA)
      return matmulT(a.reshape([-1, ac]), b, false, transB).reshape([...a.shape.slice(0, -1), n]);
    const batch = broadcastShapes('matmul (batch axes)', a.shape.slice(0, -2), b.shape.slice(0, -2));
    const count = sizeOf(batch);
    const data = allocCell(a.dtype, count * m * n);
    const aOffsets = batchOffsets(a.shape.slice(0, -2), batch, ar * ac);
    const bOffsets = batchOffsets(b.shape.slice(0, -2), batch, br * bc);
    const be = kernels();
    // Parameters (leaves that require grad) are the operands worth caching work for: weights
    // used again and again while unchanged (inference, several forwards between updates).
    const bVersion = b.requiresGrad && !b.gradFn ? cacheVersion(b.cell) : undefined;
    for (let i = 0; i < count; i++) {
      be.matmul(a.cell, b.cell, data, {
        m,
        k,
        n,
        transA,
        transB,
        aOffset: aOffsets[i],
        bOffset: bOffsets[i],
        outOffset: i * m * n,
        bVersion,
      });
    }
    return { data, shape: [...batch, m, n], inputs: [a, b], saved: { a, b, transA, transB }, op: 'matmul' };
  },
  backward: (gy, { a, b, transA, transB }, _y, needs) => [
    needs[0] ? sumTo(transA ? matmulT(b, gy, transB, true) : matmulT(gy, b, false, !transB), a.shape) : null,
    needs[1] ? sumTo(transB ? matmulT(gy, a, true, transA) : matmulT(a, gy, !transA, false), b.shape) : null,
  ],
  call: (x, a) => matmulT(x[0], x[1], a.transA, a.transB),
  torch:
    "torch.matmul(x[0].transpose(-1, -2) if a['transA'] else x[0], x[1].transpose(-1, -2) if a['transB'] else x[1])",
  samples: [false, true].flatMap((transA) =>
    [false, true].flatMap((transB): Sample[] => {
      const a = transA ? [4, 3] : [3, 4];
      const b = transB ? [5, 4] : [4, 5];
      const bigA = transA ? [24, 18] : [18, 24];
      const bigB = transB ? [20, 24] : [24, 20];
      return [
        { inputs: [{ shape: a }, { shape: b }], args: { transA, transB } },
        { inputs: [{ shape: [2, ...a] }, { shape: b }], args: { transA, transB } },
        { inputs: [{ shape: bigA }, { shape: bigB }], args: { transA, transB } },
      ];
    }),
  ),
  errors: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [3, 4] }],
      args: { transA: true, transB: true },
      message: 'matmul: [3,4]ᵀ @ [3,4]ᵀ: inner dimensions 3 and 4 differ',
    },
  ],
  secondOrder: true,
});

/**
 * The matrix product (torch.matmul): a [..., m, k] · b [..., k, n] → [..., m, n], the leading
 * (batch) axes broadcast. Both need at least 2 axes: unlike torch.matmul, a vector must be
 * reshaped to [1, n] or [n, 1]. Gradients: da = dy·bᵀ, db = aᵀ·dy (summed over broadcast batch
 * axes). Also `a.matmul(b)`.
 *
 * @example
 * ```ts
 * const y = x.matmul(w);                                   // [N, in]·[in, out] → [N, out]
 * const scores = matmul(q, k.transpose()).mul(0.125);      // batched: [B, H, T, T]
 * ```
 * @function
 */
export const matmul: Method<(a: Tensor, b: Tensor) => Tensor> = defineOp({
  name: 'matmul',
  method: true,
  composite: (a: Tensor, b: Tensor) => matmulT(a, b, false, false),
  torch: 'torch.matmul(x[0], x[1])',
  samples: [
    { inputs: [{ shape: [3, 4] }, { shape: [4, 5] }] },
    { inputs: [{ shape: [1, 4] }, { shape: [4, 1] }] },
    { inputs: [{ shape: [1, 1] }, { shape: [1, 7] }] },
    { inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] },
    { inputs: [{ shape: [3, 4] }, { shape: [2, 4, 5] }] },
    { inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }] },
    { inputs: [{ shape: [9, 13] }, { shape: [13, 6] }] },
    { inputs: [{ shape: [20, 24] }, { shape: [24, 18] }] },
  ],
  errors: [
    {
      inputs: [{ shape: [3, 4] }, { shape: [5, 6] }],
      message: 'matmul: [3,4] @ [5,6]: inner dimensions 4 and 5 differ',
    },
    { inputs: [{ shape: [4] }, { shape: [4, 2] }], message: 'matmul: [4] @ [4,2]: both inputs need at least 2 axes' },
    {
      inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4, 5] }],
      message: 'matmul (batch axes): shapes [2] and [3] cannot be broadcast',
    },
  ],
});
/** Offset of each batch matrix of a tensor with batch shape `own` inside the broadcast `batch`. */
function batchOffsets(own: readonly number[], batch: readonly number[], matrix: number): number[] {
  const count = sizeOf(batch);
  if (own.length === 0) return new Array<number>(count).fill(0);
  const strides = stridesOf(own);
  const lead = batch.length - own.length;
  const bs = stridesOf(batch);
  const offsets = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    let off = 0;
    for (let d = 0; d < own.length; d++) {
      const idx = Math.floor(i / bs[lead + d]) % batch[lead + d];
      if (own[d] !== 1) off += idx * strides[d];
    }
    offsets[i] = off * matrix;
  }
  return offsets;
}
