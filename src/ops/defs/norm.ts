// Normalisation over the last axes of a tensor, composed from ops (their gradients are those of
// the ops they are made of); layerNorm with weight and bias runs fused where the backend can. normalizedShape is the shape of those trailing axes, as in PyTorch.
//
// layerNorm: y = (x − μ) / √(σ² + ε) ⊙ w + b, μ and σ² (biased) over the normalised axes
// rmsNorm:   y = x / √(mean(x²) + ε) ⊙ w
// x:[..., *S], w, b:[*S], y: x's shape.

import { Tensor } from '../../tensor.js';
import { allocCell } from '../../cells.js';
import { kernels } from '../../backend/index.js';
import { isGradEnabled } from '../../autograd/mode.js';
import { sameShape, shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

/** Options of layerNorm and rmsNorm. */
export interface NormOptions {
  /** Added to the variance (layerNorm: 1e-5; rmsNorm: the dtype's machine epsilon, as torch's default). */
  eps?: number;
}

/** The normalised axes of x (the trailing axes matching normalizedShape), with weight and bias checked. */
function normAxes(
  op: string,
  x: Tensor,
  normalizedShape: number | readonly number[],
  params: (Tensor | null | undefined)[],
): number[] {
  checkTensor(op, x);
  const s = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (s.length === 0 || s.length > x.rank || !sameShape(x.shape.slice(x.rank - s.length), s)) {
    throw new Error(
      `${op}: normalizedShape ${shapeStr(s)} is not the trailing shape of the input ${shapeStr(x.shape)}`,
    );
  }
  for (const p of params) {
    if (p === null || p === undefined) continue;
    checkTensor(op, p, 'weight or bias');
    checkSameDtype(op, x, p);
    if (!sameShape(p.shape, s))
      throw new Error(`${op}: weight and bias must have the normalizedShape ${shapeStr(s)}, got ${shapeStr(p.shape)}`);
  }
  return s.map((_, i) => x.rank - s.length + i);
}

function epsilon(op: string, eps: number): number {
  if (!(eps >= 0 && Number.isFinite(eps))) throw new Error(`${op}: eps must be a finite number ≥ 0, got ${eps}`);
  return eps;
}

/**
 * Layer normalisation over the trailing axes given by `normalizedShape` (torch.nn.functional.layer_norm):
 * y = (x − μ) / √(σ² + ε) ⊙ weight + bias, with μ and the biased σ² over those axes; x [..., *S],
 * weight and bias [*S] or null, y of x's shape. Composed of ops, or one fused kernel and its
 * backward where the backend has them (native) and weight and bias are given.
 *
 * @example
 * ```ts
 * const y = layerNorm(x, 128, gamma, beta);   // x [N, T, 128], gamma and beta [128]
 * ```
 * @function
 */
export const layerNorm: Fn<
  (
    x: Tensor,
    normalizedShape: number | readonly number[],
    weight?: Tensor | null,
    bias?: Tensor | null,
    options?: NormOptions,
  ) => Tensor
> = defineOp({
  name: 'layerNorm',
  method: false,
  forward(
    x: Tensor,
    normalizedShape: number | readonly number[],
    weight?: Tensor | null,
    bias?: Tensor | null,
    options: NormOptions = {},
  ) {
    const axes = normAxes('layerNorm', x, normalizedShape, [weight, bias]);
    const eps = epsilon('layerNorm', options.eps ?? 1e-5);
    const fused = weight && bias ? kernels().layerNorm : undefined;
    if (!fused || !weight || !bias) {
      const centred = x.sub(x.mean(axes, true));
      let y = centred.mul(centred.mul(centred).mean(axes, true).add(eps).pow(-0.5));
      if (weight) y = y.mul(weight);
      if (bias) y = y.add(bias);
      return y;
    }
    const cols = weight.size;
    const sizes = { rows: cols === 0 ? 0 : x.size / cols, cols, eps };
    const [out, mean, rstd] = [
      allocCell(x.dtype, x.size),
      allocCell(x.dtype, sizes.rows),
      allocCell(x.dtype, sizes.rows),
    ];
    fused(x.cell, weight.cell, bias.cell, out, mean, rstd, sizes);
    return { data: out, shape: x.shape, inputs: [x, weight, bias], saved: { x, weight, mean, rstd, sizes, axes } };
  },
  // The fused pass's gradients (g = dy ⊙ w, x̂ = (x − μ)·rstd, means over the normalised axes):
  // dx = rstd·(g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)), dw = Σ_rows dy ⊙ x̂, db = Σ_rows dy; by the backward
  // kernel, or as ops (x̂ made again from x) when they must be differentiable themselves.
  backward(gy, { x, weight, mean, rstd, sizes, axes }) {
    const fused = isGradEnabled() ? undefined : kernels().layerNormBackward;
    if (fused) {
      const [gx, gw, gb] = [allocCell(x.dtype, x.size), allocCell(x.dtype, sizes.cols), allocCell(x.dtype, sizes.cols)];
      fused(x.cell, gy.cell, weight.cell, mean, rstd, gx, gw, gb, sizes);
      return [new Tensor(gx, x.shape), new Tensor(gw, weight.shape), new Tensor(gb, weight.shape)];
    }
    const centred = x.sub(x.mean(axes, true));
    const invStd = centred.mul(centred).mean(axes, true).add(sizes.eps).pow(-0.5);
    const xhat = centred.mul(invStd);
    const g = gy.mul(weight);
    const dx = g
      .sub(g.mean(axes, true))
      .sub(xhat.mul(g.mul(xhat).mean(axes, true)))
      .mul(invStd);
    const rowsOf = (t: Tensor) => t.reshape([sizes.rows, sizes.cols]).sum(0).reshape(weight.shape);
    return [dx, rowsOf(gy.mul(xhat)), rowsOf(gy)];
  },
  call: (x, a) => layerNorm(x[0], a.shape, x[1] ?? null, x[2] ?? null, { eps: a.eps }),
  torch:
    "F.layer_norm(x[0], a['shape'], x[1] if len(x) > 1 else None, x[2] if len(x) > 2 else None, eps=a.get('eps', 1e-5))",
  samples: [
    { inputs: [{ shape: [3, 5] }, { shape: [5] }, { shape: [5] }], args: { shape: [5] } },
    { inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [3, 4] }], args: { shape: [3, 4], eps: 1e-3 } },
    { inputs: [{ shape: [4, 6] }], args: { shape: [6] } },
    { inputs: [{ shape: [2, 1] }, { shape: [1] }, { shape: [1] }], args: { shape: [1] } },
  ],
  errors: [
    {
      inputs: [{ shape: [3, 5] }],
      args: { shape: [4] },
      message: 'layerNorm: normalizedShape [4] is not the trailing shape of the input [3,5]',
    },
    {
      inputs: [{ shape: [3, 5] }, { shape: [4] }],
      args: { shape: [5] },
      message: 'layerNorm: weight and bias must have the normalizedShape [5], got [4]',
    },
  ],
});

/**
 * RMS normalisation over the trailing axes given by `normalizedShape` (torch.nn.functional.rms_norm):
 * y = x / √(mean(x²) + ε) ⊙ weight, with ε by default the dtype's machine epsilon, as torch's;
 * x [..., *S], weight [*S] or null, y of x's shape. Composed of ops.
 * @function
 */
export const rmsNorm: Fn<
  (x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, options?: NormOptions) => Tensor
> = defineOp({
  name: 'rmsNorm',
  method: false,
  composite(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, options: NormOptions = {}) {
    const axes = normAxes('rmsNorm', x, normalizedShape, [weight]);
    const eps = epsilon('rmsNorm', options.eps ?? (x.dtype === 'float64' ? 2 ** -52 : 2 ** -23));
    const y = x.mul(x.mul(x).mean(axes, true).add(eps).pow(-0.5));
    return weight ? y.mul(weight) : y;
  },
  call: (x, a) => rmsNorm(x[0], a.shape, x[1] ?? null, { eps: a.eps }),
  // torch 1.13 has no F.rms_norm: its definition, with its default eps (the dtype's machine epsilon).
  torch:
    "x[0] * torch.rsqrt(x[0].pow(2).mean(dim=tuple(range(-len(a['shape']), 0)), keepdim=True) + a.get('eps', torch.finfo(x[0].dtype).eps)) * (x[1] if len(x) > 1 else 1)",
  samples: [
    { inputs: [{ shape: [3, 5] }, { shape: [5] }], args: { shape: [5] } },
    { inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }], args: { shape: [3, 4], eps: 1e-3 } },
    { inputs: [{ shape: [4, 6] }], args: { shape: [6] } },
  ],
  errors: [
    {
      inputs: [{ shape: [3, 5] }],
      args: { shape: [5], eps: -1 },
      message: 'rmsNorm: eps must be a finite number ≥ 0, got -1',
    },
  ],
});
