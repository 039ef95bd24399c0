// Elementwise binary cross-entropy, an op of its own because PyTorch's backward is not the
// derivative of the clamped composite: at p ∈ {0, 1} the composite's gradient is 0/0.
//
// ℓ = −(y·max(ln p, −100) + (1−y)·max(ln(1−p), −100)), p, y, ℓ all of one shape
// dℓ/dp = (p − y) / max(p(1−p), 10⁻¹²)   (PyTorch's rule, finite everywhere)
// dℓ/dy = ln(1−p) − ln p

import type { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd/mode.js';
import { shapeStr, sameShape } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

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
    needs[0] ? gy.mul(p.sub(y)).div(p.mul(p.neg().add(1)).clamp(1e-12, Infinity)) : null,
    needs[1] ? gy.mul(p.neg().add(1).log().sub(p.log())) : null,
  ],
  torch: "F.binary_cross_entropy(x[0], x[1], reduction='none')",
  samples: [
    { inputs: [{ shape: [3, 4], unit: true }, { shape: [3, 4], unit: true }] },
    { inputs: [{ shape: [1, 5], unit: true }, { shape: [1, 5], values: [0, 1, 1, 0, 0.5] }] },
  ],
  errors: [
    { inputs: [{ shape: [3], unit: true }, { shape: [4], unit: true }], message: 'binaryCrossEntropy: probabilities [3] and target [4] differ in shape' },
  ],
});
