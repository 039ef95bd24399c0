// Elementwise ops of one tensor. Each Jacobian is diagonal (seed 002), so every backward rule
// is an elementwise product dx = dy ⊙ f'(x), with dx, dy and x all of x's shape.

import { allocData, type Tensor } from '../tensor.js';
import type { UnaryOp } from '../backend/contract.js';
import { backend } from '../backend/index.js';
import { checkTensor, constantMap, output } from './node.js';

function map(
  name: string,
  kernel: UnaryOp,
  x: Tensor,
  backward: (gy: Tensor, y: Tensor) => Tensor,
  p?: number,
  q?: number,
): Tensor {
  checkTensor(name, x);
  const out = allocData(x.dtype, x.size);
  backend().unary(kernel, x.data, out, p, q);
  const y: Tensor = output(name, out, x.shape, x.dtype, [x], (gy) => [backward(gy, y)]);
  return y;
}

// y = -x → dx = -dy
export const neg = (x: Tensor): Tensor => map('neg', 'neg', x, (gy) => neg(gy));
// y = eˣ → dx = dy ⊙ y
export const exp = (x: Tensor) => map('exp', 'exp', x, (gy, y) => gy.mul(y));
// y = ln x → dx = dy / x
export const log = (x: Tensor) => map('log', 'log', x, (gy) => gy.div(x));
// y = √x → dx = dy / (2y)
export const sqrt = (x: Tensor) => map('sqrt', 'sqrt', x, (gy, y) => gy.div(y.mul(2)));
// y = |x| → dx = dy ⊙ sign(x) (0 at x = 0, as PyTorch)
export const abs = (x: Tensor) => map('abs', 'abs', x, (gy) => gy.mul(constantMap(x, 'sign')));
// y = tanh x → dx = dy ⊙ (1 − y²)
export const tanh = (x: Tensor) => map('tanh', 'tanh', x, (gy, y) => gy.mul(y.mul(y).neg().add(1)));
// y = σ(x) → dx = dy ⊙ y(1 − y)   (seed 002: σ' = σ(1−σ))
export const sigmoid = (x: Tensor) => map('sigmoid', 'sigmoid', x, (gy, y) => gy.mul(y.mul(y.neg().add(1))));
// y = ln(1 + eˣ) → dx = dy ⊙ σ(x)
export const softplus = (x: Tensor) => map('softplus', 'softplus', x, (gy) => gy.mul(sigmoid(x)));
// y = max(x, 0) → dx = dy ⊙ 1[x > 0]   (seed 002: the ReLU Jacobian is a diagonal of indicators)
export const relu = (x: Tensor) => map('relu', 'relu', x, (gy) => gy.mul(constantMap(x, 'step')));
// y = x if x > 0 else αx → dx = dy ⊙ (1 if x > 0 else α)
export const leakyRelu = (x: Tensor, slope = 0.01) =>
  map('leakyRelu', 'leakyRelu', x, (gy) => gy.mul(constantMap(x, 'leakyStep', slope)), slope);
// y = erf x → dx = dy ⊙ 2/√π e^{−x²}
export const erf = (x: Tensor) =>
  map('erf', 'erf', x, (gy) => gy.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))));
// y = x Φ(x), Φ(x) = ½(1 + erf(x/√2)) → dx = dy ⊙ (Φ(x) + x φ(x)), φ(x) = e^{−x²/2}/√(2π)
export const gelu = (x: Tensor) =>
  map('gelu', 'gelu', x, (gy) => {
    const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
    const pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
    return gy.mul(cdf.add(x.mul(pdf)));
  });

// y = xᵖ → dx = dy ⊙ p xᵖ⁻¹
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new Error(`pow: exponent must be a finite number, got ${p}`);
  return map('pow', 'pow', x, (gy) => (p === 0 ? gy.mul(0) : gy.mul(pow(x, p - 1).mul(p))), p);
}

// y = min(max(x, lo), hi) → dx = dy ⊙ 1[lo ≤ x ≤ hi]
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  return map('clamp', 'clamp', x, (gy) => gy.mul(constantMap(x, 'clampMask', min, max)), min, max);
}
