// pick: one entry per row chosen by an integer label, what the classification losses need
// (the label's log-probability). unpick scatters back; each is the other's adjoint.
//
// y[r] = x[r, label_r], x:[..., C] y:[...] → dx = unpick(dy): dy[r] at (r, label_r), 0 elsewhere.

import { allocData, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { sizeOf } from '../shape.js';
import { checkTensor, output } from './node.js';

export type Labels = Tensor | ArrayLike<number>;

/** Integer labels as an Int32Array, checked against the number of classes. */
export function toLabels(op: string, labels: Labels, count: number, classes: number): Int32Array {
  const values: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new Error(`${op}: labels must be a Tensor, an array or an Int32Array`);
  }
  if (values.length !== count) throw new Error(`${op}: got ${values.length} labels for ${count} rows`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`${op}: label ${v} at index ${i} is not a class index in [0, ${classes - 1}]`);
    }
    out[i] = v;
  }
  return out;
}

export function pick(x: Tensor, labels: Labels): Tensor {
  checkTensor('pick', x);
  if (x.rank < 1) throw new Error('pick: input must have at least one axis (the classes)');
  const classes = x.shape[x.rank - 1];
  const shape = x.shape.slice(0, -1);
  const rows = sizeOf(shape);
  const idx = toLabels('pick', labels, rows, classes);
  const out = allocData(x.dtype, rows);
  backend().pick(x.data, idx, rows, classes, out);
  return output('pick', out, shape, x.dtype, [x], (gy) => [unpick(gy, idx, classes)]);
}

// y = zeros[..., C] with y[r, label_r] = g[r] → dg = pick(dy, labels).
export function unpick(g: Tensor, labels: Labels, classes: number): Tensor {
  checkTensor('unpick', g);
  if (!Number.isInteger(classes) || classes <= 0) throw new Error(`unpick: classes must be a positive integer, got ${classes}`);
  const rows = g.size;
  const idx = toLabels('unpick', labels, rows, classes);
  const out = allocData(g.dtype, rows * classes);
  backend().unpick(g.data, idx, rows, classes, out);
  return output('unpick', out, [...g.shape, classes], g.dtype, [g], (gy) => [pick(gy, idx)]);
}
