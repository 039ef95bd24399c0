// Integer class labels, as the ops that pick by label (ops/defs/pick.ts) and the losses take them.

import { Tensor } from '../tensor.js';

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
