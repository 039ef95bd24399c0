// Linear: the seeds' y = xW + b with x:[N,in], W:[in,out], b:[out], y:[N,out].
// Gradients are those of the ops it stands for (matmul, add; the linear op, ops/defs/linear.ts, fuses them into one
// backend call, with a following ReLU when Sequential finds one, as the entry's fusions declare):
//   dL/dx = dL/dy·Wᵀ  [N,in]    dL/dW = xᵀ·dL/dy  [in,out]    dL/db = Σ_N dL/dy  [out]
// In files: W is [in, out] (Keras' layout, the seeds'); PyTorch's layout stores it [out, in].
// ONNX: MatMul(x, W[in,out]) then Add(b), which works for inputs of any rank.

import { zeros, type DType, type Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { linear } from '../../ops/index.js';
import { glorotNormal_, glorotUniform_, heNormal_, heUniform_ } from '../init.js';
import { Module, Parameter } from '../module.js';
import { checkParameterCount, field, type LayerEntry } from './entry.js';

/** Weight initialisers of nn.Linear (see nn.init): He (Kaiming) or Glorot (Xavier), uniform or normal. */
export type LinearInit = 'heUniform' | 'heNormal' | 'glorotUniform' | 'glorotNormal';

/** Options of nn.Linear. */
export interface LinearOptions {
  /** Learn a bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
  /** Weight initialiser (default He uniform, suited to ReLU); the bias starts at zero. */
  init?: LinearInit;
}

const initialisers = {
  heUniform: heUniform_,
  heNormal: heNormal_,
  glorotUniform: glorotUniform_,
  glorotNormal: glorotNormal_,
};

const fields = { inFeatures: field.positiveInt, outFeatures: field.positiveInt, bias: field.boolean };

/**
 * A fully connected layer, y = xW + b (torch.nn.Linear): x [..., inFeatures] → y [..., outFeatures].
 * W is [inFeatures, outFeatures], Keras' layout and the seeds' (PyTorch stores the transpose,
 * [out, in]; model files say which); b is [outFeatures]. The weight starts He-uniform by default (see
 * `init`), the bias at zero. For 1-D and 2-D inputs one fused product computes xW + b (and a
 * following ReLU in a Sequential).
 *
 * @example
 * ```ts
 * const fc = new nn.Linear(784, 128);
 * const h = fc.forward(x);   // [N, 784] → [N, 128]
 * ```
 */
export class Linear extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'Linear', typeof fields, Linear> = {
    type: 'Linear',
    fields,
    describe: (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
    build: (s, dtype) => new Linear(s.inFeatures, s.outFeatures, { bias: s.bias, dtype }),
    parameters: (s) => [
      { name: 'weight', shape: [s.inFeatures, s.outFeatures], torch: 'transpose' },
      ...(s.bias ? [{ name: 'bias', shape: [s.outFeatures], torch: 'same' } as const] : []),
    ],
    onnx: (g, m, { input }) => {
      const y = g.node('MatMul', [input, g.tensor('weight', m.weight)]);
      return m.bias ? g.node('Add', [y, g.tensor('bias', m.bias)]) : y;
    },
    explain: (s, { batch, shape, inputGrad }) => {
      const [a, b, bias] = [s.inFeatures, s.outFeatures, s.bias];
      // A sample of several positions ([T, in] after an Embedding or LSTM): every position is a row.
      const positions = shape && shape.length > 1 ? shape.slice(0, -1).reduce((p, d) => p * d, 1) : 1;
      const n = positions > 1 ? `${batch}·${positions}` : `${batch}`;
      const lines = [
        `  forward   y = x·W + b           : [${n}×${a}]·[${a}×${b}] + [${b}] → [${n}×${b}]`,
        `  backward  dL/dW = xᵀ · dL/dy     : [${a}×${n}]·[${n}×${b}] → [${a}×${b}]`,
        ...(bias ? [`            dL/db = Σ_N dL/dy      : [${n}×${b}] → [${b}]`] : []),
        inputGrad
          ? `            dL/dx = dL/dy · Wᵀ     : [${n}×${b}]·[${b}×${a}] → [${n}×${a}]`
          : `            dL/dx = dL/dy · Wᵀ     : not needed, x is the input`,
      ];
      const rows = batch * positions;
      const forward = 2 * rows * a * b + (bias ? rows * b : 0);
      return {
        parameters: { count: a * b + (bias ? b : 0), detail: `W ${a}×${b}${bias ? ` + b ${b}` : ''}` },
        lines,
        flops: { forward, backward: forward + (inputGrad ? 2 * rows * a * b : 0) },
        width: b,
        ...(positions > 1 ? { shape: [...shape!.slice(0, -1), b] } : {}),
      };
    },
    summary: (s) => `Linear(${s.inFeatures}→${s.outFeatures}${s.bias ? '' : ', no bias'})`,
    fusions: { ReLU: (m, x) => m.forwardAct(x, true) },
  };

  /** The size of each input row. */
  readonly inFeatures: number;
  /** The size of each output row. */
  readonly outFeatures: number;
  /** W, [inFeatures, outFeatures]. */
  readonly weight: Parameter;
  /** b, [outFeatures], or null without a bias. */
  readonly bias: Parameter | null;

  /**
   * A Linear layer of inFeatures → outFeatures; throws for non-positive sizes or an unknown initialiser.
   * @param inFeatures - The size of each input row.
   * @param outFeatures - The size of each output row.
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    checkParameterCount(
      `Linear(${inFeatures}→${outFeatures})`,
      inFeatures * outFeatures + (options.bias === false ? 0 : outFeatures),
    );
    const init = options.init ?? 'heUniform';
    if (!(init in initialisers))
      throw new Error(`Linear: unknown init '${init}' (use ${Object.keys(initialisers).join(', ')})`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(initialisers[init](zeros([inFeatures, outFeatures], { dtype })));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
  }

  /** xW + b: x [..., inFeatures] (any rank ≥ 1) → [..., outFeatures]; the dtype must be the weights'. */
  forward(x: Tensor): Tensor {
    return this.forwardAct(x, false);
  }

  /** forward(x), followed by ReLU when `relu` (fused into the product for 1-D and 2-D inputs). */
  forwardAct(x: Tensor, relu: boolean): Tensor {
    const features = x.shape[x.rank - 1];
    if (x.rank < 1 || features !== this.inFeatures) {
      throw new Error(
        `${this.label()}: input has ${features ?? 'no'} features, expected ${this.inFeatures} (input shape ${shapeStr(x.shape)})`,
      );
    }
    if (x.dtype !== this.weight.dtype)
      throw new Error(`${this.label()}: input is ${x.dtype} but the layer's weights are ${this.weight.dtype}`);
    if (x.rank > 2) {
      const y = x.matmul(this.weight);
      const z = this.bias ? y.add(this.bias) : y;
      return relu ? z.relu() : z;
    }
    const y = linear(x.rank === 1 ? x.reshape([1, features]) : x, this.weight, this.bias, relu);
    return x.rank === 1 ? y.reshape([this.outFeatures]) : y;
  }

  override label(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures})`;
  }
}
