// The family helper of elementwise ops on one backend kernel (ops/defs/unary.ts and any op of
// one tensor with a diagonal Jacobian): dx = dy ⊙ f'(x), all of x's shape.

import { allocCell } from '../cells.js';
import type { Tensor } from '../tensor.js';
import type { UnaryOp } from '../backend/contract.js';
import { kernels } from '../backend/index.js';
import { checkTensor } from './node.js';
import { defineOp, type Args, type ErrorCase, type Sample } from './op.js';

export interface MapSpec<P extends unknown[]> {
  name: string;
  kernel: UnaryOp;
  /** dL/dx from dL/dy, the input and the output; p, q are the kernel's parameters. */
  backward: (gy: Tensor, x: Tensor, y: Tensor, p: number, q: number) => Tensor;
  /** The kernel's parameters from the op's extra arguments (with their defaults and checks). */
  params?: (...extra: P) => [number?, number?];
  call?: (x: Tensor[], a: Args) => Tensor;
  torch: string;
  samples?: Sample[];
  errors?: ErrorCase[];
  secondOrder?: boolean;
}

/** Random normal samples: a matrix, a batch of 1, and one above the wasm hand-off. */
export const plain: Sample[] = [
  { inputs: [{ shape: [3, 4] }] },
  { inputs: [{ shape: [1, 5] }] },
  { inputs: [{ shape: [33, 40] }] },
];
export const notATensor = (name: string): ErrorCase[] => [{ inputs: [], message: `${name}: input must be a Tensor` }];

/** An elementwise op on one backend kernel; parameters (a slope, bounds) come after x. */
export function elementwise<P extends unknown[]>(spec: MapSpec<P>) {
  const { name, kernel, params } = spec;
  return defineOp({
    name,
    method: true,
    forward(x: Tensor, ...extra: P) {
      checkTensor(name, x);
      const [p = 0, q = 0] = params ? params(...extra) : [];
      const data = allocCell(x.dtype, x.size);
      kernels().unary(kernel, x.cell, data, p, q);
      return { data, shape: x.shape, inputs: [x], saved: { x, p, q } };
    },
    backward: (gy, { x, p, q }, y) => [spec.backward(gy, x, y, p, q)],
    call: spec.call,
    torch: spec.torch,
    samples: spec.samples ?? plain,
    errors: spec.errors ?? notATensor(name),
    secondOrder: spec.secondOrder,
  });
}
