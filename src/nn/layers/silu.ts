// SiLU (swish), torch.nn.SiLU: y = x·σ(x).
// Gradient, elementwise: dy/dx = σ(x) + x·σ(x)(1 − σ(x)) = σ(x)(1 + x(1 − σ(x))), so
//   dL/dx = dL/dy ⊙ σ(x)(1 + x(1 − σ(x)))   [same shape as x]
// The forward is the silu op (ops/defs/silu.ts).
// ONNX (opset 13 has no SiLU): Mul(x, Sigmoid(x)). For float64 models x / (1 + Exp(−x)) instead,
// still in double (no Casts): ONNX Runtime's CPU provider has double Sigmoid and Mul, but its graph
// optimiser fuses Mul(x, Sigmoid(x)) into com.microsoft.QuickGelu, which has only a float kernel,
// so a double model with that pattern fails to load there (onnxruntime-node 1.30).

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { elementwise, parameterless } from './entry.js';

/** SiLU (swish), x·σ(x) elementwise, any shape (torch.nn.SiLU). */
export class SiLU extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'SiLU',
    build: () => new SiLU(),
    onnx: (g, _m, { input: x }) =>
      g.dtype === 'float32'
        ? g.node('Mul', [x, g.node('Sigmoid', [x])])
        : g.node('Div', [x, g.node('Add', [g.node('Exp', [g.node('Neg', [x])]), g.scalar('one', 1)])]),
    explain: (_s, ctx) => elementwise(ctx, 'y = x·σ(x)', 'dL/dx = dL/dy ⊙ σ(x)(1 + x(1 − σ(x)))'),
  });

  /** silu(x), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}
