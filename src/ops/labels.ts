// Integer class labels, as the ops that pick by label (ops/defs/pick.ts) and the losses take them.

import { Tensor, tensor, type NestedArray } from '../tensor.js';

/** Integer class labels, one per row: a Tensor of integer values, an array or an Int32Array, each in [0, C). */
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

function outOfRange(op: string, v: number, i: number, what: string, bound: number): Error {
  return new Error(
    `${op}: index ${v} at position ${i} is out of range for ${what} ${bound} (valid: 0 to ${bound - 1})`,
  );
}

/** Integer indices of any shape: a Tensor of integer values, nested arrays, or an Int32Array (1-D). */
export type Indices = Tensor | NestedArray | Int32Array;

/** Indices as an Int32Array with their shape, each checked to lie in [0, bound); `what` names the bound in errors. */
export function toIndices(
  op: string,
  indices: Indices,
  bound: number,
  what: string,
): { idx: Int32Array; shape: number[] } {
  let values: ArrayLike<number>;
  let shape: number[];
  if (indices instanceof Tensor) {
    values = indices.data;
    shape = [...indices.shape];
  } else if (indices instanceof Int32Array) {
    // Whole numbers already: a copy (the op keeps it for backward) and a range check.
    const idx = indices.slice();
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= bound) throw outOfRange(op, idx[i], i, what, bound);
    }
    return { idx, shape: [idx.length] };
  } else if (typeof indices === 'number' || Array.isArray(indices)) {
    const t = tensor(indices, { dtype: 'float64' });
    values = t.data;
    shape = [...t.shape];
  } else {
    throw new Error(
      `${op}: indices must be a Tensor, nested arrays of integers or an Int32Array, got ${indices === null ? 'null' : typeof indices}`,
    );
  }
  const idx = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) throw outOfRange(op, v, i, what, bound);
    idx[i] = v;
  }
  return { idx, shape };
}
