// AssemblyScript: reductions (sum, max) over any axes, axis permutations and the row ops
// (log-softmax, pick, unpick), f32 and f64.
//
// The row ops follow the js kernels (js/rows.ts) operation for operation: arithmetic in f64, each
// value rounded to the array's dtype where js stores it, so both backends give the same bits (up
// to an ulp of exp/log in log-softmax).
//
// The sums are those of the js kernel (js/rows.ts), in its order, so the bits agree: over the
// trailing axes, each output is one f64 accumulator fed in order (reduceRows); over other axes,
// each output accumulates in its own dtype in the input's order (reduceNd, SIMD along a kept
// innermost axis). max propagates NaN as js's maxNaN does (a > b || a is NaN ? a : b).

import { REDUCE_MAX, REDUCE_SUM } from './codes';

@inline function maxNaN<T>(a: T, b: T): T {
  return a > b || a != a ? a : b;
}

@inline function combine<T>(op: i32, a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) {
    if (op == REDUCE_SUM) return f32x4.add(a, b);
    return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)));
  }
  if (op == REDUCE_SUM) return f64x2.add(a, b);
  return v128.bitselect(a, b, v128.or(f64x2.gt(a, b), f64x2.ne(a, a)));
}

@inline function rows<T>(op: i32, x: usize, out: usize, rows: i32, inner: i32): void {
  const sz = sizeof<T>();
  let p = x;
  for (let r = 0; r < rows; r++) {
    if (op == REDUCE_SUM) {
      let acc: f64 = 0;
      for (let j = 0; j < inner; j++) acc += <f64>load<T>(p + <usize>j * sz);
      store<T>(out + <usize>r * sz, <T>acc);
    } else {
      let acc: T = <T>-Infinity;
      for (let j = 0; j < inner; j++) acc = maxNaN<T>(acc, load<T>(p + <usize>j * sz));
      store<T>(out + <usize>r * sz, acc);
    }
    p += <usize>inner * sz;
  }
}

/** out[r] = Σ_j x[r, j] (or max) for a [rows, inner] matrix, one f64 accumulator per row. */
export function reduceRows32(op: i32, x: usize, out: usize, nRows: i32, inner: i32): void {
  if (op == REDUCE_SUM) rows<f32>(REDUCE_SUM, x, out, nRows, inner);
  else rows<f32>(REDUCE_MAX, x, out, nRows, inner);
}

export function reduceRows64(op: i32, x: usize, out: usize, nRows: i32, inner: i32): void {
  if (op == REDUCE_SUM) rows<f64>(REDUCE_SUM, x, out, nRows, inner);
  else rows<f64>(REDUCE_MAX, x, out, nRows, inner);
}

@inline function nd<T>(op: i32, x: usize, out: usize, n: i32, outLen: i32, rank: i32, dims: usize, os: usize, idx: usize): void {
  const sz = sizeof<T>();
  const lanes: i32 = 16 / sz;
  const init: T = op == REDUCE_SUM ? <T>0 : <T>-Infinity;
  for (let i = 0; i < outLen; i++) store<T>(out + <usize>i * sz, init);
  const last = rank - 1;
  const len = load<i32>(dims + (<usize>last << 2));
  const kept = load<i32>(os + (<usize>last << 2)) != 0;
  let o = 0;
  for (let i = 0; i < n; i += len) {
    const src = x + <usize>i * sz;
    const dst = out + <usize>o * sz;
    if (kept) {
      let j = 0;
      for (; j + lanes <= len; j += lanes) {
        const off = <usize>j * sz;
        v128.store(dst + off, combine<T>(op, v128.load(dst + off), v128.load(src + off)));
      }
      for (; j < len; j++) {
        const off = <usize>j * sz;
        const a = load<T>(dst + off), b = load<T>(src + off);
        store<T>(dst + off, op == REDUCE_SUM ? a + b : maxNaN<T>(a, b));
      }
    } else {
      let acc = load<T>(dst);
      for (let j = 0; j < len; j++) {
        const b = load<T>(src + <usize>j * sz);
        acc = op == REDUCE_SUM ? acc + b : maxNaN<T>(acc, b);
      }
      store<T>(dst, acc);
    }
    for (let d = last - 1; d >= 0; d--) {
      const od = <usize>d << 2;
      const k = load<i32>(idx + od) + 1;
      const s = load<i32>(os + od);
      o += s;
      const dim = load<i32>(dims + od);
      if (k < dim) {
        store<i32>(idx + od, k);
        break;
      }
      o -= s * dim;
      store<i32>(idx + od, 0);
    }
  }
}

/**
 * Reduces x (n elements, `rank` axes of sizes `dims`) into out (outLen elements): output
 * element strides `os` per input axis (0 on the reduced ones), `idx` rank zeroed i32 of scratch.
 */
export function reduceNd32(op: i32, x: usize, out: usize, n: i32, outLen: i32, rank: i32, dims: usize, os: usize, idx: usize): void {
  if (op == REDUCE_SUM) nd<f32>(REDUCE_SUM, x, out, n, outLen, rank, dims, os, idx);
  else nd<f32>(REDUCE_MAX, x, out, n, outLen, rank, dims, os, idx);
}

export function reduceNd64(op: i32, x: usize, out: usize, n: i32, outLen: i32, rank: i32, dims: usize, os: usize, idx: usize): void {
  if (op == REDUCE_SUM) nd<f64>(REDUCE_SUM, x, out, n, outLen, rank, dims, os, idx);
  else nd<f64>(REDUCE_MAX, x, out, n, outLen, rank, dims, os, idx);
}

/**
 * out (n elements, `rank` axes of sizes `dims`) = x read at element strides `rs` per output
 * axis; `idx` rank zeroed i32 of scratch. `sz` is the element size, 4 or 8.
 */
export function permute(x: usize, out: usize, sz: i32, n: i32, rank: i32, dims: usize, rs: usize, idx: usize): void {
  if (sz == 4) permuteT<f32>(x, out, n, rank, dims, rs, idx);
  else permuteT<f64>(x, out, n, rank, dims, rs, idx);
}

@inline function permuteT<T>(x: usize, out: usize, n: i32, rank: i32, dims: usize, rs: usize, idx: usize): void {
  const sz = sizeof<T>();
  const last = rank - 1;
  const len = load<i32>(dims + (<usize>last << 2));
  const step = <usize>load<i32>(rs + (<usize>last << 2)) * sz;
  let src = 0;
  for (let o = 0; o < n; o += len) {
    const dst = out + <usize>o * sz;
    let s = x + <usize>src * sz;
    if (step == sz) memory.copy(dst, s, <usize>len * sz);
    else {
      for (let j = 0; j < len; j++) {
        store<T>(dst + <usize>j * sz, load<T>(s));
        s += step;
      }
    }
    for (let d = last - 1; d >= 0; d--) {
      const od = <usize>d << 2;
      const k = load<i32>(idx + od) + 1;
      const r = load<i32>(rs + od);
      src += r;
      const dim = load<i32>(dims + od);
      if (k < dim) {
        store<i32>(idx + od, k);
        break;
      }
      src -= r * dim;
      store<i32>(idx + od, 0);
    }
  }
}

// ---- row ops ----

@inline function logSoftmaxT<T>(x: usize, out: usize, rows: i32, cols: i32): void {
  const sz = sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * cols * sz;
    const or = out + <usize>r * cols * sz;
    let mx: f64 = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = <f64>load<T>(xr + <usize>j * sz);
      if (v > mx) mx = v;
    }
    if (mx == -Infinity) mx = 0;
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(<f64>load<T>(xr + <usize>j * sz) - mx);
    const lse = mx + Math.log(sum);
    for (let j = 0; j < cols; j++) store<T>(or + <usize>j * sz, <T>(<f64>load<T>(xr + <usize>j * sz) - lse));
  }
}

/** Row-wise log-softmax of a [rows, cols] matrix, in f64 as js computes it. */
export function logSoftmax32(x: usize, out: usize, rows: i32, cols: i32): void {
  logSoftmaxT<f32>(x, out, rows, cols);
}

export function logSoftmax64(x: usize, out: usize, rows: i32, cols: i32): void {
  logSoftmaxT<f64>(x, out, rows, cols);
}

/** out[r] = x[r, idx[r]] (idx: rows i32; sz the element size, 4 or 8). */
export function pick(x: usize, idx: usize, rows: i32, cols: i32, out: usize, sz: i32): void {
  for (let r = 0; r < rows; r++) {
    const j = load<i32>(idx + (<usize>r << 2));
    const src = x + (<usize>r * cols + <usize>j) * sz;
    if (sz == 4) store<f32>(out + (<usize>r << 2), load<f32>(src));
    else store<f64>(out + (<usize>r << 3), load<f64>(src));
  }
}

/** out[r, idx[r]] = g[r], every other entry of the [rows, cols] out 0. */
export function unpick(g: usize, idx: usize, rows: i32, cols: i32, out: usize, sz: i32): void {
  memory.fill(out, 0, <usize>rows * cols * sz);
  for (let r = 0; r < rows; r++) {
    const j = load<i32>(idx + (<usize>r << 2));
    const dst = out + (<usize>r * cols + <usize>j) * sz;
    if (sz == 4) store<f32>(dst, load<f32>(g + (<usize>r << 2)));
    else store<f64>(dst, load<f64>(g + (<usize>r << 3)));
  }
}
