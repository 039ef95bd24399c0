// The wasm backend's reductions, permutes and row ops (log-softmax, pick, unpick), f32 and f64:
// copy in, one wasm pass, copy out. The sums follow
// the js kernel's order (kernels/rows.ts), so both backends give the same bits. Below the
// thresholds here (bench/kernels.ts, figures in bench/KERNELS.md) the js kernels run, unless
// settings.handOff is off; every such hand-off is counted.

import { REDUCE_CODE, type Data, type ReduceOp } from '../contract.js';
import { sizeOf, stridesOf, type Shape } from '../../shape.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Runtime } from './runtime.js';
import { carve, claim, put, putInts, view } from './scratch.js';

/**
 * Input sizes below which js runs (bench/kernels.ts measures them; bench/KERNELS.md). pick and
 * unpick copy a whole matrix in or out for one element per row, so js is faster at every size.
 */
const MIN = { reduce: 256, permute: 256, logSoftmax: 256, pick: Infinity, unpick: Infinity };

export function makeRows(rt: Runtime) {
  const k = rt.exports;

  function reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void {
    const n = x.length;
    const f64 = x instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const rank = shape.length;
    const code = REDUCE_CODE[op];
    if (small(n, MIN.reduce)) {
      return toJs('reduce')(op, x, shape, axes, out);
    }
    // The js kernel's two paths: over trailing axes, one f64 accumulator per output; else each
    // output accumulates in its dtype, in the input's order.
    const inner = sizeOf(shape.slice(rank - axes.length));
    const trailing = axes.every((a, i) => a === rank - axes.length + i) && inner > 0;
    // The general path's axes, size-1 ones dropped (they change no order) and runs of reduced
    // or of kept axes merged; os: the output stride of each (0 on reduced axes).
    const dims: number[] = [];
    const reduced: boolean[] = [];
    if (!trailing) {
      for (let d = 0; d < rank; d++) {
        if (shape[d] === 1) continue;
        const r = axes.includes(d);
        if (dims.length > 0 && reduced[dims.length - 1] === r) dims[dims.length - 1] *= shape[d];
        else {
          dims.push(shape[d]);
          reduced.push(r);
        }
      }
      if (dims.length === 0) {
        dims.push(1);
        reduced.push(true);
      }
    }
    const r = dims.length * 4;
    const ptrs = carve(rt, n * sz, out.length * sz, r, r, r);
    if (!ptrs) {
      return toJs('reduce')(op, x, shape, axes, out);
    }
    if (n === 0) {
      out.fill(op === 'sum' ? 0 : -Infinity);
      return;
    }
    const [xPtr, outPtr, dimsPtr, osPtr, idxPtr] = ptrs;
    put(rt, x, xPtr, f64);
    if (trailing) {
      if (f64) k.reduceRows64(code, xPtr, outPtr, n / inner, inner);
      else k.reduceRows32(code, xPtr, outPtr, n / inner, inner);
    } else {
      const os = new Array<number>(dims.length).fill(0);
      for (let d = dims.length - 1, s = 1; d >= 0; d--) {
        if (!reduced[d]) {
          os[d] = s;
          s *= dims[d];
        }
      }
      putInts(rt, dims, dimsPtr);
      putInts(rt, os, osPtr);
      rt.i32.fill(0, idxPtr / 4, idxPtr / 4 + dims.length);
      if (f64) k.reduceNd64(code, xPtr, outPtr, n, out.length, dims.length, dimsPtr, osPtr, idxPtr);
      else k.reduceNd32(code, xPtr, outPtr, n, out.length, dims.length, dimsPtr, osPtr, idxPtr);
    }
    out.set(view(rt, outPtr, out.length, f64));
  }

  function permute(x: Data, shape: Shape, perm: readonly number[], out: Data): void {
    const n = x.length;
    const f64 = x instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    if (small(n, MIN.permute)) {
      return toJs('permute')(x, shape, perm, out);
    }
    // Output axes, size-1 ones dropped and neighbours merged where x is contiguous across them.
    const xs = stridesOf(shape);
    const dims: number[] = [];
    const rs: number[] = [];
    for (const p of perm) {
      const size = shape[p];
      if (size === 1) continue;
      const l = dims.length - 1;
      if (l >= 0 && rs[l] === xs[p] * size) {
        dims[l] *= size;
        rs[l] = xs[p];
      } else {
        dims.push(size);
        rs.push(xs[p]);
      }
    }
    if (dims.length === 0) {
      dims.push(1);
      rs.push(1);
    }
    const r = dims.length * 4;
    const ptrs = carve(rt, n * sz, n * sz, r, r, r);
    if (!ptrs) {
      return toJs('permute')(x, shape, perm, out);
    }
    if (n === 0) return;
    const [xPtr, outPtr, dimsPtr, rsPtr, idxPtr] = ptrs;
    put(rt, x, xPtr, f64);
    putInts(rt, dims, dimsPtr);
    putInts(rt, rs, rsPtr);
    rt.i32.fill(0, idxPtr / 4, idxPtr / 4 + dims.length);
    k.permute(xPtr, outPtr, sz, n, dims.length, dimsPtr, rsPtr, idxPtr);
    out.set(view(rt, outPtr, n, f64));
  }

  function logSoftmax(x: Data, out: Data, rows: number, cols: number): void {
    const n = rows * cols;
    const f64 = x instanceof Float64Array;
    const ptrs = claim(rt, n, MIN.logSoftmax, n * (f64 ? 8 : 4));
    if (!ptrs) {
      return toJs('logSoftmax')(x, out, rows, cols);
    }
    const [ptr] = ptrs;
    put(rt, x.subarray(0, n), ptr, f64);
    if (f64)
      k.logSoftmax64(ptr, ptr, rows, cols); // in place: each row is read before it is written
    else k.logSoftmax32(ptr, ptr, rows, cols);
    out.set(view(rt, ptr, n, f64));
  }

  function pick(x: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
    const f64 = x instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const n = rows * cols;
    const ptrs = claim(rt, n, MIN.pick, n * sz, rows * 4, rows * sz);
    if (!ptrs) {
      return toJs('pick')(x, idx, rows, cols, out);
    }
    const [xPtr, idxPtr, outPtr] = ptrs;
    put(rt, x.subarray(0, n), xPtr, f64);
    putInts(rt, idx.subarray(0, rows), idxPtr);
    k.pick(xPtr, idxPtr, rows, cols, outPtr, sz);
    out.set(view(rt, outPtr, rows, f64));
  }

  function unpick(g: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
    const f64 = out instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const n = rows * cols;
    const ptrs = claim(rt, n, MIN.unpick, rows * sz, rows * 4, n * sz);
    if (!ptrs) {
      return toJs('unpick')(g, idx, rows, cols, out);
    }
    const [gPtr, idxPtr, outPtr] = ptrs;
    put(rt, g.subarray(0, rows), gPtr, f64);
    putInts(rt, idx.subarray(0, rows), idxPtr);
    k.unpick(gPtr, idxPtr, rows, cols, outPtr, sz);
    out.set(view(rt, outPtr, n, f64));
  }

  return { reduce, permute, logSoftmax, pick, unpick };
}
