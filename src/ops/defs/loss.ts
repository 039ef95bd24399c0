// Elementwise binary cross-entropy, an op of its own because PyTorch's backward is not the
// derivative of the clamped composite: at p ∈ {0, 1} the composite's gradient is 0/0.
//
// ℓ = −(y·max(ln p, −100) + (1−y)·max(ln(1−p), −100)), p, y, ℓ all of one shape
// dℓ/dp = (p − y) / max(p(1−p), ε), ε = 10⁻¹² rounded to float32 as PyTorch stores it
//        (PyTorch's rule, finite everywhere: −1/ε = −1.0000000004·10¹² at p = 0, y = 1)
// dℓ/dy = ln(1−p) − ln p

import type { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd/mode.js';
import { shapeStr, sameShape } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

/** PyTorch's EPSILON of binary_cross_entropy_backward, a float32 constant. */
const EPSILON = Math.fround(1e-12);

export const binaryCrossEntropy: Fn<(p: Tensor, y: Tensor) => Tensor> = defineOp({
  name: 'binaryCrossEntropy',
  method: false,
  forward(p: Tensor, y: Tensor) {
    checkTensor('binaryCrossEntropy', p, 'probabilities');
    checkTensor('binaryCrossEntropy', y, 'target');
    checkSameDtype('binaryCrossEntropy', p, y);
    if (!sameShape(p.shape, y.shape)) {
      throw new Error(`binaryCrossEntropy: probabilities ${shapeStr(p.shape)} and target ${shapeStr(y.shape)} differ in shape`);
    }
    const value = noGrad(() => {
      const logP = p.log().clamp(-100, Infinity);
      const log1mP = p.neg().add(1).log().clamp(-100, Infinity);
      return y.mul(logP).add(y.neg().add(1).mul(log1mP)).neg();
    });
    return { data: value.data, shape: p.shape, inputs: [p, y], saved: { p, y } };
  },
  backward: (gy, { p, y }, _out, needs) => [
    needs[0] ? gy.mul(p.sub(y)).div(p.mul(p.neg().add(1)).clamp(EPSILON, Infinity)) : null,
    needs[1] ? gy.mul(p.neg().add(1).log().sub(p.log())) : null,
  ],
  torch: "F.binary_cross_entropy(x[0], x[1], reduction='none')",
  samples: [
    { inputs: [{ shape: [3, 4], unit: true }, { shape: [3, 4], unit: true }] },
    { inputs: [{ shape: [1, 5], unit: true }, { shape: [1, 5], values: [0, 1, 1, 0, 0.5] }] },
    // At p ∈ {0, 1}, where the log is clamped: PyTorch's finite gradient, not NaN (the target's
    // gradient, ln(1−p) − ln p, is infinite there: the target is a constant).
    { inputs: [{ shape: [4], values: [0, 1, 0.5, 0.3] }, { shape: [4], values: [1, 1, 0, 0.6], constant: true }], gradcheck: false },
  ],
  errors: [
    { inputs: [{ shape: [3], unit: true }, { shape: [4], unit: true }], message: 'binaryCrossEntropy: probabilities [3] and target [4] differ in shape' },
  ],
});
