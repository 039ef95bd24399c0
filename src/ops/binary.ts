// Elementwise ops of two tensors with NumPy broadcasting. Where an input was broadcast, the
// same element fed many outputs, so its gradient sums over those outputs (sumTo): this is the
// seeds' "bias gradient sums over the batch", dL/db = Σ_N dL/dy, in general form.

import { allocData, type Tensor } from '../tensor.js';
import type { BinaryOp } from '../backend/contract.js';
import { backend } from '../backend/index.js';
import { broadcastShapes } from '../shape.js';
import { asTensor, checkSameDtype, checkTensor, output } from './node.js';
import { sumTo } from './shape.js';

function zip(
  name: string,
  kernel: BinaryOp,
  a: Tensor | number,
  b: Tensor | number,
  backward: (gy: Tensor, a: Tensor, b: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  if (typeof a === 'number') {
    checkTensor(name, b, 'second input');
    a = asTensor(name, a, b);
  }
  checkTensor(name, a, 'first input');
  const bt = asTensor(name, b, a);
  checkSameDtype(name, a, bt);
  const at = a;
  const shape = broadcastShapes(name, at.shape, bt.shape);
  const out = allocData(at.dtype, shape.reduce((p, d) => p * d, 1));
  backend().binary(kernel, at.data, at.shape, bt.data, bt.shape, out, shape);
  return output(name, out, shape, at.dtype, [at, bt], (gy, needs) => {
    const [ga, gb] = backward(gy, at, bt);
    return [needs[0] && ga ? sumTo(ga, at.shape) : null, needs[1] && gb ? sumTo(gb, bt.shape) : null];
  });
}

// y = a + b → da = dy, db = dy (each summed to its input's shape)
export const add = (a: Tensor | number, b: Tensor | number) => zip('add', 'add', a, b, (gy) => [gy, gy]);
// y = a − b → da = dy, db = −dy
export const sub = (a: Tensor | number, b: Tensor | number) => zip('sub', 'sub', a, b, (gy) => [gy, gy.neg()]);
// y = a ⊙ b → da = dy ⊙ b, db = dy ⊙ a
export const mul = (a: Tensor | number, b: Tensor | number) =>
  zip('mul', 'mul', a, b, (gy, x, w) => [gy.mul(w), gy.mul(x)]);
// y = a / b → da = dy / b, db = −dy ⊙ a / b²
export const div = (a: Tensor | number, b: Tensor | number) =>
  zip('div', 'div', a, b, (gy, x, w) => [gy.div(w), gy.mul(x).div(w.mul(w)).neg()]);
