// Reductions, permutes and the row ops of the js backend: log-softmax, pick/unpick (cross-entropy's
// labels), and the row gathers and scatters of embeddings.

import type { Data, ReduceOp } from '../contract.js';
import { sizeOf, stridesOf, type Shape } from '../../shape.js';

export function reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void {
  const rank = shape.length;
  // Output strides seen from the input's axes: 0 on reduced axes.
  const os = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!axes.includes(d)) {
      os[d] = s;
      s *= shape[d];
    }
  }
  out.fill(op === 'sum' ? 0 : -Infinity);
  const n = x.length;
  // Fast path: reducing the trailing axes only (rows), the common case of sum over features.
  const inner = sizeOf(shape.slice(rank - axes.length));
  if (axes.every((a, i) => a === rank - axes.length + i) && inner > 0) {
    for (let r = 0, o = 0; r < n; r += inner, o++) {
      let acc = op === 'sum' ? 0 : -Infinity;
      if (op === 'sum') for (let j = 0; j < inner; j++) acc += x[r + j];
      else for (let j = 0; j < inner; j++) acc = maxNaN(acc, x[r + j]);
      out[o] = acc;
    }
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    out[o] = op === 'sum' ? out[o] + x[i] : maxNaN(out[o], x[i]);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      o += os[d];
      if (idx[d] < shape[d]) break;
      o -= os[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** max that propagates NaN, as PyTorch's amax does. */
function maxNaN(a: number, b: number): number {
  return a > b || Number.isNaN(a) ? a : b;
}

export function permute(x: Data, shape: Shape, perm: readonly number[], out: Data): void {
  const rank = shape.length;
  const xs = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const rs = perm.map((p) => xs[p]); // stride in x when stepping along each output axis
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += rs[d];
      if (idx[d] < outShape[d]) break;
      src -= rs[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function logSoftmax(x: Data, out: Data, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - lse;
  }
}

export function pick(x: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
  for (let r = 0; r < rows; r++) out[r] = x[r * cols + idx[r]];
}

export function unpick(g: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) out[r * cols + idx[r]] = g[r];
}

export function gatherRows(table: Data, idx: Int32Array, cols: number, out: Data): void {
  for (let r = 0; r < idx.length; r++) out.set(table.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
}

export function scatterAddRows(g: Data, idx: Int32Array, cols: number, skip: number, out: Data): void {
  for (let r = 0; r < idx.length; r++) {
    if (idx[r] === skip) continue;
    const from = r * cols;
    const to = idx[r] * cols;
    for (let c = 0; c < cols; c++) out[to + c] += g[from + c];
  }
}
