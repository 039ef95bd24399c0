// Elementwise activations: ReLU, Sigmoid, Tanh, GELU (exact, with Φ), LeakyReLU.
// Their gradients are the ops' (ops/): the entries here say how they are saved, exported and explained.
// ONNX (opset 13):
//   ReLU, Sigmoid, Tanh → Relu, Sigmoid, Tanh
//   LeakyReLU → LeakyRelu(alpha); float64: Relu(x) + α·Min(x, 0), exact, as ONNX Runtime's CPU
//               provider has no double LeakyRelu
//   GELU      → 0.5·x·(1 + Erf(x/√2)) (opset 13 has Erf but no Gelu); for float64 models Erf runs
//               in float32 between two Casts, because ONNX Runtime's CPU provider has no double
//               Erf: about 1e-7 relative error there

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { elementwise, field, onnxGelu, parameterless } from './entry.js';

/** The entry of an activation without fields that ONNX has as one op: that op, and explain's forward and backward formulas. */
function activation<Type extends string, M extends Module>(
  type: Type,
  build: () => M,
  onnxOp: string,
  forward: string,
  backward: string,
) {
  return parameterless({
    type,
    build,
    onnx: (g, _m, { input }) => g.node(onnxOp, [input]),
    explain: (_s, ctx) => elementwise(ctx, forward, backward),
  });
}

/** ReLU, y = max(x, 0) elementwise, any shape (torch.nn.ReLU). A ReLU right after a Linear in a Sequential runs fused into its product. */
export class ReLU extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = activation('ReLU', () => new ReLU(), 'Relu', 'y = max(0, x)', 'dL/dx = dL/dy ⊙ 1[x > 0]');

  /** relu(x), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** The logistic function σ(x) = 1 / (1 + e⁻ˣ) elementwise, any shape (torch.nn.Sigmoid). */
export class Sigmoid extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = activation(
    'Sigmoid',
    () => new Sigmoid(),
    'Sigmoid',
    'y = σ(x) = 1 / (1 + e^(−x))',
    'dL/dx = dL/dy ⊙ y(1 − y)',
  );

  /** sigmoid(x), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh elementwise, any shape (torch.nn.Tanh). */
export class Tanh extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = activation('Tanh', () => new Tanh(), 'Tanh', 'y = tanh(x)', 'dL/dx = dL/dy ⊙ (1 − y²)');

  /** tanh(x), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** GELU with the exact normal CDF, x·Φ(x) elementwise, any shape (torch.nn.GELU). */
export class GELU extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'GELU',
    build: () => new GELU(),
    onnx: (g, _m, { input }) => onnxGelu(g, input),
    explain: (_s, ctx) => elementwise(ctx, 'y = x·Φ(x)', 'dL/dx = dL/dy ⊙ (Φ(x) + x·φ(x))'),
  });

  /** gelu(x), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}

const leakyFields = { negativeSlope: field.finiteNumber };

/** Leaky ReLU, x where x > 0 else negativeSlope·x, elementwise, any shape (torch.nn.LeakyReLU). */
export class LeakyReLU extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'LeakyReLU',
    fields: leakyFields,
    build: (s) => new LeakyReLU(s.negativeSlope),
    onnx: (g, m, { input: x }) => {
      if (g.dtype === 'float32') return g.node('LeakyRelu', [x], { alpha: { float: m.negativeSlope } });
      return g.node('Add', [
        g.node('Relu', [x]),
        g.node('Mul', [g.node('Min', [x, g.scalar('zero', 0)]), g.scalar('alpha', m.negativeSlope)]),
      ]);
    },
    explain: (s, ctx) =>
      elementwise(
        ctx,
        `y = x if x > 0 else ${s.negativeSlope}·x`,
        `dL/dx = dL/dy ⊙ (1 if x > 0 else ${s.negativeSlope})`,
      ),
  });

  /**
   * A leaky ReLU with this slope for x < 0.
   * @param negativeSlope - The slope for x < 0 (default 0.01, as PyTorch).
   */
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  /** leakyRelu(x, negativeSlope), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}
