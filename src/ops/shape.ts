// Ops that move elements without computing: reshape, permute/transpose, broadcastTo, and sumTo,
// broadcastTo's adjoint. Each backward moves the gradient back the same way.

import { allocData, type Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { broadcastShapes, normAxis, sameShape, shapeStr, sizeOf } from '../shape.js';
import { checkTensor, output } from './node.js';
import { sum } from './reduce.js';

// y = x viewed with a new shape (same elements, same order) → dx = dy reshaped back.
// One size may be -1, inferred from the others.
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
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
  return output('reshape', x.data, target, x.dtype, [x], (gy) => [reshape(gy, x.shape)]);
}

// y = x with axes reordered, y.shape[i] = x.shape[perm[i]] → dx = dy permuted by perm⁻¹.
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  const rank = x.rank;
  const p = perm.map((a) => normAxis('permute', a, rank));
  if (p.length !== rank || new Set(p).size !== rank) {
    throw new Error(`permute: ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of ${shapeStr(x.shape)}`);
  }
  const shape = p.map((a) => x.shape[a]);
  const out = allocData(x.dtype, x.size);
  backend().permute(x.data, x.shape, p, out);
  const inverse = new Array<number>(rank);
  p.forEach((a, i) => (inverse[a] = i));
  return output('permute', out, shape, x.dtype, [x], (gy) => [permute(gy, inverse)]);
}

/** Swaps two axes (the last two by default). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  checkTensor('transpose', x);
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  const i = normAxis('transpose', a, x.rank);
  const j = normAxis('transpose', b, x.rank);
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

// y = x repeated along broadcast axes → dx = sumTo(dy, x.shape).
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  const full = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(full, shape)) throw new Error(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  const out = allocData(x.dtype, sizeOf(shape));
  const zero = allocData(x.dtype, 1);
  backend().binary('add', x.data, x.shape, zero, [], out, shape);
  return output('broadcastTo', out, [...shape], x.dtype, [x], (gy) => [sumTo(gy, x.shape)]);
}

/** Sums g over the axes along which `shape` was broadcast to g's shape; the adjoint of broadcastTo. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes), shape);
}
