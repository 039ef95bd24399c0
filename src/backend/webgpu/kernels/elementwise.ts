// Elementwise WGSL kernels: the unary maps (one shader, the op chosen by a parameter), the
// broadcasting binaries and where. Special values follow the js kernels (torch's):
// every map tests NaN, ±0 and ±∞ itself, since SwiftShader's builtins do not keep them.

import { BINARY_CODE, UNARY_CODE, type BinaryOp, type UnaryOp } from '../../contract.js';
import { broadcastStrides, type Shape } from '../../../shape.js';
import type { DeviceBuffer } from '../memory.js';
import type { Stream } from '../stream.js';
import { f32, KERNEL_WORDS, params, shader } from '../wgsl.js';

// erf to float32 accuracy: Abramowitz–Stegun 7.1.26 is 1.5e-7 absolute, too coarse near 0 for a
// relative test, so |x| < 2 uses the Maclaurin series (terms fall below 1e-9 by n = 30) and
// beyond that erfc's continued fraction (as js/erf.ts, in float32).
const ERF = /* wgsl */ `
fn erf1(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let ax = abs(x);
  if (ax < 2.0) {
    let x2 = x * x;
    var term = x;
    var sum = x;
    for (var n = 1u; n < 40u; n++) {
      term = term * (-x2 / f32(n));
      let add = term / f32(2u * n + 1u);
      sum = sum + add;
      if (abs(add) < 1e-9 * abs(sum)) { break; }
    }
    return 1.1283791670955126 * sum;
  }
  if (ax > 6.0) { return sign(x); }
  return sign(x) * (1.0 - erfcLarge(ax));
}
// erfc(ax) for ax ≥ 2 by the continued fraction (no cancellation: gelu's left tail uses it).
fn erfcLarge(ax: f32) -> f32 {
  var f = ax;
  for (var k = 40u; k >= 1u; k--) { f = ax + f32(k) * 0.5 / f; }
  return exp(-ax * ax) * 0.5641895835477563 / f;
}
// 0.5·x·(1 + erf(x/√2)); left of −2√2, 1 + erf is erfc(|x|/√2), computed without cancelling.
fn gelu(v: f32) -> f32 {
  if (isNan(v) || v == -inf()) { return nan(); } // −∞·0, as js and torch
  let z = v * 0.7071067811865476;
  if (z < -2.0) { return 0.5 * v * erfcLarge(-z); } // −0 once exp(−z²) underflows, as js
  return 0.5 * v * (1.0 + erf1(z));
}`;

const UNARY = shader(
  'unary',
  ['x'],
  ['out'],
  /* wgsl */ `
${ERF}
// log(1 + y) for y ≥ 0 without losing small y (Goldberg's correction).
fn log1pf(y: f32) -> f32 {
  let u = 1.0 + y;
  if (u == 1.0) { return y; }
  return log(u) * y / (u - 1.0);
}
fn logf(x: f32) -> f32 {
  if (isNan(x) || x == inf()) { return x; }
  if (x == 0.0) { return -inf(); }
  if (x < 0.0) { return nan(); }
  return log(x);
}
fn tanhf(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let ax = abs(x);
  if (ax > 10.0) { return sign(x); }
  if (ax < 0.5) {
    // tanh x = x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 − 1382x¹¹/155925: 1e-8 relative at 0.5.
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1333333333 + x2 * (-0.0539682540 + x2 * (0.0218694885 + x2 * (-0.0088632355 + x2 * 0.0035921280))))));
  }
  let t = exp(-2.0 * ax);
  return sign(x) * (1.0 - t) / (1.0 + t);
}
fn powf(x: f32, p: f32) -> f32 {
  if (p == 0.0) { return 1.0; }
  if (isNan(x) || isNan(p)) { return nan(); }
  let ip = p == floor(p);
  let odd = ip && abs(p) < 16777216.0 && (i32(abs(p)) & 1) == 1;
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) { r = select(inf(), 0.0, p > 0.0); }
  else if (ax == inf()) { r = select(0.0, inf(), p > 0.0); }
  else if (p == 1.0) { r = ax; }
  else if (p == 2.0) { r = ax * ax; }
  else { r = exp2(p * log2(ax)); }
  if (x < 0.0 || (x == 0.0 && (bitcast<u32>(x) & 0x80000000u) != 0u)) {
    if (!ip && ax != 0.0 && ax != inf()) { return nan(); }
    if (odd) { return -r; }
  }
  return r;
}
fn run(i: u32) {
  let v = x[i];
  let op = pu(1u);
  let p = pf(2u);
  let q = pf(3u);
  var r: f32;
  switch op {
    case UNARY_NEG: { r = -v; }
    case UNARY_EXP: { r = expf(v); }
    case UNARY_LOG: { r = logf(v); }
    case UNARY_SQRT: { r = select(select(sqrt(v), nan(), v < 0.0), v, v == 0.0 || isNan(v) || v == inf()); }
    case UNARY_ABS: { r = abs(v); }
    case UNARY_SIGN: { r = select(select(v, -1.0, v < 0.0), 1.0, v > 0.0); }
    case UNARY_TANH: { r = tanhf(v); }
    case UNARY_SIGMOID: {
      if (v >= 0.0) { r = 1.0 / (1.0 + expf(-v)); } else { let e = expf(v); r = select(e / (1.0 + e), v, isNan(v)); }
    }
    case UNARY_SOFTPLUS: { r = select(select(v, 0.0, v < 0.0) + log1pf(expf(-abs(v))), v, isNan(v)); }
    case UNARY_RELU: { r = select(v, 0.0, v < 0.0); }
    case UNARY_STEP: { r = select(1.0, 0.0, v <= 0.0); }
    case UNARY_LEAKY_RELU: { r = select(p * v, v, v > 0.0); }
    case UNARY_LEAKY_STEP: { r = select(p, 1.0, v > 0.0); }
    case UNARY_GELU: { r = gelu(v); }
    case UNARY_ERF: { r = erf1(v); }
    case UNARY_GELU_GRAD: { r = 0.5 * (1.0 + erf1(v * 0.70710678)) + v * expf(-0.5 * v * v) * 0.39894228; }
    case UNARY_POW: { r = powf(v, p); }
    case UNARY_CLAMP: { let m = select(v, p, v < p); r = select(select(m, q, m > q), v, isNan(v)); }
    case UNARY_CLAMP_MASK: { r = select(0.0, 1.0, v >= p && v <= q); }
    default: { r = nan(); }
  }
  out[i] = r;
}`,
);

// out[i] = a[ia] op b[ib]: i unravelled over the output shape, each input read with stride 0 on
// its broadcast axes. Words: op, rank, then per axis (outer first) size, a's stride, b's stride.
const BINARY = shader(
  'binary',
  ['a', 'b'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) {
  let rank = pu(2u);
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = rank; d > 0u; d--) {
    let w = 3u + 3u * (d - 1u);
    let size = pu(w);
    let at = rest % size;
    rest = rest / size;
    ia += at * pu(w + 1u);
    ib += at * pu(w + 2u);
  }
  let x = a[ia];
  let y = b[ib];
  var r: f32;
  switch pu(1u) {
    case BINARY_ADD: { r = x + y; }
    case BINARY_SUB: { r = x - y; }
    case BINARY_MUL: { r = x * y; }
    case BINARY_DIV: { r = x / y; }
    case BINARY_EQ, default: { r = select(0.0, 1.0, x == y); }
  }
  out[i] = r;
}`,
);

const FILL = shader(
  'fill',
  [],
  ['out'],
  /* wgsl */ `
fn run(i: u32) { out[i] = pf(1u); }`,
);

const WHERE = shader(
  'where',
  ['cond:u32', 'a', 'b'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) { out[i] = select(b[i], a[i], cond[i] != 0u); }`,
);

/** The largest rank the binary kernel's parameter words hold. */
export const BINARY_MAX_RANK = Math.floor((KERNEL_WORDS - 2) / 3);

export function elementwiseKernels(stream: Stream) {
  return {
    unary(op: UnaryOp, x: DeviceBuffer, out: DeviceBuffer, p = 0, q = 0): void {
      stream.dispatch(UNARY, [x.buffer, out.buffer], params(out.length, [UNARY_CODE[op], f32(p), f32(q)]), out.length);
    },
    binary(
      op: BinaryOp,
      a: DeviceBuffer,
      aShape: Shape,
      b: DeviceBuffer,
      bShape: Shape,
      out: DeviceBuffer,
      outShape: Shape,
    ): void {
      const sa = broadcastStrides(aShape, outShape);
      const sb = broadcastStrides(bShape, outShape);
      const words = [BINARY_CODE[op], outShape.length];
      outShape.forEach((s, d) => words.push(s, sa[d], sb[d]));
      stream.dispatch(BINARY, [a.buffer, b.buffer, out.buffer], params(out.length, words), out.length);
    },
    fill(out: DeviceBuffer, value: number): void {
      stream.dispatch(FILL, [out.buffer], params(out.length, [f32(value)]), out.length);
    },
    where(cond: Uint8Array, a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer): void {
      stream.dispatch(
        WHERE,
        [stream.temporary(Uint32Array.from(cond)), a.buffer, b.buffer, out.buffer],
        params(out.length, []),
        out.length,
      );
    },
  };
}
