// The wasm backend's elementwise maps and broadcast binaries, f32 and f64: copy in, one pass
// (SIMD for IEEE arithmetic and selects and for the f32 approximations of tanh, exp, sigmoid,
// erf and gelu; scalar f64 Math for the other transcendentals), copy out. Below the thresholds here (measured: bench/kernels.ts, figures in bench/KERNELS.md)
// the js kernels run, unless settings.handOff is off; every such hand-off is counted.

import { BINARY_CODE, UNARY_CODE, type BinaryOp, type Data, type UnaryOp } from '../contract.js';
import { coalesceBroadcast, type Shape } from '../../shape.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Runtime } from './runtime.js';
import { carve, claim, put, putInts, view } from './scratch.js';

/** Below this many elements the copies and the call cost more than the js loop saves (bench/KERNELS.md). */
export const WASM_MIN_ELEMENTS = 1024;
/**
 * Unary maps whose per-element cost dwarfs the copies pay from fewer elements; f64 erf, gelu and
 * tanh stay on js (wasm runs the same series, no faster). bench/KERNELS.md has the figures.
 */
const UNARY_MIN: Partial<Record<UnaryOp, number>> = {
  tanh: 64,
  pow: 64,
  exp: 256,
  log: 256,
  sigmoid: 256,
  softplus: 256,
  erf: Infinity,
  gelu: Infinity,
  geluGrad: Infinity,
};
const UNARY_MIN_F32: Partial<Record<UnaryOp, number>> = { exp: 64, sigmoid: 64, erf: 64, gelu: 64, geluGrad: 64 };
const unaryMin = (op: UnaryOp, f64: boolean) =>
  f64
    ? op === 'tanh'
      ? Infinity
      : (UNARY_MIN[op] ?? WASM_MIN_ELEMENTS)
    : (UNARY_MIN_F32[op] ?? UNARY_MIN[op] ?? WASM_MIN_ELEMENTS);

export function makeElementwise(rt: Runtime) {
  const k = rt.exports;

  function unary(op: UnaryOp, x: Data, out: Data, p = 0, q = 0): void {
    const code = UNARY_CODE[op];
    const n = x.length;
    const f64 = x instanceof Float64Array;
    const ptrs = claim(rt, n, unaryMin(op, f64), n * (f64 ? 8 : 4));
    if (!ptrs) {
      return toJs('unary')(op, x, out, p, q);
    }
    const [ptr] = ptrs;
    put(rt, x, ptr, f64);
    // In place: each element is read before it is written.
    if (f64) k.unary64(code, ptr, ptr, n, p, q);
    else k.unary32(code, ptr, ptr, n, p, q);
    out.set(view(rt, ptr, n, f64));
  }

  function binary(op: BinaryOp, a: Data, aShape: Shape, b: Data, bShape: Shape, out: Data, outShape: Shape): void {
    const code = BINARY_CODE[op];
    const n = out.length;
    const f64 = out instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    let ptrs: number[] | null = null;
    const dims: number[] = [],
      sa: number[] = [],
      sb: number[] = [];
    if (!small(n, WASM_MIN_ELEMENTS)) {
      coalesceBroadcast(outShape, aShape, bShape, dims, sa, sb);
      const r = dims.length * 4;
      ptrs = carve(rt, a.length * sz, b.length * sz, n * sz, r, r, r, r);
    }
    if (!ptrs) {
      return toJs('binary')(op, a, aShape, b, bShape, out, outShape);
    }
    if (n === 0) return;
    const [aPtr, bPtr, outPtr, dimsPtr, saPtr, sbPtr, idxPtr] = ptrs;
    put(rt, a, aPtr, f64);
    put(rt, b, bPtr, f64);
    putInts(rt, dims, dimsPtr);
    putInts(rt, sa, saPtr);
    putInts(rt, sb, sbPtr);
    rt.i32.fill(0, idxPtr / 4, idxPtr / 4 + dims.length);
    if (f64) k.binary64(code, aPtr, bPtr, outPtr, n, dims.length, dimsPtr, saPtr, sbPtr, idxPtr);
    else k.binary32(code, aPtr, bPtr, outPtr, n, dims.length, dimsPtr, saPtr, sbPtr, idxPtr);
    out.set(view(rt, outPtr, n, f64));
  }

  return { unary, binary };
}
