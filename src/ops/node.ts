// What every op shares: making its output (and the graph node when gradients are on),
// turning number operands into tensors, and constant masks for backward rules.

import { allocCell, allocData, Cell } from '../cells.js';
import { Tensor, type GradFn } from '../tensor.js';
import type { DType, UnaryOp } from '../backend/contract.js';
import { kernels } from '../backend/index.js';
import { gradState } from '../autograd/mode.js';
// Loaded for its Tensor.prototype.backward: every tensor an op makes can be backpropagated from.
import '../autograd/engine.js';
import { shapeStr } from '../shape.js';

export function output(
  op: string,
  data: Tensor['data'] | Cell,
  shape: readonly number[],
  dtype: DType,
  inputs: readonly Tensor[],
  backward: GradFn['backward'],
): Tensor {
  const t = data instanceof Cell ? new Tensor(data, shape) : new Tensor(data, shape, dtype);
  if (gradState.enabled) {
    for (const x of inputs) {
      if (x.requiresGrad) {
        t.requiresGrad = true;
        t.gradFn = { op, inputs, versions: inputs.map((x) => x.cell.version), backward };
        break;
      }
    }
  }
  return t;
}

export function asTensor(op: string, x: Tensor | number, like: Tensor): Tensor {
  if (typeof x === 'number') {
    const d = allocData(like.dtype, 1);
    d[0] = x;
    return new Tensor(d, [], like.dtype);
  }
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor or a number, got ${typeof x}`);
  return x;
}

export function checkTensor(op: string, x: unknown, name = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

export function checkSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new Error(
      `${op}: dtype mismatch: ${a.dtype} ${shapeStr(a.shape)} and ${b.dtype} ${shapeStr(b.shape)}; convert one first`,
    );
  }
}

/** A backend elementwise map as a graph-free tensor: masks and derivatives that are constants. */
export function constantMap(x: Tensor, op: UnaryOp, p?: number, q?: number): Tensor {
  const out = allocCell(x.dtype, x.size);
  kernels().unary(op, x.cell, out, p, q);
  return new Tensor(out, x.shape);
}
