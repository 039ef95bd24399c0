// Reductions along axes (all axes by default), with keepdim as in PyTorch.

import { allocData, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { normAxes, reducedShape, sizeOf } from '../shape.js';
import { checkTensor, output } from './node.js';
import { broadcastTo, reshape } from './shape.js';

type Axes = number | readonly number[] | undefined;

function reduceData(op: 'sum' | 'max', x: Tensor, axes: number[], keepdim: boolean): [Tensor['data'], number[]] {
  const shape = reducedShape(x.shape, axes, keepdim);
  const out = allocData(x.dtype, sizeOf(shape));
  backend().reduce(op, x.data, x.shape, axes, out);
  return [out, shape];
}

// y = Σ_axes x → dx = dy broadcast back over the summed axes (every x fed y once).
export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  checkTensor('sum', x);
  const ax = normAxes('sum', axes, x.rank);
  if (ax.length === 0) return x;
  const [out, shape] = reduceData('sum', x, ax, keepdim);
  const kept = reducedShape(x.shape, ax, true);
  return output('sum', out, shape, x.dtype, [x], (gy) => [broadcastTo(reshape(gy, kept), x.shape)]);
}

// y = (1/n) Σ_axes x, n the number of elements summed → dx = dy / n broadcast back.
export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  checkTensor('mean', x);
  const ax = normAxes('mean', axes, x.rank);
  const n = ax.reduce((p, a) => p * x.shape[a], 1);
  if (n === 0) throw new Error(`mean: cannot average over an empty axis of shape [${x.shape.join(',')}]`);
  return sum(x, ax, keepdim).mul(1 / n);
}

// y = max_axes x → dx = dy at the positions that hold the maximum; ties share it equally
// (PyTorch's amax rule), so dx = dy ⊙ 1[x = y] / count.
export function max(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  checkTensor('max', x);
  const ax = normAxes('max', axes, x.rank);
  if (ax.some((a) => x.shape[a] === 0)) throw new Error(`max: cannot take the maximum over an empty axis of shape [${x.shape.join(',')}]`);
  if (ax.length === 0) return x;
  const [out, shape] = reduceData('max', x, ax, keepdim);
  const kept = reducedShape(x.shape, ax, true);
  const y: Tensor = output('max', out, shape, x.dtype, [x], (gy) => {
    const yb = new Tensor(y.data, kept, x.dtype);
    const maskData = allocData(x.dtype, x.size);
    backend().binary('eq', x.data, x.shape, yb.data, kept, maskData, x.shape);
    const mask = new Tensor(maskData, x.shape, x.dtype);
    const count = new Tensor(reduceData('sum', mask, ax, true)[0], kept, x.dtype);
    return [broadcastTo(reshape(gy, kept), x.shape).mul(mask.div(count))];
  });
  return y;
}
