// Elementwise ops of two tensors with NumPy broadcasting. Where an input was broadcast, the
// same element fed many outputs, so its gradient sums over those outputs (sumTo): this is the
// seeds' "bias gradient sums over the batch", dL/db = Σ_N dL/dy, in general form.
// a, b: any shapes that broadcast to y's; a number stands for a 0-d tensor of the other's dtype.

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import type { BinaryOp } from '../../backend/contract.js';
import { kernels } from '../../backend/index.js';
import { broadcastShapes, sizeOf } from '../../shape.js';
import { asTensor, checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Args, type ErrorCase, type Sample, type Method } from '../op.js';
import { sumTo } from './reduce.js';

type Operand = Tensor | number;
type Rule = (gy: Tensor, a: Tensor, b: Tensor) => [Tensor, Tensor];

/** Samples of every binary op: both operands full, bias-style, both broadcast, batch of 1, 0-d, a number, and one above the wasm hand-off. */
function samples(positiveB: boolean): Sample[] {
  const b = (...shape: number[]) => ({ shape, positive: positiveB });
  return [
    { inputs: [{ shape: [3, 4] }, b(3, 4)] },
    { inputs: [{ shape: [2, 3, 4] }, b(4)] },
    { inputs: [{ shape: [3, 1] }, b(1, 4)] },
    { inputs: [{ shape: [1, 4] }, b(5, 1, 4)] },
    { inputs: [{ shape: [] }, b(2, 3)] },
    { inputs: [{ shape: [2, 3] }], args: { scalar: 2.5 } },
    { inputs: [{ shape: [40, 36] }, b(36)] },
  ];
}

const errors = (name: string): ErrorCase[] => [
  { inputs: [{ shape: [2, 3] }, { shape: [4] }], message: `${name}: shapes [2,3] and [4] cannot be broadcast` },
];

function binary(
  name: string,
  kernel: BinaryOp,
  python: string,
  rule: Rule,
  positiveB = false,
  secondOrder = false,
): Method<(a: Operand, b: Operand) => Tensor> {
  const op: Method<(a: Operand, b: Operand) => Tensor> = defineOp({
    name,
    method: true,
    forward(a: Operand, b: Operand) {
      if (typeof a === 'number') {
        checkTensor(name, b, 'second input');
        a = asTensor(name, a, b);
      }
      checkTensor(name, a, 'first input');
      const bt = asTensor(name, b, a);
      checkSameDtype(name, a, bt);
      const shape = broadcastShapes(name, a.shape, bt.shape);
      const data = allocCell(a.dtype, sizeOf(shape));
      kernels().binary(kernel, a.cell, a.shape, bt.cell, bt.shape, data, shape);
      return { data, shape, inputs: [a, bt], saved: [a, bt] as const };
    },
    backward(gy, [a, b], _y, needs) {
      const [ga, gb] = rule(gy, a, b);
      return [needs[0] ? sumTo(ga, a.shape) : null, needs[1] ? sumTo(gb, b.shape) : null];
    },
    call: (x: Tensor[], a: Args) => op(x[0], 'scalar' in a ? (a.scalar as number) : x[1]),
    torch: `x[0] ${python} (a['scalar'] if 'scalar' in a else x[1])`,
    samples: samples(positiveB),
    errors: errors(name),
    secondOrder,
  });
  return op;
}

/**
 * a + b, elementwise with NumPy broadcasting (torch.add). Either operand may be a number (a 0-d
 * tensor of the other's dtype); two tensors must have one dtype. Where an input was broadcast, its
 * gradient is summed back to its shape. Also `a.add(b)`.
 *
 * @example
 * ```ts
 * const y = x.add(1);                           // [N, C] + a number
 * const z = add(x, tensor([0.1, 0.2, 0.3]));    // [N, 3] + [3] → [N, 3], the bias broadcast over N
 * ```
 * @function
 */
// y = a + b → da = dy, db = dy (each summed to its input's shape)
export const add: Method<(a: Tensor | number, b: Tensor | number) => Tensor> = binary('add', 'add', '+', (gy) => [
  gy,
  gy,
]);
/** a − b, elementwise with NumPy broadcasting (torch.sub); numbers as in add. Also `a.sub(b)`. @function */
// y = a − b → da = dy, db = −dy
export const sub: Method<(a: Tensor | number, b: Tensor | number) => Tensor> = binary('sub', 'sub', '-', (gy) => [
  gy,
  gy.neg(),
]);
/**
 * a ⊙ b, the elementwise (Hadamard) product with NumPy broadcasting (torch.mul); numbers as in add.
 * Also `a.mul(b)`.
 *
 * @example
 * ```ts
 * const half = x.mul(0.5);                         // any shape
 * const masked = mul(x, tensor([[1], [0]]));       // [2, C] ⊙ [2, 1]: row 1 zeroed
 * ```
 * @function
 */
// y = a ⊙ b → da = dy ⊙ b, db = dy ⊙ a
export const mul: Method<(a: Tensor | number, b: Tensor | number) => Tensor> = binary(
  'mul',
  'mul',
  '*',
  (gy, a, b) => [gy.mul(b), gy.mul(a)],
  false,
  true,
);
/**
 * a / b, elementwise with NumPy broadcasting (torch.div, true division); numbers as in add.
 * Also `a.div(b)`.
 * @function
 */
// y = a / b → da = dy / b, db = −dy ⊙ a / b²
export const div: Method<(a: Tensor | number, b: Tensor | number) => Tensor> = binary(
  'div',
  'div',
  '/',
  (gy, a, b) => [gy.div(b), gy.mul(a).div(b.mul(b)).neg()],
  true,
  true,
);
