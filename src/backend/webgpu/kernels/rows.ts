// Reductions, permutes and the row kernels in WGSL: reduce (sum, max) along any axes, permute, log-softmax, pick and
// unpick (the labels of cross-entropy), and the embedding's gatherRows and scatterAddRows. Each
// invocation owns whole outputs and adds in the js kernels' order, so there are no atomics.

import { REDUCE_CODE, type ReduceOp } from '../../contract.js';
import { stridesOf, type Shape } from '../../../shape.js';
import type { DeviceBuffer } from '../memory.js';
import type { Stream } from '../stream.js';
import { params, shader } from '../wgsl.js';

// Invocation o: one output. Words: op (a REDUCE_ code), kept axes K, reduced axes R, then K pairs
// (size, stride in x) outer first, then R pairs. The sum is compensated (Kahan), closer to the js
// kernel's float64 accumulation; max propagates NaN as torch's amax.
const REDUCE = shader(
  'reduce',
  ['x'],
  ['out'],
  /* wgsl */ `
fn run(o: u32) {
  let nk = pu(2u); let nr = pu(3u);
  var rest = o;
  var base = 0u;
  for (var d = nk; d > 0u; d--) {
    let w = 4u + 2u * (d - 1u);
    base += (rest % pu(w)) * pu(w + 1u);
    rest = rest / pu(w);
  }
  let r0 = 4u + 2u * nk;
  var count = 1u;
  for (var d = 0u; d < nr; d++) { count *= pu(r0 + 2u * d); }
  let isMax = pu(1u) == REDUCE_MAX;
  var acc = select(0.0, -inf(), isMax);
  var carry = 0.0;
  for (var j = 0u; j < count; j++) {
    var rj = j;
    var at = base;
    for (var d = nr; d > 0u; d--) {
      let w = r0 + 2u * (d - 1u);
      at += (rj % pu(w)) * pu(w + 1u);
      rj = rj / pu(w);
    }
    let v = x[at];
    if (isMax) {
      if (!(acc > v || isNan(acc))) { acc = v; }
    } else {
      let y = v - carry;
      let t = acc + y;
      carry = select((t - acc) - y, 0.0, !isFinite(t));
      acc = t;
    }
  }
  out[o] = acc;
}`,
);

// Invocation r: one row of cols. As the js kernel: the max over the row (−∞ rows shift by 0).
const LOG_SOFTMAX = shader(
  'logSoftmax',
  ['x'],
  ['out'],
  /* wgsl */ `
fn run(r: u32) {
  let cols = pu(1u);
  let o = r * cols;
  var mx = -inf();
  for (var j = 0u; j < cols; j++) { if (x[o + j] > mx) { mx = x[o + j]; } }
  if (mx == -inf()) { mx = 0.0; }
  var sum = 0.0;
  for (var j = 0u; j < cols; j++) { sum += expf(x[o + j] - mx); }
  // (x − max) − log Σ: x − max is exact for the large entries, where x − (max + log Σ) would
  // round max + log Σ to float32 first.
  var logSum = log(sum);
  if (sum == 0.0) { logSum = -inf(); }
  if (isNan(sum) || sum == inf()) { logSum = sum; }
  for (var j = 0u; j < cols; j++) { out[o + j] = (x[o + j] - mx) - logSum; }
}`,
);

const PICK = shader(
  'pick',
  ['x', 'idx:i32'],
  ['out'],
  /* wgsl */ `
fn run(r: u32) { out[r] = x[r * pu(1u) + u32(idx[r])]; }`,
);

const UNPICK = shader(
  'unpick',
  ['g', 'idx:i32'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) {
  let cols = pu(1u);
  let r = i / cols;
  out[i] = select(0.0, g[r], i % cols == u32(idx[r]));
}`,
);

const GATHER_ROWS = shader(
  'gatherRows',
  ['table', 'idx:i32'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) {
  let cols = pu(1u);
  out[i] = table[u32(idx[i / cols]) * cols + i % cols];
}`,
);

// Invocation c: one column, adding the rows in order (repeated indices add up, as in js).
const SCATTER_ADD_ROWS = shader(
  'scatterAddRows',
  ['g', 'idx:i32'],
  ['out'],
  /* wgsl */ `
fn run(c: u32) {
  let cols = pu(1u); let rows = pu(2u); let skip = pi(3u);
  for (var r = 0u; r < rows; r++) {
    let to = idx[r];
    if (to == skip) { continue; }
    out[u32(to) * cols + c] += g[r * cols + c];
  }
}`,
);

// Words: rank, then per output axis (outer first) its size and the stride in x of a step along it.
const PERMUTE = shader(
  'permute',
  ['x'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) {
  var rest = i;
  var src = 0u;
  for (var d = pu(1u); d > 0u; d--) {
    let w = 2u + 2u * (d - 1u);
    src += (rest % pu(w)) * pu(w + 1u);
    rest = rest / pu(w);
  }
  out[i] = x[src];
}`,
);

/** Axis pairs the reduce kernel's words hold: (61 − 3) / 2 across kept and reduced axes. */
export const REDUCE_MAX_RANK = 29;

export function rowKernels(stream: Stream) {
  return {
    permute(x: DeviceBuffer, shape: Shape, perm: readonly number[], out: DeviceBuffer): void {
      const xs = stridesOf(shape);
      const words = [perm.length];
      for (const p of perm) words.push(shape[p], xs[p]);
      stream.dispatch(PERMUTE, [x.buffer, out.buffer], params(out.length, words), out.length);
    },
    reduce(op: ReduceOp, x: DeviceBuffer, shape: Shape, axes: readonly number[], out: DeviceBuffer): void {
      const strides = stridesOf(shape);
      const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
      const words = [REDUCE_CODE[op], kept.length, axes.length];
      for (const d of kept) words.push(shape[d], strides[d]);
      for (const d of axes) words.push(shape[d], strides[d]);
      stream.dispatch(REDUCE, [x.buffer, out.buffer], params(out.length, words), out.length);
    },
    logSoftmax(x: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void {
      stream.dispatch(LOG_SOFTMAX, [x.buffer, out.buffer], params(rows, [cols]), cols === 0 ? 0 : rows);
    },
    pick(x: DeviceBuffer, idx: Int32Array, rows: number, cols: number, out: DeviceBuffer): void {
      if (rows === 0) return;
      stream.dispatch(PICK, [x.buffer, stream.temporary(idx), out.buffer], params(rows, [cols]), rows);
    },
    unpick(g: DeviceBuffer, idx: Int32Array, rows: number, cols: number, out: DeviceBuffer): void {
      if (rows * cols === 0) return;
      stream.dispatch(UNPICK, [g.buffer, stream.temporary(idx), out.buffer], params(rows * cols, [cols]), rows * cols);
    },
    gatherRows(table: DeviceBuffer, idx: Int32Array, cols: number, out: DeviceBuffer): void {
      const n = idx.length * cols;
      if (n === 0) return;
      stream.dispatch(GATHER_ROWS, [table.buffer, stream.temporary(idx), out.buffer], params(n, [cols]), n);
    },
    scatterAddRows(g: DeviceBuffer, idx: Int32Array, cols: number, skip: number, out: DeviceBuffer): void {
      if (idx.length === 0) return;
      stream.dispatch(
        SCATTER_ADD_ROWS,
        [g.buffer, stream.temporary(idx), out.buffer],
        params(cols, [cols, idx.length, skip]),
        cols,
      );
    },
  };
}
