// The native reductions, permute, log-softmax and label gather/scatter (native/src/rows.c).

import type { Data, Kernels, ReduceOp } from '../contract.js';
import { stridesOf, type Shape } from '../../shape.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

export function makeRows(native: Addon): Pick<Kernels, 'reduce' | 'logSoftmax' | 'permute' | 'pick' | 'unpick'> {
  const meta = new Meta();
  const reduced: number[] = [];
  return {
    reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void {
      const rank = shape.length;
      reduced.length = 0;
      for (let d = 0; d < rank; d++) reduced.push(axes.includes(d) ? 1 : 0);
      const trailing = axes.every((a, i) => a === rank - axes.length + i);
      native.reduce(op === 'sum' ? 0 : 1, x, out, meta.fill(rank, shape, reduced), trailing);
    },
    logSoftmax(x: Data, out: Data, rows: number, cols: number): void {
      native.logSoftmax(x, out, rows, cols);
    },
    permute(x: Data, shape: Shape, perm: readonly number[], out: Data): void {
      const xs = stridesOf(shape);
      native.permute(x, out, meta.fill(perm.length, perm.map((p) => shape[p]), perm.map((p) => xs[p])));
    },
    pick(x: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
      native.pick(x, idx, rows, cols, out);
    },
    unpick(g: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
      native.unpick(g, idx, rows, cols, out);
    },
  };
}
