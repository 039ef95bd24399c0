// The fused Linear forward: y = act(x·W + b) in one backend call, the bias and ReLU applied in
// the matrix product's epilogue. Internal to nn.Linear (not in the op registry): its values and
// gradients are, bit for bit, those of the ops it stands for, matmul → add → relu:
//   x:[N,in] W:[in,out] b:[out] y:[N,out];  g = dy ⊙ 1[y > 0] with relu (1[y>0] = 1[xW+b > 0]),
//   else dy;  dx = g·Wᵀ,  dW = xᵀ·g,  db = Σ_N g, each computed by the same op calls as there.

import { allocData, dataVersion, type Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { constantMap, output } from './node.js';
import { matmulT } from './matmul.js';
import { sumTo } from './shape.js';

/** act(x·w + b) for a 2-D x and 2-D w of the same dtype, shapes already checked by the caller. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null, relu: boolean): Tensor {
  const [m, k] = x.shape;
  const n = w.shape[1];
  const out = allocData(x.dtype, m * n);
  const bVersion = w.requiresGrad && !w.gradFn ? dataVersion(w.data) : undefined;
  backend().matmul(x.data, w.data, out, {
    m, k, n, transA: false, transB: false, aOffset: 0, bOffset: 0, outOffset: 0, bVersion, bias: b?.data, relu,
  });
  const inputs = b ? [x, w, b] : [x, w];
  const y: Tensor = output(relu ? 'linear+relu' : 'linear', out, [m, n], x.dtype, inputs, (gy, needs) => {
    const g = relu ? gy.mul(constantMap(y, 'step')) : gy;
    return [
      needs[0] ? matmulT(g, w, false, true) : null,
      needs[1] ? matmulT(x, g, true, false) : null,
      b && needs[2] ? sumTo(g, b.shape) : null,
    ];
  });
  return y;
}
