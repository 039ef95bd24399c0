// AssemblyScript: axpy, scale, the norm accumulation of gradient clipping and the optimizer
// steps, f32 and f64.
//
// These follow the js kernels (js/optim.ts) operation for operation: arithmetic in f64, each
// value rounded to the array's dtype where js stores it into its typed array (and read back
// rounded where js reads it back), so both backends give the same bits. axpy and scale do that
// four f32 (two f64) lanes at a time: f32 lanes are widened to f64, combined, and narrowed, as
// js does one element at a time.

// ---- axpy and scale ----

@inline function lo32(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function hi32(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}
@inline function narrow(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** y += α·x over n f32, in place (α·x + y in f64, rounded once, as js). */
export function axpy32(y: usize, x: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const yv = v128.load(y + o);
    const xv = v128.load(x + o);
    v128.store(y + o, narrow(f64x2.add(lo32(yv), f64x2.mul(a, lo32(xv))), f64x2.add(hi32(yv), f64x2.mul(a, hi32(xv)))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

export function axpy64(y: usize, x: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(a, v128.load(x + o))));
  }
  if (i < n) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** x ← α·x over n f32, in place. */
export function scale32(x: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(x + o, narrow(f64x2.mul(lo32(v), a), f64x2.mul(hi32(v), a)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, <f32>(<f64>load<f32>(x + o) * alpha));
  }
}

export function scale64(x: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(x + o, f64x2.mul(v128.load(x + o), a));
  }
  if (i < n) {
    const o = <usize>i << 3;
    store<f64>(x + o, load<f64>(x + o) * alpha);
  }
}

// ---- the norms of gradient clipping ----

@inline function norm<T>(x: usize, n: i32, p: f64, acc: f64): f64 {
  const sz = sizeof<T>();
  if (p == Infinity) {
    for (let i = 0; i < n; i++) acc = max(acc, Math.abs(<f64>load<T>(x + <usize>i * sz)));
  } else if (p == 2) {
    for (let i = 0; i < n; i++) {
      const v = <f64>load<T>(x + <usize>i * sz);
      acc += v * v;
    }
  } else if (p == 1) {
    for (let i = 0; i < n; i++) acc += Math.abs(<f64>load<T>(x + <usize>i * sz));
  } else {
    for (let i = 0; i < n; i++) acc += Math.pow(Math.abs(<f64>load<T>(x + <usize>i * sz)), p);
  }
  return acc;
}

/** acc + Σ|x|ᵖ (max(acc, max |x|) for p = ∞) in f64, in order. */
export function normAccumulate32(x: usize, n: i32, p: f64, acc: f64): f64 {
  return norm<f32>(x, n, p, acc);
}

export function normAccumulate64(x: usize, n: i32, p: f64, acc: f64): f64 {
  return norm<f64>(x, n, p, acc);
}

// ---- optimizer steps (formulas of js/optim.ts; b, gAvg, vMax are 0 when absent) ----

@inline function sgdT<T>(p: usize, grad: usize, b: usize, n: i32, lr: f64, mu: f64, dampening: f64, nesterov: bool, wd: f64, first: bool): void {
  const sz = sizeof<T>();
  if (mu == 0 || b == 0) {
    for (let j = 0; j < n; j++) {
      const o = <usize>j * sz;
      const pj = <f64>load<T>(p + o);
      store<T>(p + o, <T>(pj - lr * (<f64>load<T>(grad + o) + wd * pj)));
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const o = <usize>j * sz;
    const pj = <f64>load<T>(p + o);
    let g = <f64>load<T>(grad + o) + wd * pj;
    const bj = <T>(first ? g : mu * <f64>load<T>(b + o) + (1 - dampening) * g);
    store<T>(b + o, bj);
    g = nesterov ? g + mu * <f64>bj : <f64>bj;
    store<T>(p + o, <T>(pj - lr * g));
  }
}

export function sgd32(p: usize, grad: usize, b: usize, n: i32, lr: f64, mu: f64, dampening: f64, nesterov: bool, wd: f64, first: bool): void {
  sgdT<f32>(p, grad, b, n, lr, mu, dampening, nesterov, wd, first);
}

export function sgd64(p: usize, grad: usize, b: usize, n: i32, lr: f64, mu: f64, dampening: f64, nesterov: bool, wd: f64, first: bool): void {
  sgdT<f64>(p, grad, b, n, lr, mu, dampening, nesterov, wd, first);
}

@inline function adamT<T>(p: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, decoupled: bool, stepSize: f64, bc2Sqrt: f64): void {
  const sz = sizeof<T>();
  for (let j = 0; j < n; j++) {
    const o = <usize>j * sz;
    let g = <f64>load<T>(grad + o);
    let pj = <f64>load<T>(p + o);
    if (decoupled) pj = <f64><T>(pj * (1 - lr * wd));
    else g += wd * pj;
    const mj = <T>(b1 * <f64>load<T>(m + o) + (1 - b1) * g);
    store<T>(m + o, mj);
    const vj = <T>(b2 * <f64>load<T>(v + o) + (1 - b2) * g * g);
    store<T>(v + o, vj);
    let vm = vj;
    if (vMax != 0) {
      vm = load<T>(vMax + o);
      if (vj > vm) {
        vm = vj;
        store<T>(vMax + o, vm);
      }
    }
    store<T>(p + o, <T>(pj - (stepSize * <f64>mj) / (Math.sqrt(<f64>vm) / bc2Sqrt + eps)));
  }
}

/** One Adam/AdamW step; stepSize = η/(1−β₁ᵗ) and bc2Sqrt = √(1−β₂ᵗ) come from the caller, as js computes them. */
export function adam32(p: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, decoupled: bool, stepSize: f64, bc2Sqrt: f64): void {
  adamT<f32>(p, grad, m, v, vMax, n, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
}

export function adam64(p: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, decoupled: bool, stepSize: f64, bc2Sqrt: f64): void {
  adamT<f64>(p, grad, m, v, vMax, n, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
}

@inline function rmspropT<T>(p: usize, grad: usize, s: usize, gAvg: usize, b: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64): void {
  const sz = sizeof<T>();
  for (let j = 0; j < n; j++) {
    const o = <usize>j * sz;
    const pj = <f64>load<T>(p + o);
    const g = <f64>load<T>(grad + o) + wd * pj;
    const sj = <T>(alpha * <f64>load<T>(s + o) + (1 - alpha) * g * g);
    store<T>(s + o, sj);
    let d: f64;
    if (gAvg != 0) {
      const aj = <T>(alpha * <f64>load<T>(gAvg + o) + (1 - alpha) * g);
      store<T>(gAvg + o, aj);
      d = Math.sqrt(<f64>sj - <f64>aj * <f64>aj) + eps;
    } else d = Math.sqrt(<f64>sj) + eps;
    if (b != 0 && mu > 0) {
      const bj = <T>(mu * <f64>load<T>(b + o) + g / d);
      store<T>(b + o, bj);
      store<T>(p + o, <T>(pj - lr * <f64>bj));
    } else store<T>(p + o, <T>(pj - (lr * g) / d));
  }
}

export function rmsprop32(p: usize, grad: usize, s: usize, gAvg: usize, b: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64): void {
  rmspropT<f32>(p, grad, s, gAvg, b, n, lr, alpha, eps, wd, mu);
}

export function rmsprop64(p: usize, grad: usize, s: usize, gAvg: usize, b: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64): void {
  rmspropT<f64>(p, grad, s, gAvg, b, n, lr, alpha, eps, wd, mu);
}
