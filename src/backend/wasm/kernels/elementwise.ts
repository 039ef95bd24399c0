// AssemblyScript: f32 elementwise maps, broadcast binaries and the column sum (the bias
// gradient), four lanes at a time. Mostly operations whose f32 result is the js backend's
// (IEEE +, −, ×, ÷, √, comparisons, selects), so both backends agree bit for bit, except where
// a parameter (leakyRelu's slope, clamp's bounds) is not exactly representable in f32, and
// tanh, a rational approximation within a few f32 ulps of Math.tanh.
//
// Each exported kernel switches on the op once, outside the loop: the loop bodies are inlined
// with the op as a constant, so each op gets its own loop.

// Unary op codes (kept in step with UNARY_CODES in ../elementwise.ts).
const NEG = 0, ABS = 1, SQRT = 2, RELU = 3, STEP = 4, LEAKY_RELU = 5, LEAKY_STEP = 6, CLAMP = 7, CLAMP_MASK = 8, TANH = 9;

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


@inline function map(op: i32, v: v128, p: v128, q: v128, zero: v128, one: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(v);
    case ABS: return f32x4.abs(v);
    case SQRT: return f32x4.sqrt(v);
    case RELU: return v128.bitselect(v, zero, f32x4.gt(v, zero));
    case STEP: return v128.bitselect(one, zero, f32x4.gt(v, zero));
    case LEAKY_RELU: return v128.bitselect(v, f32x4.mul(v, p), f32x4.gt(v, zero));
    case LEAKY_STEP: return v128.bitselect(one, p, f32x4.gt(v, zero));
    // min(max(x, lo), hi) as JS's Math.min/max: NaN in, NaN out.
    case CLAMP: return f32x4.min(f32x4.max(v, p), q);
    case CLAMP_MASK: return v128.bitselect(one, zero, v128.and(f32x4.ge(v, p), f32x4.le(v, q)));
    case TANH: return tanh4(v);
  }
  return v;
}

@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32, p: f32, q: f32): void {
  const pv = f32x4.splat(p);
  const qv = f32x4.splat(q);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, map(op, v128.load(x + o), pv, qv, zero, one));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(map(op, f32x4.splat(load<f32>(x + o)), pv, qv, zero, one), 0));
  }
}

export function unary32(op: i32, x: usize, out: usize, n: i32, p: f32, q: f32): void {
  switch (op) {
    case NEG: unaryLoop(NEG, x, out, n, p, q); break;
    case ABS: unaryLoop(ABS, x, out, n, p, q); break;
    case SQRT: unaryLoop(SQRT, x, out, n, p, q); break;
    case RELU: unaryLoop(RELU, x, out, n, p, q); break;
    case STEP: unaryLoop(STEP, x, out, n, p, q); break;
    case LEAKY_RELU: unaryLoop(LEAKY_RELU, x, out, n, p, q); break;
    case LEAKY_STEP: unaryLoop(LEAKY_STEP, x, out, n, p, q); break;
    case CLAMP: unaryLoop(CLAMP, x, out, n, p, q); break;
    case CLAMP_MASK: unaryLoop(CLAMP_MASK, x, out, n, p, q); break;
    case TANH: unaryLoop(TANH, x, out, n, p, q); break;
  }
}

// Binary op codes (BINARY_CODES in ../elementwise.ts).
const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

@inline function zip(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
  }
  return a;
}

@inline function zip1(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
  }
  return a;
}

@inline function binaryLoop(op: i32, a: usize, b: usize, out: usize, n: i32, period: i32, bFirst: bool): void {
  for (let r = 0; r < n; r += period) {
    const ar = a + (<usize>r << 2);
    const or = out + (<usize>r << 2);
    let j = 0;
    for (; j + 4 <= period; j += 4) {
      const o = <usize>j << 2;
      const x = v128.load(ar + o);
      const y = v128.load(b + o);
      v128.store(or + o, bFirst ? zip(op, y, x) : zip(op, x, y));
    }
    for (; j < period; j++) {
      const o = <usize>j << 2;
      const x = load<f32>(ar + o);
      const y = load<f32>(b + o);
      store<f32>(or + o, bFirst ? zip1(op, y, x) : zip1(op, x, y));
    }
  }
}

/**
 * out = a ∘ b where a has n elements and b repeats with period `period` (n for the same
 * shape, `cols` for a row [cols] against a [rows, cols] matrix); `bFirst` computes b ∘ a instead,
 * for a row on the left.
 */
export function binary32(op: i32, a: usize, b: usize, out: usize, n: i32, period: i32, bFirst: bool): void {
  switch (op) {
    case ADD: binaryLoop(ADD, a, b, out, n, period, bFirst); break;
    case SUB: binaryLoop(SUB, a, b, out, n, period, bFirst); break;
    case MUL: binaryLoop(MUL, a, b, out, n, period, bFirst); break;
    case DIV: binaryLoop(DIV, a, b, out, n, period, bFirst); break;
  }
}

/** out[c] = Σ_r x[r, c], rows summed in order (as the js kernel does), four columns at a time. */
export function sumColumns32(x: usize, out: usize, rows: i32, cols: i32): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let acc = f32x4.splat(0);
    let p = x + (<usize>c << 2);
    const stride = <usize>cols << 2;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(p));
      p += stride;
    }
    v128.store(out + (<usize>c << 2), acc);
  }
  for (; c < cols; c++) {
    let acc: f32 = 0;
    for (let r = 0; r < rows; r++) acc += load<f32>(x + ((<usize>r * cols + c) << 2));
    store<f32>(out + (<usize>c << 2), acc);
  }
}

/** y += α·x over n elements, in place. */
export function axpy32(y: usize, x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}
