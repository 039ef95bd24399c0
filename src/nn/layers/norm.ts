// LayerNorm and RMSNorm over the trailing normalizedShape axes (ops/defs/norm.ts), with a learned
// elementwise weight (ones) and, for LayerNorm, bias (zeros), as torch.nn.LayerNorm and RMSNorm:
//   LayerNorm: y = (x − μ) / √(σ² + ε) ⊙ w + b      RMSNorm: y = x / √(mean(x²) + ε) ⊙ w
// Their gradients are those of the ops they are composed of. ONNX (opset 13 has neither): the
// same formulas from ReduceMean, Sub, Mul, Add, Sqrt and Div.

import { ones, zeros, type DType, type Tensor } from '../../tensor.js';
import { layerNorm, rmsNorm } from '../../ops/index.js';
import { sizeOf } from '../../shape.js';
import { Module, Parameter } from '../module.js';
import { checkParameterCount, elementwise, field, type Field, type LayerEntry, type OnnxEmitter } from './entry.js';

/** Options of nn.LayerNorm and nn.RMSNorm. */
export interface NormLayerOptions {
  /** Added to the variance (LayerNorm: default 1e-5; RMSNorm: the dtype's machine epsilon). */
  eps?: number;
  /** Learned weight (and bias, for LayerNorm); default true. */
  elementwiseAffine?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

const shapeField = {
  check: (v: unknown): v is number[] =>
    Array.isArray(v) && v.length > 0 && v.length <= 8 && v.every((d) => Number.isSafeInteger(d) && d > 0),
  expected: 'a list of 1 to 8 positive integers',
} as Field<number[]>;
const fields = { normalizedShape: shapeField, eps: field.positiveNumber, elementwiseAffine: field.boolean };

function checkShape(layer: string, normalizedShape: number | readonly number[]): number[] {
  const s = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (!shapeField.check(s))
    throw new Error(
      `${layer}: normalizedShape must be a positive integer or ${shapeField.expected}, got ${JSON.stringify(normalizedShape)}`,
    );
  checkParameterCount(`${layer}(${s.join('×')})`, 2 * s.reduce((a, d) => a * d, 1));
  return s;
}

function checkEps(layer: string, eps: number): number {
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`${layer}: eps must be a positive number, got ${eps}`);
  return eps;
}

/** x / √(mean over the last `axes` axes of `centred²` + ε), as ONNX nodes; returns [the normalised value]. */
function onnxNormalise(g: OnnxEmitter, x: string, rank: number, axes: number, eps: number): string {
  const over = Array.from({ length: axes }, (_, i) => rank - axes + i);
  const square = g.node('Mul', [x, x]);
  const meanSquare = g.node('ReduceMean', [square], { axes: { ints: over } });
  return g.node('Div', [x, g.node('Sqrt', [g.node('Add', [meanSquare, g.scalar('eps', eps)])])]);
}

/**
 * Layer normalisation over the trailing normalizedShape axes (torch.nn.LayerNorm):
 * y = (x − μ) / √(σ² + ε) ⊙ weight + bias, with μ and the biased σ² over those axes; x [..., *S],
 * y of x's shape; weight (ones) and bias (zeros) are [*S].
 *
 * @example
 * ```ts
 * const ln = new nn.LayerNorm(128);
 * const y = ln.forward(x);   // x [N, T, 128]: each row of 128 normalised
 * ```
 */
export class LayerNorm extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'LayerNorm', typeof fields, LayerNorm> = {
    type: 'LayerNorm',
    fields,
    describe: (m) => ({ normalizedShape: [...m.normalizedShape], eps: m.eps, elementwiseAffine: m.weight !== null }),
    build: (s, dtype) =>
      new LayerNorm(s.normalizedShape, { eps: s.eps, elementwiseAffine: s.elementwiseAffine, dtype }),
    parameters: (s) =>
      s.elementwiseAffine
        ? [
            { name: 'weight', shape: s.normalizedShape, torch: 'same' },
            { name: 'bias', shape: s.normalizedShape, torch: 'same' },
          ]
        : [],
    onnx: (g, m, { input, inputShape }) => {
      const rank = inputShape.length + 1;
      const over = Array.from({ length: m.normalizedShape.length }, (_, i) => rank - m.normalizedShape.length + i);
      const centred = g.node('Sub', [input, g.node('ReduceMean', [input], { axes: { ints: over } })]);
      const y = onnxNormalise(g, centred, rank, m.normalizedShape.length, m.eps);
      return m.weight && m.bias
        ? g.node('Add', [g.node('Mul', [y, g.tensor('weight', m.weight)]), g.tensor('bias', m.bias)])
        : y;
    },
    explain: (s, ctx) => ({
      ...elementwise(
        ctx,
        `y = (x − μ) / √(σ² + ${s.eps}) ⊙ w + b over the last ${s.normalizedShape.length} axes`,
        'the gradient of the composed ops (mean, sub, mul, pow, add)',
      ),
      ...(s.elementwiseAffine
        ? {
            parameters: {
              count: 2 * sizeOf(s.normalizedShape),
              detail: `w ${s.normalizedShape.join('×')} + b ${s.normalizedShape.join('×')}`,
            },
          }
        : {}),
    }),
  };

  /** The shape S of the normalised trailing axes. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** The learnt scale, [*S] (starts at 1), or null without elementwiseAffine. */
  readonly weight: Parameter | null;
  /** The learnt shift, [*S] (starts at 0), or null without elementwiseAffine. */
  readonly bias: Parameter | null;

  /**
   * Layer normalisation over trailing axes of this shape.
   * @param normalizedShape - The trailing shape S: a number for the last axis, or a list.
   */
  constructor(normalizedShape: number | readonly number[], options: NormLayerOptions = {}) {
    super();
    this.normalizedShape = checkShape('LayerNorm', normalizedShape);
    this.eps = checkEps('LayerNorm', options.eps ?? 1e-5);
    const dtype = options.dtype ?? 'float32';
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  /** layerNorm(x) over the trailing axes: x [..., *S] → the same shape. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override label(): string {
    return `LayerNorm(${this.normalizedShape.join('×')})`;
  }
}

/**
 * RMS normalisation over the trailing normalizedShape axes (torch.nn.RMSNorm):
 * y = x / √(mean(x²) + ε) ⊙ weight; x [..., *S], y of x's shape; weight (ones) is [*S].
 */
export class RMSNorm extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'RMSNorm', typeof fields, RMSNorm> = {
    type: 'RMSNorm',
    fields,
    describe: (m) => ({ normalizedShape: [...m.normalizedShape], eps: m.eps, elementwiseAffine: m.weight !== null }),
    build: (s, dtype) => new RMSNorm(s.normalizedShape, { eps: s.eps, elementwiseAffine: s.elementwiseAffine, dtype }),
    parameters: (s) => (s.elementwiseAffine ? [{ name: 'weight', shape: s.normalizedShape, torch: 'same' }] : []),
    onnx: (g, m, { input, inputShape }) => {
      const y = onnxNormalise(g, input, inputShape.length + 1, m.normalizedShape.length, m.eps);
      return m.weight ? g.node('Mul', [y, g.tensor('weight', m.weight)]) : y;
    },
    explain: (s, ctx) => ({
      ...elementwise(
        ctx,
        `y = x / √(mean(x²) + ${s.eps}) ⊙ w over the last ${s.normalizedShape.length} axes`,
        'the gradient of the composed ops (mul, mean, pow, add)',
      ),
      ...(s.elementwiseAffine
        ? { parameters: { count: sizeOf(s.normalizedShape), detail: `w ${s.normalizedShape.join('×')}` } }
        : {}),
    }),
  };

  /** The shape S of the normalised trailing axes. */
  readonly normalizedShape: readonly number[];
  /** Added to the mean square. */
  readonly eps: number;
  /** The learnt scale, [*S] (starts at 1), or null without elementwiseAffine. */
  readonly weight: Parameter | null;

  /**
   * RMS normalisation over trailing axes of this shape; eps defaults to the dtype's machine epsilon (2⁻²³ for float32, 2⁻⁵² for float64), torch's default.
   * @param normalizedShape - The trailing shape S: a number for the last axis, or a list.
   */
  constructor(normalizedShape: number | readonly number[], options: NormLayerOptions = {}) {
    super();
    this.normalizedShape = checkShape('RMSNorm', normalizedShape);
    const dtype = options.dtype ?? 'float32';
    this.eps = checkEps('RMSNorm', options.eps ?? (dtype === 'float64' ? 2 ** -52 : 2 ** -23));
    this.weight = (options.elementwiseAffine ?? true) ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
  }

  /** rmsNorm(x) over the trailing axes: x [..., *S] → the same shape. */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, { eps: this.eps });
  }

  override label(): string {
    return `RMSNorm(${this.normalizedShape.join('×')})`;
  }
}
