// split and chunk: a tensor cut into pieces along an axis, each piece a narrow (so each has its
// gradient). They return several tensors, so they are plain functions, not op-table entries.

import type { Tensor } from '../tensor.js';
import { normAxis, shapeStr } from '../shape.js';
import { checkTensor } from './node.js';
import { narrow } from './defs/pad.js';

/** Pieces of `size` entries along the axis (the last may be shorter), or of the given sizes (torch.split). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', x);
  const ax = normAxis('split', axis, x.rank);
  const total = x.shape[ax];
  let lengths: number[];
  if (typeof sizes === 'number') {
    if (!Number.isSafeInteger(sizes) || sizes <= 0)
      throw new Error(`split: the piece size must be a positive integer, got ${sizes}`);
    lengths = Array.from({ length: Math.ceil(total / sizes) }, (_, i) => Math.min(sizes, total - i * sizes));
  } else {
    lengths = [...sizes];
    if (!lengths.every((n) => Number.isSafeInteger(n) && n >= 0) || lengths.reduce((a, b) => a + b, 0) !== total) {
      throw new Error(
        `split: sizes ${JSON.stringify(sizes)} do not add up to ${total}, the size of axis ${ax} of ${shapeStr(x.shape)}`,
      );
    }
  }
  let start = 0;
  return lengths.map((n) => {
    const piece = narrow(x, ax, start, n);
    start += n;
    return piece;
  });
}

/** `chunks` pieces of equal size along the axis, the last smaller if it does not divide (torch.chunk). */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  checkTensor('chunk', x);
  if (!Number.isSafeInteger(chunks) || chunks <= 0)
    throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const total = x.shape[normAxis('chunk', axis, x.rank)];
  return split(x, Math.max(1, Math.ceil(total / chunks)), axis);
}
