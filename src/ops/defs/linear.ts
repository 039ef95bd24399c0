// linear: what every nn.Linear runs, y = act(x·W + b) in one backend call, the bias and ReLU
// applied in the matrix product's epilogue. Its values and gradients are, bit for bit, those of
// the ops it stands for, matmul → add → relu:
//   x:[N,in] W:[in,out] b:[out] y:[N,out];  g = dy ⊙ 1[y > 0] with relu (1[y>0] = 1[xW+b > 0]),
//   else dy;  dx = g·Wᵀ [N,in],  dW = xᵀ·g [in,out],  db = Σ_N g [out].

import { allocCell, cacheVersion } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor, constantMap } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { matmulT } from './matmul.js';
import { sumTo } from './reduce.js';

/**
 * act(x·w + b), what nn.Linear runs: one matrix product with the bias and, when `relu`, the ReLU
 * applied in its epilogue, whose values and gradients are those of matmul → add → relu. x [N, in],
 * w [in, out] (Keras' layout; torch.nn.functional.linear takes it transposed, [out, in]), b [out]
 * or null → [N, out]. For inputs of other ranks use matmul and add.
 *
 * @example
 * ```ts
 * const h = linear(x, w, b, true);   // relu(x·w + b): [N, in]·[in, out] + [out] → [N, out]
 * ```
 * @function
 */
export const linear: Fn<(x: Tensor, w: Tensor, b?: Tensor | null, relu?: boolean) => Tensor> = defineOp({
  name: 'linear',
  method: false,
  forward(x: Tensor, w: Tensor, b: Tensor | null = null, relu = false) {
    checkTensor('linear', x, 'input');
    checkTensor('linear', w, 'weight');
    if (b !== null) checkTensor('linear', b, 'bias');
    const n = w.shape[1];
    if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0] || (b && (b.rank !== 1 || b.shape[0] !== n))) {
      const bias = b ? ` + ${shapeStr(b.shape)}` : '';
      throw new Error(
        `linear: ${shapeStr(x.shape)} @ ${shapeStr(w.shape)}${bias}: expected x [N,in], weight [in,out] and bias [out]`,
      );
    }
    checkSameDtype('linear', x, w);
    if (b) checkSameDtype('linear', x, b);
    const m = x.shape[0];
    const k = x.shape[1];
    const data = allocCell(x.dtype, m * n);
    const bVersion = w.requiresGrad && !w.gradFn ? cacheVersion(w.cell) : undefined;
    kernels().matmul(x.cell, w.cell, data, {
      m,
      k,
      n,
      transA: false,
      transB: false,
      aOffset: 0,
      bOffset: 0,
      outOffset: 0,
      bVersion,
      bias: b?.cell,
      relu,
    });
    return {
      data,
      shape: [m, n],
      inputs: b ? [x, w, b] : [x, w],
      saved: { x, w, b, relu },
      op: relu ? 'linear+relu' : 'linear',
    };
  },
  backward(gy, { x, w, b, relu }, y, needs) {
    const g = relu ? gy.mul(constantMap(y, 'step')) : gy;
    return [
      needs[0] ? matmulT(g, w, false, true) : null,
      needs[1] ? matmulT(x, g, true, false) : null,
      b && needs[2] ? sumTo(g, b.shape) : null,
    ];
  },
  call: (x, a) => linear(x[0], x[1], x[2] ?? null, a.relu ?? false),
  torch: "(F.relu if a.get('relu') else (lambda t: t))(x[0] @ x[1] + (x[2] if len(x) > 2 else 0))",
  samples: [
    { inputs: [{ shape: [6, 4] }, { shape: [4, 3] }, { shape: [3] }] },
    { inputs: [{ shape: [6, 4] }, { shape: [4, 3] }, { shape: [3] }], args: { relu: true } },
    { inputs: [{ shape: [1, 5] }, { shape: [5, 2] }] },
    { inputs: [{ shape: [20, 24] }, { shape: [24, 18] }, { shape: [18] }], args: { relu: true } },
  ],
  errors: [
    {
      inputs: [{ shape: [6, 4] }, { shape: [5, 3] }],
      message: 'linear: [6,4] @ [5,3]: expected x [N,in], weight [in,out] and bias [out]',
    },
    {
      inputs: [{ shape: [6, 4] }, { shape: [4, 3] }, { shape: [2] }],
      message: 'linear: [6,4] @ [4,3] + [2]: expected',
    },
  ],
});
