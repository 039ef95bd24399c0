// The wasm backend's f32 elementwise maps, broadcast binaries, leading-axis sums (the bias
// gradient) and axpy (the SGD step): copy in, one SIMD pass, copy out. Below WASM_MIN_ELEMENTS,
// for float64 and for the ops without a wasm kernel (transcendentals, eq, general
// broadcasting) the js kernels run.

import type { BinaryOp, Data, ReduceOp, UnaryOp } from '../contract.js';
import { binary as jsBinary, unary as jsUnary } from '../js/elementwise.js';
import { axpy as jsAxpy, reduce as jsReduce } from '../js/rows.js';
import { sameShape, sizeOf, type Shape } from '../../shape.js';
import { settings } from '../settings.js';
import type { Runtime } from './runtime.js';

/** Op codes of kernels/elementwise.ts. */
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, sqrt: 2, relu: 3, step: 4, leakyRelu: 5, leakyStep: 6, clamp: 7, clampMask: 8, tanh: 9,
};
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/** Below this many elements the copies and the call cost more than the js loop saves (bench/split). */
const WASM_MIN_ELEMENTS = 1024;
/** tanh pays from far fewer elements: Math.tanh costs ~20 ns, the SIMD approximation ~1. */
const WASM_MIN_TANH = 64;

const align = (x: number) => (x + 63) & ~63;
/** Work too small to pay for the copies, unless tests turned the hand-off off. */
const small = (n: number, min: number) => settings.handOff && n < min;

export function makeElementwise(rt: Runtime) {
  const k = rt.kernels;

  function unary(op: UnaryOp, x: Data, out: Data, p = 0, q = 0): void {
    const code = UNARY_CODES[op];
    const n = x.length;
    if (code === undefined || !(x instanceof Float32Array) || small(n, op === 'tanh' ? WASM_MIN_TANH : WASM_MIN_ELEMENTS)) {
      settings.fallbacks++;
      return jsUnary(op, x, out, p, q);
    }
    const ptr = rt.scratch;
    rt.ensure(ptr + 4 * n);
    rt.f32.set(x, ptr / 4);
    k.unary32(code, ptr, ptr, n, p, q); // in place: each lane is read before it is written
    out.set(rt.f32.subarray(ptr / 4, ptr / 4 + n));
  }

  function binary(op: BinaryOp, a: Data, aShape: Shape, b: Data, bShape: Shape, out: Data, outShape: Shape): void {
    const code = BINARY_CODES[op];
    const n = out.length;
    if (code === undefined || !(out instanceof Float32Array) || small(n, WASM_MIN_ELEMENTS)) {
      settings.fallbacks++;
      return jsBinary(op, a, aShape, b, bShape, out, outShape);
    }
    const cols = outShape[outShape.length - 1];
    // full ∘ full, full ∘ row, row ∘ full, full ∘ scalar, scalar ∘ full; else the js kernel.
    const isRow = (s: Shape, d: Data) => d.length === cols && s[s.length - 1] === cols;
    let full: Data, other: Data, period: number, bFirst: boolean;
    if (sameShape(aShape, bShape)) [full, other, period, bFirst] = [a, b, n, false];
    else if (sameShape(aShape, outShape) && (isRow(bShape, b) || b.length === 1)) [full, other, period, bFirst] = [a, b, cols, false];
    else if (sameShape(bShape, outShape) && (isRow(aShape, a) || a.length === 1)) [full, other, period, bFirst] = [b, a, cols, true];
    else {
      settings.fallbacks++;
      return jsBinary(op, a, aShape, b, bShape, out, outShape);
    }
    const fullPtr = rt.scratch;
    const otherPtr = align(fullPtr + 4 * n);
    rt.ensure(otherPtr + 4 * period);
    const f32 = rt.f32;
    f32.set(full, fullPtr / 4);
    if (other.length === 1) f32.fill(other[0], otherPtr / 4, otherPtr / 4 + period); // a scalar as a row
    else f32.set(other, otherPtr / 4);
    k.binary32(code, fullPtr, otherPtr, fullPtr, n, period, bFirst ? 1 : 0);
    out.set(f32.subarray(fullPtr / 4, fullPtr / 4 + n));
  }

  function reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void {
    // Sums over some leading axes only: a [rows, cols] column sum, the bias gradient's shape,
    // accumulated in f32 row by row as the js kernel does for it. (Sums over every axis stay in
    // js, which accumulates those in float64.)
    const leading = axes.length < shape.length && axes.every((a, i) => a === i);
    if (op !== 'sum' || !leading || !(x instanceof Float32Array) || small(x.length, WASM_MIN_ELEMENTS)) {
      settings.fallbacks++;
      return jsReduce(op, x, shape, axes, out);
    }
    const rows = sizeOf(shape.slice(0, axes.length));
    const cols = x.length / rows;
    const xPtr = rt.scratch;
    const outPtr = align(xPtr + 4 * x.length);
    rt.ensure(outPtr + 4 * cols);
    rt.f32.set(x, xPtr / 4);
    k.sumColumns32(xPtr, outPtr, rows, cols);
    out.set(rt.f32.subarray(outPtr / 4, outPtr / 4 + cols));
  }

  function axpy(y: Data, x: Data, alpha: number): void {
    const n = y.length;
    if (!(y instanceof Float32Array) || small(n, WASM_MIN_ELEMENTS)) {
      settings.fallbacks++;
      return jsAxpy(y, x, alpha);
    }
    const yPtr = rt.scratch;
    const xPtr = align(yPtr + 4 * n);
    rt.ensure(xPtr + 4 * n);
    rt.f32.set(y, yPtr / 4);
    rt.f32.set(x, xPtr / 4);
    k.axpy32(yPtr, xPtr, n, alpha);
    y.set(rt.f32.subarray(yPtr / 4, yPtr / 4 + n));
  }

  return { unary, binary, reduce, axpy };
}
