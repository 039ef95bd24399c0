// log-softmax as one fused, numerically stable row primitive; softmax composed from it.
//
// y = x − log Σ_j e^{x_j} along the axis → dx = dy − softmax(x) ⊙ Σ_axis dy
// (the Jacobian is I − 1·softmax(x)ᵀ per row; softmax(x) = e^y).

import { allocData, type Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { normAxis } from '../shape.js';
import { checkTensor, output } from './node.js';
import { permute } from './shape.js';

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', x);
  const ax = normAxis('logSoftmax', axis, x.rank);
  if (x.rank === 0) return x.sub(x); // log-softmax of a single value is 0
  if (ax !== x.rank - 1) {
    const perm = Array.from({ length: x.rank }, (_, i) => i);
    [perm[ax], perm[x.rank - 1]] = [perm[x.rank - 1], perm[ax]];
    return permute(logSoftmax(permute(x, perm), -1), perm);
  }
  const cols = x.shape[x.rank - 1];
  const out = allocData(x.dtype, x.size);
  backend().logSoftmax(x.data, out, cols === 0 ? 0 : x.size / cols, cols);
  const y: Tensor = output('logSoftmax', out, x.shape, x.dtype, [x], (gy) => [
    gy.sub(y.exp().mul(gy.sum(-1, true))),
  ]);
  return y;
}

// softmax(x) = e^{logSoftmax(x)}; its gradient follows from the two ops it is made of:
// dx = y ⊙ (dy − Σ_axis dy ⊙ y).
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', x);
  return logSoftmax(x, axis).exp();
}
