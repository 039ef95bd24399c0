// AssemblyScript: elementwise maps and broadcast binaries, f32 and f64.
//
// SIMD (four f32 or two f64 lanes) for the maps made of IEEE +, −, ×, ÷, √, comparisons and
// selects, whose results are the js backend's bit for bit (except where a parameter such as
// leakyRelu's slope or clamp's bounds is not exactly representable in f32), and for f32 tanh,
// exp, sigmoid, erf and gelu, approximations within a few f32 ulps of js's (gelu: 7 ulps on
// [−6, 12], measured on 2M points). The other transcendentals (log, softplus, pow; f64 exp,
// sigmoid, tanh, erf, gelu) are scalar and computed in f64 with
// AssemblyScript's Math (ports of musl, within an ulp, as V8's are), so both dtypes agree with
// js to the last bit or two; erf is the js backend's own series and continued fraction.
//
// Each exported kernel switches on the op once, outside the loop: the loop bodies are inlined
// with the op as a constant, so each op gets its own loop.

import {
  BINARY_ADD, BINARY_DIV, BINARY_EQ, BINARY_MUL, BINARY_SUB, UNARY_ABS, UNARY_CLAMP, UNARY_CLAMP_MASK, UNARY_ERF,
  UNARY_EXP, UNARY_GELU, UNARY_GELU_GRAD, UNARY_LEAKY_RELU, UNARY_LEAKY_STEP, UNARY_LOG, UNARY_NEG, UNARY_POW, UNARY_RELU,
  UNARY_SIGMOID, UNARY_SIGN, UNARY_SOFTPLUS, UNARY_SQRT, UNARY_STEP, UNARY_TANH,
} from './codes';

/**
 * tanh(x) ≈ x·P(x²)/Q(x²) on x clamped to ±7.9053 (where f32 tanh is ±1), the [13/6] rational
 * approximation Eigen uses for float; |x| < 4e-4 returns x (tanh x = x in f32 there).
 */
@inline function tanh4(v: v128): v128 {
  const c = f32x4.splat(7.90531110763549805);
  const x = f32x4.max(f32x4.min(v, c), f32x4.neg(c));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(-2.76076847742355e-16)), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(x, p);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(1.19825839466702e-6)), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(2.268434632439e-3));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(4.89352518554385e-3));
  const tiny = f32x4.lt(f32x4.abs(v), f32x4.splat(0.0004));
  return v128.bitselect(v, f32x4.div(p, q), tiny);
}

/**
 * eˣ for four f32 lanes, within about 2 f32 ulps: x = k·ln2 + r (Cody–Waite, ln2 split so that
 * k·ln2_hi is exact), |r| ≤ ln2/2, eʳ by its Taylor polynomial to r⁷ (truncation error below
 * 6e-9 relative), times 2ᵏ built in two factors so that results down to the subnormals and up
 * to the overflow to ∞ come out as f32 rounds them. NaN in, NaN out.
 */
@inline function exp4(v: v128): v128 {
  const x = f32x4.max(f32x4.min(v, f32x4.splat(89)), f32x4.splat(-104));
  const kf = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(kf, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(kf, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.0 / 5040);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const k = i32x4.trunc_sat_f32x4_s(kf); // −150 … 128
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** σ(x) as the js kernel writes it (1/(1+e⁻ˣ) for x ≥ 0, eˣ/(1+eˣ) below), with exp4. */
@inline function sigmoid4(v: v128, zero: v128, one: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(v)));
  return f32x4.div(v128.bitselect(one, e, f32x4.ge(v, zero)), f32x4.add(one, e));
}

@inline function horner(t: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32, c7: f32, c8: f32, c9: f32): v128 {
  let r = f32x4.add(f32x4.mul(f32x4.splat(c9), t), f32x4.splat(c8));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c7));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c6));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c5));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c4));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c3));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c2));
  r = f32x4.add(f32x4.mul(r, t), f32x4.splat(c1));
  return f32x4.add(f32x4.mul(r, t), f32x4.splat(c0));
}

/**
 * erf(z)/z for |z| < 1/2: the Maclaurin series 2/√π Σ (−1)ⁿ z²ⁿ/(n!(2n+1)) to n = 11 (the rest is
 * below 1e-13 relative), in z².
 */
@inline function erfOverZ4(z: v128): v128 {
  const u = f32x4.mul(z, z);
  const r = horner(u, 0.0052239776254421879, -0.00085483270234508522, 0.00012055332981789664, -1.492565035840625e-05,
    1.6462114365889246e-06, -1.6365844691234924e-07, 1.4807192815879218e-08, -1.2290555301717926e-09, 0, 0);
  let s = f32x4.add(f32x4.mul(r, u), f32x4.splat(-0.026866170645131252));
  s = f32x4.add(f32x4.mul(s, u), f32x4.splat(0.11283791670955126));
  s = f32x4.add(f32x4.mul(s, u), f32x4.splat(-0.37612638903183754));
  return f32x4.add(f32x4.mul(s, u), f32x4.splat(1.1283791670955126));
}

/**
 * erfc(z) for z ≥ 1/2 (lanes below are computed at 1/2), where z² = k·w² (erf: w = z, k = 1; gelu:
 * w = |x|, k = 1/2, so that the exponential sees x itself, not the rounded x/√2): e^(−z²)·R(t),
 * t = 1/(1 + z/2), R a degree-9 least-squares fit of e^(z²)·erfc(z) on [0.5, 10.5] (4e-9
 * relative). e^(−k·w²) = e^(−k·s²)·e^(k·(s−w)(s+w)) with s = w cut to 12 bits, so that s² is
 * exact and no rounding of w² is amplified by the exponential. w is capped at wMax, where erfc
 * is 0 in f32 (so ∞ gives 0, not NaN).
 */
@inline function erfc4(z: v128, w: v128, k: f32, wMax: f32): v128 {
  const zc = f32x4.min(f32x4.max(z, f32x4.splat(0.5)), f32x4.splat(10.5));
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(zc, f32x4.splat(0.5))));
  const r = horner(t, 3.5650922370289944e-06, 0.28198399584395295, 0.28359822517675071, 0.23511817190597908, 0.23421767416498412,
    -0.10500194841764456, 0.4012507312475655, -0.60577714664986171, 0.34829061067303213, -0.073690479148884949);
  const wc = f32x4.min(w, f32x4.splat(wMax));
  const s = v128.and(wc, i32x4.splat(0xfffff000));
  const kv = f32x4.splat(k);
  const e = f32x4.mul(exp4(f32x4.neg(f32x4.mul(kv, f32x4.mul(s, s)))), exp4(f32x4.mul(kv, f32x4.mul(f32x4.sub(s, wc), f32x4.add(s, wc)))));
  return f32x4.mul(e, r);
}

const SIGN_BIT = 0x80000000;

/** erf for four f32 lanes, within a few f32 ulps of js's (its absolute error below 1e-7). */
@inline function erf4(v: v128): v128 {
  const a = f32x4.abs(v);
  const r = v128.bitselect(f32x4.mul(a, erfOverZ4(a)), f32x4.sub(f32x4.splat(1), erfc4(a, a, 1, 10.5)), f32x4.lt(a, f32x4.splat(0.5)));
  return v128.or(r, v128.and(v, i32x4.splat(SIGN_BIT)));
}

/**
 * x·(1 + erf(x/√2))/2 for four f32 lanes, 1 + erf(z) taken as 2 − erfc(z) or erfc(−z) where it
 * would cancel, so the negative tail keeps its relative accuracy.
 */
@inline function gelu4(v: v128, zero: v128, one: v128): v128 {
  const z = f32x4.mul(v, f32x4.splat(0.70710678118654752));
  const a = f32x4.abs(z);
  const neg = f32x4.lt(z, zero);
  const e = f32x4.mul(a, erfOverZ4(a)); // erf(|z|) for |z| < 1/2
  const c = erfc4(a, f32x4.abs(v), 0.5, 14.9); // erfc(|z|) for |z| ≥ 1/2
  const near = v128.bitselect(f32x4.sub(one, e), f32x4.add(one, e), neg);
  const far = v128.bitselect(c, f32x4.sub(f32x4.splat(2), c), neg);
  const onePlusErf = v128.bitselect(near, far, f32x4.lt(a, f32x4.splat(0.5)));
  return f32x4.mul(f32x4.mul(f32x4.splat(0.5), v), onePlusErf);
}

/** gelu's derivative (1 + erf(x/√2))/2 + x·e^(−x²/2)/√(2π) for four f32 lanes, native's gelu_grad_f32 op for op. */
@inline function geluGrad4(v: v128, one: v128): v128 {
  const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(one, erf4(f32x4.mul(v, f32x4.splat(0.70710678118654752)))));
  const e = exp4(f32x4.mul(f32x4.mul(f32x4.splat(-0.5), v), v));
  return f32x4.add(cdf, f32x4.mul(f32x4.mul(v, e), f32x4.splat(0.39894228040143268)));
}

@inline function map32(op: i32, v: v128, p: v128, q: v128, zero: v128, one: v128): v128 {
  switch (op) {
    case UNARY_NEG: return f32x4.neg(v);
    case UNARY_ABS: return f32x4.abs(v);
    case UNARY_SQRT: return f32x4.sqrt(v);
    case UNARY_RELU: return v128.bitselect(zero, v, f32x4.lt(v, zero));
    case UNARY_STEP: return v128.bitselect(zero, one, f32x4.le(v, zero));
    case UNARY_LEAKY_RELU: return v128.bitselect(v, f32x4.mul(v, p), f32x4.gt(v, zero));
    case UNARY_LEAKY_STEP: return v128.bitselect(one, p, f32x4.gt(v, zero));
    // min(max(x, lo), hi) as JS's Math.min/max: NaN in, NaN out.
    case UNARY_CLAMP: return f32x4.min(f32x4.max(v, p), q);
    case UNARY_CLAMP_MASK: return v128.bitselect(one, zero, v128.and(f32x4.ge(v, p), f32x4.le(v, q)));
    case UNARY_TANH: return tanh4(v);
    // Math.sign: ±1, and x itself for ±0 and NaN.
    case UNARY_SIGN: return v128.bitselect(one, v128.bitselect(f32x4.neg(one), v, f32x4.lt(v, zero)), f32x4.gt(v, zero));
    case UNARY_EXP: return exp4(v);
    case UNARY_SIGMOID: return sigmoid4(v, zero, one);
    case UNARY_ERF: return erf4(v);
    case UNARY_GELU: return gelu4(v, zero, one);
    case UNARY_GELU_GRAD: return geluGrad4(v, one);
  }
  return v;
}

@inline function map64(op: i32, v: v128, p: v128, q: v128, zero: v128, one: v128): v128 {
  switch (op) {
    case UNARY_NEG: return f64x2.neg(v);
    case UNARY_ABS: return f64x2.abs(v);
    case UNARY_SQRT: return f64x2.sqrt(v);
    case UNARY_RELU: return v128.bitselect(zero, v, f64x2.lt(v, zero));
    case UNARY_STEP: return v128.bitselect(zero, one, f64x2.le(v, zero));
    case UNARY_LEAKY_RELU: return v128.bitselect(v, f64x2.mul(p, v), f64x2.gt(v, zero));
    case UNARY_LEAKY_STEP: return v128.bitselect(one, p, f64x2.gt(v, zero));
    case UNARY_CLAMP: return f64x2.min(f64x2.max(v, p), q);
    case UNARY_CLAMP_MASK: return v128.bitselect(one, zero, v128.and(f64x2.ge(v, p), f64x2.le(v, q)));
    case UNARY_SIGN: return v128.bitselect(one, v128.bitselect(f64x2.neg(one), v, f64x2.lt(v, zero)), f64x2.gt(v, zero));
  }
  return v;
}

const TWO_OVER_SQRT_PI: f64 = 2 / Math.sqrt(Math.PI);
const SQRT_PI: f64 = Math.sqrt(Math.PI);
const INV_SQRT_2PI: f64 = 1 / Math.sqrt(2 * Math.PI);

/** erf(x) to about 1e-15, the js backend's algorithm (js/erf.ts) step for step. */
export function erf(x: f64): f64 {
  if (isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / <f64>n;
      const add = term / <f64>(2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const s: f64 = x > 0 ? 1 : -1;
  if (ax > 6) return s;
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + <f64>k / 2 / f;
  const erfc = Math.exp(-ax * ax) / SQRT_PI / f;
  return s * (1 - erfc);
}

/** The maps computed one f64 at a time, as the js kernel computes them. */
@inline function map1(op: i32, v: f64, p: f64): f64 {
  switch (op) {
    case UNARY_TANH: return Math.tanh(v);
    case UNARY_EXP: return Math.exp(v);
    case UNARY_LOG: return Math.log(v);
    case UNARY_SIGMOID: {
      // Two forms so that exp never overflows.
      if (v >= 0) return 1 / (1 + Math.exp(-v));
      const e = Math.exp(v);
      return e / (1 + e);
    }
    case UNARY_SOFTPLUS: return max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v)));
    case UNARY_GELU: return 0.5 * v * (1 + erf(v * Math.SQRT1_2));
    case UNARY_ERF: return erf(v);
    case UNARY_GELU_GRAD: return 0.5 * (1 + erf(v * Math.SQRT1_2)) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
    case UNARY_POW: return Math.pow(v, p);
  }
  return v;
}

@inline function unaryLoop32(op: i32, x: usize, out: usize, n: i32, p: f32, q: f32): void {
  const pv = f32x4.splat(p);
  const qv = f32x4.splat(q);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, map32(op, v128.load(x + o), pv, qv, zero, one));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(map32(op, f32x4.splat(load<f32>(x + o)), pv, qv, zero, one), 0));
  }
}

@inline function unaryLoop64(op: i32, x: usize, out: usize, n: i32, p: f64, q: f64): void {
  const pv = f64x2.splat(p);
  const qv = f64x2.splat(q);
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, map64(op, v128.load(x + o), pv, qv, zero, one));
  }
  if (i < n) {
    const o = <usize>i << 3;
    store<f64>(out + o, f64x2.extract_lane(map64(op, f64x2.splat(load<f64>(x + o)), pv, qv, zero, one), 0));
  }
}

@inline function scalarLoop<T>(op: i32, x: usize, out: usize, n: i32, p: f64): void {
  const sz = sizeof<T>();
  for (let i = 0; i < n; i++) {
    const o = <usize>i * sz;
    store<T>(out + o, <T>map1(op, <f64>load<T>(x + o), p));
  }
}

/** out = op(x) over n f32 (out may be x); p, q are the op's parameters. */
export function unary32(op: i32, x: usize, out: usize, n: i32, p: f64, q: f64): void {
  const p32 = <f32>p, q32 = <f32>q;
  switch (op) {
    case UNARY_NEG: unaryLoop32(UNARY_NEG, x, out, n, p32, q32); break;
    case UNARY_ABS: unaryLoop32(UNARY_ABS, x, out, n, p32, q32); break;
    case UNARY_SQRT: unaryLoop32(UNARY_SQRT, x, out, n, p32, q32); break;
    case UNARY_RELU: unaryLoop32(UNARY_RELU, x, out, n, p32, q32); break;
    case UNARY_STEP: unaryLoop32(UNARY_STEP, x, out, n, p32, q32); break;
    case UNARY_LEAKY_RELU: unaryLoop32(UNARY_LEAKY_RELU, x, out, n, p32, q32); break;
    case UNARY_LEAKY_STEP: unaryLoop32(UNARY_LEAKY_STEP, x, out, n, p32, q32); break;
    case UNARY_CLAMP: unaryLoop32(UNARY_CLAMP, x, out, n, p32, q32); break;
    case UNARY_CLAMP_MASK: unaryLoop32(UNARY_CLAMP_MASK, x, out, n, p32, q32); break;
    case UNARY_TANH: unaryLoop32(UNARY_TANH, x, out, n, p32, q32); break;
    case UNARY_SIGN: unaryLoop32(UNARY_SIGN, x, out, n, p32, q32); break;
    case UNARY_EXP: unaryLoop32(UNARY_EXP, x, out, n, p32, q32); break;
    case UNARY_LOG: scalarLoop<f32>(UNARY_LOG, x, out, n, p); break;
    case UNARY_SIGMOID: unaryLoop32(UNARY_SIGMOID, x, out, n, p32, q32); break;
    case UNARY_SOFTPLUS: scalarLoop<f32>(UNARY_SOFTPLUS, x, out, n, p); break;
    case UNARY_GELU: unaryLoop32(UNARY_GELU, x, out, n, p32, q32); break;
    case UNARY_ERF: unaryLoop32(UNARY_ERF, x, out, n, p32, q32); break;
    case UNARY_POW: scalarLoop<f32>(UNARY_POW, x, out, n, p); break;
    case UNARY_GELU_GRAD: unaryLoop32(UNARY_GELU_GRAD, x, out, n, p32, q32); break;
  }
}

/** out = op(x) over n f64 (out may be x). */
export function unary64(op: i32, x: usize, out: usize, n: i32, p: f64, q: f64): void {
  switch (op) {
    case UNARY_NEG: unaryLoop64(UNARY_NEG, x, out, n, p, q); break;
    case UNARY_ABS: unaryLoop64(UNARY_ABS, x, out, n, p, q); break;
    case UNARY_SQRT: unaryLoop64(UNARY_SQRT, x, out, n, p, q); break;
    case UNARY_RELU: unaryLoop64(UNARY_RELU, x, out, n, p, q); break;
    case UNARY_STEP: unaryLoop64(UNARY_STEP, x, out, n, p, q); break;
    case UNARY_LEAKY_RELU: unaryLoop64(UNARY_LEAKY_RELU, x, out, n, p, q); break;
    case UNARY_LEAKY_STEP: unaryLoop64(UNARY_LEAKY_STEP, x, out, n, p, q); break;
    case UNARY_CLAMP: unaryLoop64(UNARY_CLAMP, x, out, n, p, q); break;
    case UNARY_CLAMP_MASK: unaryLoop64(UNARY_CLAMP_MASK, x, out, n, p, q); break;
    case UNARY_SIGN: unaryLoop64(UNARY_SIGN, x, out, n, p, q); break;
    case UNARY_TANH: scalarLoop<f64>(UNARY_TANH, x, out, n, p); break;
    case UNARY_EXP: scalarLoop<f64>(UNARY_EXP, x, out, n, p); break;
    case UNARY_LOG: scalarLoop<f64>(UNARY_LOG, x, out, n, p); break;
    case UNARY_SIGMOID: scalarLoop<f64>(UNARY_SIGMOID, x, out, n, p); break;
    case UNARY_SOFTPLUS: scalarLoop<f64>(UNARY_SOFTPLUS, x, out, n, p); break;
    case UNARY_GELU: scalarLoop<f64>(UNARY_GELU, x, out, n, p); break;
    case UNARY_ERF: scalarLoop<f64>(UNARY_ERF, x, out, n, p); break;
    case UNARY_POW: scalarLoop<f64>(UNARY_POW, x, out, n, p); break;
    case UNARY_GELU_GRAD: scalarLoop<f64>(UNARY_GELU_GRAD, x, out, n, p); break;
  }
}

// ---- binary maps with broadcasting ----

@inline function zip<T>(op: i32, a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) {
    switch (op) {
      case BINARY_ADD: return f32x4.add(a, b);
      case BINARY_SUB: return f32x4.sub(a, b);
      case BINARY_MUL: return f32x4.mul(a, b);
      case BINARY_DIV: return f32x4.div(a, b);
      case BINARY_EQ: return v128.and(f32x4.eq(a, b), f32x4.splat(1));
    }
  } else {
    switch (op) {
      case BINARY_ADD: return f64x2.add(a, b);
      case BINARY_SUB: return f64x2.sub(a, b);
      case BINARY_MUL: return f64x2.mul(a, b);
      case BINARY_DIV: return f64x2.div(a, b);
      case BINARY_EQ: return v128.and(f64x2.eq(a, b), f64x2.splat(1));
    }
  }
  return a;
}

@inline function zip1<T>(op: i32, a: T, b: T): T {
  switch (op) {
    case BINARY_ADD: return a + b;
    case BINARY_SUB: return a - b;
    case BINARY_MUL: return a * b;
    case BINARY_DIV: return a / b;
    case BINARY_EQ: return a == b ? <T>1 : <T>0;
  }
  return a;
}

@inline function splat<T>(v: T): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>v);
  return f64x2.splat(<f64>v);
}

/**
 * One output row of len elements: a and b step by 1 or stay put (the row broadcast along the
 * innermost axis), as `mode` says: 3 both step, 2 a only, 1 b only, 0 neither.
 */
@inline function zipRow<T>(op: i32, mode: i32, a: usize, b: usize, out: usize, len: i32): void {
  const sz = sizeof<T>();
  const lanes: i32 = 16 / sz;
  let j = 0;
  if (mode == 3) {
    for (; j + lanes <= len; j += lanes) {
      const o = <usize>j * sz;
      v128.store(out + o, zip<T>(op, v128.load(a + o), v128.load(b + o)));
    }
    for (; j < len; j++) {
      const o = <usize>j * sz;
      store<T>(out + o, zip1<T>(op, load<T>(a + o), load<T>(b + o)));
    }
  } else if (mode == 2) {
    const s = load<T>(b);
    const sv = splat<T>(s);
    for (; j + lanes <= len; j += lanes) {
      const o = <usize>j * sz;
      v128.store(out + o, zip<T>(op, v128.load(a + o), sv));
    }
    for (; j < len; j++) {
      const o = <usize>j * sz;
      store<T>(out + o, zip1<T>(op, load<T>(a + o), s));
    }
  } else if (mode == 1) {
    const s = load<T>(a);
    const sv = splat<T>(s);
    for (; j + lanes <= len; j += lanes) {
      const o = <usize>j * sz;
      v128.store(out + o, zip<T>(op, sv, v128.load(b + o)));
    }
    for (; j < len; j++) {
      const o = <usize>j * sz;
      store<T>(out + o, zip1<T>(op, s, load<T>(b + o)));
    }
  } else {
    const v = zip1<T>(op, load<T>(a), load<T>(b));
    for (; j < len; j++) store<T>(out + <usize>j * sz, v);
  }
}

/**
 * The n-d walk: rank dims at `dims` (i32), a's and b's element strides at `sa`, `sb` (0 on
 * broadcast axes; the innermost ones are 0 or 1), `idx` rank zeroed i32 of scratch.
 */
@inline function zipNd<T>(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, rank: i32, dims: usize, sa: usize, sb: usize, idx: usize): void {
  const sz = sizeof<T>();
  const last = rank - 1;
  const len = load<i32>(dims + (<usize>last << 2));
  let ia = 0, ib = 0;
  for (let o = 0; o < n; o += len) {
    zipRow<T>(op, mode, a + <usize>ia * sz, b + <usize>ib * sz, out + <usize>o * sz, len);
    for (let d = last - 1; d >= 0; d--) {
      const od = <usize>d << 2;
      const i = load<i32>(idx + od) + 1;
      const sad = load<i32>(sa + od), sbd = load<i32>(sb + od);
      ia += sad;
      ib += sbd;
      const dim = load<i32>(dims + od);
      if (i < dim) {
        store<i32>(idx + od, i);
        break;
      }
      ia -= sad * dim;
      ib -= sbd * dim;
      store<i32>(idx + od, 0);
    }
  }
}

@inline function binaryModes<T>(op: i32, a: usize, b: usize, out: usize, n: i32, rank: i32, dims: usize, sa: usize, sb: usize, idx: usize): void {
  const last = <usize>(rank - 1) << 2;
  const mode = (load<i32>(sa + last) != 0 ? 2 : 0) | (load<i32>(sb + last) != 0 ? 1 : 0);
  switch (mode) {
    case 3: zipNd<T>(op, 3, a, b, out, n, rank, dims, sa, sb, idx); break;
    case 2: zipNd<T>(op, 2, a, b, out, n, rank, dims, sa, sb, idx); break;
    case 1: zipNd<T>(op, 1, a, b, out, n, rank, dims, sa, sb, idx); break;
    default: zipNd<T>(op, 0, a, b, out, n, rank, dims, sa, sb, idx); break;
  }
}

@inline function binaryOps<T>(op: i32, a: usize, b: usize, out: usize, n: i32, rank: i32, dims: usize, sa: usize, sb: usize, idx: usize): void {
  switch (op) {
    case BINARY_ADD: binaryModes<T>(BINARY_ADD, a, b, out, n, rank, dims, sa, sb, idx); break;
    case BINARY_SUB: binaryModes<T>(BINARY_SUB, a, b, out, n, rank, dims, sa, sb, idx); break;
    case BINARY_MUL: binaryModes<T>(BINARY_MUL, a, b, out, n, rank, dims, sa, sb, idx); break;
    case BINARY_DIV: binaryModes<T>(BINARY_DIV, a, b, out, n, rank, dims, sa, sb, idx); break;
    case BINARY_EQ: binaryModes<T>(BINARY_EQ, a, b, out, n, rank, dims, sa, sb, idx); break;
  }
}

/**
 * out = a ∘ b with NumPy broadcasting: out has n elements in `rank` (≥ 1) axes of sizes `dims`;
 * a and b are read at element strides `sa`, `sb` per axis (0 where broadcast).
 */
export function binary32(op: i32, a: usize, b: usize, out: usize, n: i32, rank: i32, dims: usize, sa: usize, sb: usize, idx: usize): void {
  binaryOps<f32>(op, a, b, out, n, rank, dims, sa, sb, idx);
}

export function binary64(op: i32, a: usize, b: usize, out: usize, n: i32, rank: i32, dims: usize, sa: usize, sb: usize, idx: usize): void {
  binaryOps<f64>(op, a, b, out, n, rank, dims, sa, sb, idx);
}
