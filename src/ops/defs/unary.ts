// Elementwise ops of one tensor. Each Jacobian is diagonal (y_i depends on x_i alone), so every
// backward rule is an elementwise product dx = dy ⊙ f'(x), with dx, dy and x all of x's shape.

import { checkTensor, constantMap } from '../node.js';
import { elementwise, notATensor, plain } from '../elementwise.js';
import { allocCell } from '../../cells.js';
import { kernels } from '../../backend/index.js';
import type { Tensor } from '../../tensor.js';
import { defineOp, type Fn, type Method, type Sample } from '../op.js';

const positive: Sample[] = [
  { inputs: [{ shape: [3, 4], positive: true }] },
  { inputs: [{ shape: [1], positive: true }] },
  { inputs: [{ shape: [30, 40], positive: true }] },
];

/** −x, elementwise (torch.neg); also `x.neg()`. @function */
// y = -x → dx = -dy
export const neg: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'neg',
  kernel: 'neg',
  backward: (gy) => gy.neg(),
  torch: '-x[0]',
});
/** eˣ, elementwise (torch.exp); also `x.exp()`. @function */
// y = eˣ → dx = dy ⊙ y
export const exp: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'exp',
  kernel: 'exp',
  backward: (gy, _x, y) => gy.mul(y),
  torch: 'x[0].exp()',
  secondOrder: true,
});
/** The natural logarithm, elementwise (torch.log): −∞ at 0, NaN below; also `x.log()`. @function */
// y = ln x → dx = dy / x
export const log: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'log',
  kernel: 'log',
  backward: (gy, x) => gy.div(x),
  torch: 'x[0].log()',
  samples: positive,
  secondOrder: true,
});
/** √x, elementwise (torch.sqrt): NaN below 0; also `x.sqrt()`. @function */
// y = √x → dx = dy / (2y)
export const sqrt: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'sqrt',
  kernel: 'sqrt',
  backward: (gy, _x, y) => gy.div(y.mul(2)),
  torch: 'x[0].sqrt()',
  samples: positive,
});
/** |x|, elementwise (torch.abs); its gradient at 0 is 0, as PyTorch's. Also `x.abs()`. @function */
// y = |x| → dx = dy ⊙ sign(x) (0 at x = 0, as PyTorch)
export const abs: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'abs',
  kernel: 'abs',
  backward: (gy, x) => gy.mul(constantMap(x, 'sign')),
  torch: 'x[0].abs()',
});
/** tanh x, elementwise (torch.tanh); also `x.tanh()`. @function */
// y = tanh x → dx = dy ⊙ (1 − y²)
export const tanh: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'tanh',
  kernel: 'tanh',
  backward: (gy, _x, y) => gy.mul(y.mul(y).neg().add(1)),
  torch: 'x[0].tanh()',
  secondOrder: true,
});
/**
 * The logistic function σ(x) = 1 / (1 + e⁻ˣ), elementwise (torch.sigmoid), computed without
 * overflow for large |x|; also `x.sigmoid()`.
 *
 * @example
 * ```ts
 * sigmoid(tensor([-50, 0, 50])).toArray();   // [≈0, 0.5, 1]
 * const p = logits.sigmoid();                 // probabilities, logits' shape
 * ```
 * @function
 */
// y = σ(x) → dx = dy ⊙ y(1 − y)   (σ' = σ(1−σ))
export const sigmoid: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'sigmoid',
  kernel: 'sigmoid',
  backward: (gy, _x, y) => gy.mul(y.mul(y.neg().add(1))),
  torch: 'x[0].sigmoid()',
  secondOrder: true,
  samples: [...plain, { inputs: [{ shape: [4], values: [-50, -2, 3, 50] }] }],
});
/** ln(1 + eˣ), elementwise (torch.nn.functional.softplus with beta 1), a smooth ReLU; also `x.softplus()`. @function */
// y = ln(1 + eˣ) → dx = dy ⊙ σ(x)
export const softplus: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'softplus',
  kernel: 'softplus',
  backward: (gy, x) => gy.mul(sigmoid(x)),
  torch: 'F.softplus(x[0])',
  secondOrder: true,
  samples: [...plain, { inputs: [{ shape: [6], values: [-40, -3, -0.1, 0.2, 5, 40] }] }],
});
/**
 * max(x, 0), elementwise (torch.relu): NaN stays NaN, and the gradient at 0 is 0. Also `x.relu()`.
 *
 * @example
 * ```ts
 * relu(tensor([-1, 0, 2])).toArray();   // [0, 0, 2]
 * const h = x.matmul(w).relu();         // [N, out]
 * ```
 * @function
 */
// y = max(x, 0) → dx = dy ⊙ 1[x > 0]   (the ReLU Jacobian is a diagonal of indicators)
export const relu: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'relu',
  kernel: 'relu',
  backward: (gy, x) => gy.mul(constantMap(x, 'step')),
  torch: 'x[0].relu()',
});
/**
 * x where x > 0, else slope·x, elementwise (torch.nn.functional.leaky_relu; slope default 0.01);
 * also `x.leakyRelu(slope)`.
 * @function
 */
// y = x if x > 0 else αx → dx = dy ⊙ (1 if x > 0 else α)
export const leakyRelu: Method<(x: Tensor, slope?: number) => Tensor> = elementwise({
  name: 'leakyRelu',
  kernel: 'leakyRelu',
  params: (slope: number = 0.01) => [slope],
  backward: (gy, x, _y, slope) => gy.mul(constantMap(x, 'leakyStep', slope)),
  call: (x, a) => leakyRelu(x[0], a.slope),
  torch: "F.leaky_relu(x[0], a.get('slope', 0.01))",
  samples: [
    { inputs: [{ shape: [3, 4] }] },
    { inputs: [{ shape: [2, 5] }], args: { slope: 0.2 } },
    { inputs: [{ shape: [32, 40] }], args: { slope: 0.1 } },
  ],
});
/** The error function erf x = 2/√π ∫₀ˣ e^{−t²} dt, elementwise (torch.erf); also `x.erf()`. @function */
// y = erf x → dx = dy ⊙ 2/√π e^{−x²}
export const erf: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'erf',
  kernel: 'erf',
  backward: (gy, x) =>
    gy.mul(
      x
        .mul(x)
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
  torch: 'torch.erf(x[0])',
  samples: [...plain, { inputs: [{ shape: [6], values: [-6.5, -3.2, -2.99, 0.01, 3.01, 5] }] }],
});
/**
 * GELU with the exact normal CDF, x·Φ(x), elementwise (torch.nn.functional.gelu); see geluTanh
 * for GPT-2's approximation. Also `x.gelu()`.
 * @function
 */
// y = x Φ(x), Φ(x) = ½(1 + erf(x/√2)) → dx = dy ⊙ (Φ(x) + x φ(x)), φ(x) = e^{−x²/2}/√(2π)
export const gelu: Method<(x: Tensor) => Tensor> = elementwise({
  name: 'gelu',
  kernel: 'gelu',
  backward: (gy, x) => gy.mul(geluGrad(x)),
  torch: 'F.gelu(x[0])',
  samples: [...plain, { inputs: [{ shape: [6], values: [-7, -3.5, -1, 0.3, 2.9, 4] }] }],
});

/**
 * GELU's derivative Φ(x) + x·φ(x), elementwise (φ: the standard normal density), one map: what
 * gelu's backward multiplies the incoming gradient by (torch.ops.aten.gelu_backward of ones).
 * @function
 */
// y = Φ(x) + x φ(x), φ'(x) = −x φ(x) → dx = dy ⊙ φ(x)(2 − x²)
export const geluGrad: Fn<(x: Tensor) => Tensor> = defineOp({
  name: 'geluGrad',
  method: false,
  forward(x: Tensor) {
    checkTensor('geluGrad', x);
    const data = allocCell(x.dtype, x.size);
    kernels().unary('geluGrad', x.cell, data);
    return { data, shape: x.shape, inputs: [x], saved: x };
  },
  backward: (gy, x) => [
    gy.mul(
      x
        .mul(x)
        .mul(-0.5)
        .exp()
        .mul(1 / Math.sqrt(2 * Math.PI))
        .mul(x.mul(x).neg().add(2)),
    ),
  ],
  call: (x) => geluGrad(x[0]),
  torch: 'torch.ops.aten.gelu_backward(torch.ones_like(x[0]), x[0])',
  samples: [...plain, { inputs: [{ shape: [6], values: [-7, -3.5, -1, 0.3, 2.9, 4] }] }],
  errors: notATensor('geluGrad'),
  secondOrder: true,
});
/**
 * GELU's tanh approximation, GPT-2's: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), elementwise
 * (torch.nn.functional.gelu(x, approximate='tanh')); also `x.geluTanh()`.
 * @function
 */
// GPT-2's GELU, the tanh approximation: y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), composed of
// ops (its gradient is theirs); torch's F.gelu(x, approximate='tanh').
export const geluTanh: Method<(x: Tensor) => Tensor> = defineOp({
  name: 'geluTanh',
  method: true,
  composite(x: Tensor) {
    checkTensor('geluTanh', x);
    return x
      .mul(
        x
          .mul(x)
          .mul(0.044715)
          .add(1)
          .mul(x)
          .mul(Math.sqrt(2 / Math.PI))
          .tanh()
          .add(1),
      )
      .mul(0.5);
  },
  torch: "F.gelu(x[0], approximate='tanh')",
  // Not the far tails: there 1 + tanh(·) cancels, and backends' tanh differ in the last bits.
  samples: [...plain, { inputs: [{ shape: [6], values: [-2.5, -1, -0.2, 0.3, 1.7, 3] }] }],
  errors: [{ inputs: [], message: 'geluTanh: input must be a Tensor' }],
});
/**
 * xᵖ for a finite number p, elementwise (torch.pow with a scalar exponent): NaN for a negative x
 * and a fractional p. Also `x.pow(p)`.
 *
 * @example
 * ```ts
 * pow(tensor([1, 2, 3]), 2).toArray();   // [1, 4, 9]
 * const rms = x.pow(2).mean().sqrt();    // a scalar
 * ```
 * @function
 */
// y = xᵖ → dx = dy ⊙ p xᵖ⁻¹
export const pow: Method<(x: Tensor, p: number) => Tensor> = elementwise({
  name: 'pow',
  kernel: 'pow',
  params: (p: number) => {
    if (typeof p !== 'number' || !Number.isFinite(p))
      throw new Error(`pow: exponent must be a finite number, got ${p}`);
    return [p];
  },
  backward: (gy, x, _y, p) => (p === 0 ? gy.mul(0) : gy.mul(pow(x, p - 1).mul(p))),
  call: (x, a) => pow(x[0], a.p),
  torch: "x[0] ** a['p']",
  samples: [
    { inputs: [{ shape: [3, 4] }], args: { p: 3 } },
    { inputs: [{ shape: [2, 3], positive: true }], args: { p: 0.5 } },
    { inputs: [{ shape: [2, 3], positive: true }], args: { p: -1.5 } },
    { inputs: [{ shape: [4] }], args: { p: 2 } },
    { inputs: [{ shape: [30, 40], positive: true }], args: { p: 1.5 } },
  ],
  errors: [{ inputs: [{ shape: [2] }], args: { p: NaN }, message: 'pow: exponent must be a finite number, got NaN' }],
  secondOrder: true,
});
/**
 * x limited to [min, max], elementwise (torch.clamp); a bound left out is ±∞. The gradient passes
 * where min ≤ x ≤ max and is 0 elsewhere. Throws when min > max. Also `x.clamp(min, max)`.
 * @function
 */
// y = min(max(x, lo), hi) → dx = dy ⊙ 1[lo ≤ x ≤ hi]
export const clamp: Method<(x: Tensor, min?: number, max?: number) => Tensor> = elementwise({
  name: 'clamp',
  kernel: 'clamp',
  params: (min: number = -Infinity, max: number = Infinity) => {
    if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
    return [min, max];
  },
  backward: (gy, x, _y, min, max) => gy.mul(constantMap(x, 'clampMask', min, max)),
  call: (x, a) => clamp(x[0], a.min, a.max),
  torch: "x[0].clamp(a['min'], a['max'])",
  samples: [
    { inputs: [{ shape: [4, 5] }], args: { min: -0.5, max: 0.7 } },
    { inputs: [{ shape: [30, 40] }], args: { min: -1, max: 0.5 } },
  ],
  errors: [{ inputs: [{ shape: [2] }], args: { min: 1, max: 0 }, message: 'clamp: min 1 is greater than max 0' }],
});
/** x limited below by `min`, elementwise (torch.clamp_min): clamp(x, min). Also `x.clampMin(min)`. @function */
export const clampMin: Method<(x: Tensor, min: number) => Tensor> = defineOp({
  name: 'clampMin',
  method: true,
  composite(x: Tensor, min: number) {
    checkTensor('clampMin', x);
    return clamp(x, min);
  },
  call: (x, a) => clampMin(x[0], a.min),
  torch: "x[0].clamp_min(a['min'])",
  samples: [{ inputs: [{ shape: [4, 5] }], args: { min: -0.3 } }],
  errors: [{ inputs: [], message: 'clampMin: input must be a Tensor' }],
});
/** x limited above by `max`, elementwise (torch.clamp_max): clamp(x, −∞, max). Also `x.clampMax(max)`. @function */
export const clampMax: Method<(x: Tensor, max: number) => Tensor> = defineOp({
  name: 'clampMax',
  method: true,
  composite(x: Tensor, max: number) {
    checkTensor('clampMax', x);
    return clamp(x, -Infinity, max);
  },
  call: (x, a) => clampMax(x[0], a.max),
  torch: "x[0].clamp_max(a['max'])",
  samples: [{ inputs: [{ shape: [4, 5] }], args: { max: 0.4 } }],
  errors: [{ inputs: [], message: 'clampMax: input must be a Tensor' }],
});
