// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1−p) (so the expectation is unchanged); the identity in eval mode. Dropout2d zeroes whole
// channels of [N,C,H,W] (or [N,C,L]) instead: one draw per (sample, channel), as torch.nn.Dropout2d.
// y = x ⊙ m, m fixed for the step → dx = dy ⊙ m. ONNX: Identity (inference).

import type { Tensor } from '../../tensor.js';
import { dropout, dropout2d } from '../../ops/index.js';
import { Module } from '../module.js';
import { shapeStr } from '../../shape.js';
import { elementwise, field, type LayerEntry } from './entry.js';

const fields = { p: field.probability };

/**
 * Dropout (torch.nn.Dropout): in training mode, each element is zeroed with probability p and the
 * others scaled by 1/(1 − p); the identity in evaluation mode (model.eval()). Any shape; the
 * masks come from the seeded PRNG.
 */
export class Dropout extends Module {
  /**
   * The layer's table entry (src/nn/layers/entry.ts): its model-file fields, its parameters with
   * their PyTorch layout, its ONNX nodes and its `nabla explain` lines.
   * @internal
   */
  static readonly layer: LayerEntry<'Dropout', typeof fields, Dropout> = {
    type: 'Dropout',
    fields,
    describe: (m) => ({ p: m.p }),
    build: (s) => new Dropout(s.p),
    parameters: () => [],
    onnx: (g, _m, { input }) => g.node('Identity', [input]),
    explain: (s, ctx) => elementwise(ctx, `y = x ⊙ m / (1 − ${s.p}), m ~ Bernoulli(${1 - s.p}) (training only)`, 'dL/dx = dL/dy ⊙ m / (1 − p)'),
  };

  /**
   * A dropout layer with drop probability p.
   * @param p - The probability of zeroing an element, in [0, 1) (default 0.5).
   */
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  /** dropout(x, p) in training mode, x itself in evaluation mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
  override toString(): string { return `Dropout(${this.p})`; }
}

/**
 * Channel dropout (torch.nn.Dropout2d) of x [N, C, H, W] or [N, C, L]: in training mode, each
 * channel of each sample is zeroed with probability p and the others scaled by 1/(1 − p); the
 * identity in evaluation mode.
 */
export class Dropout2d extends Module {
  /**
   * The layer's table entry (src/nn/layers/entry.ts): its model-file fields, its parameters with
   * their PyTorch layout, its ONNX nodes and its `nabla explain` lines.
   * @internal
   */
  static readonly layer: LayerEntry<'Dropout2d', typeof fields, Dropout2d> = {
    type: 'Dropout2d',
    fields,
    describe: (m) => ({ p: m.p }),
    build: (s) => new Dropout2d(s.p),
    parameters: () => [],
    onnx: (g, _m, { input }) => g.node('Identity', [input]),
    explain: (s, ctx) => elementwise(ctx, `y = x ⊙ m / (1 − ${s.p}), m ~ Bernoulli(${1 - s.p}) per channel (training only)`, 'dL/dx = dL/dy ⊙ m / (1 − p)'),
  };

  /**
   * A channel dropout layer with drop probability p.
   * @param p - The probability of zeroing a channel, in [0, 1) (default 0.5).
   */
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout2d: p must be in [0, 1), got ${p}`);
  }
  /** dropout2d(x, p) in training mode, x itself in evaluation mode; x [N, C, H, W] or [N, C, L]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 3 && x.rank !== 4) throw new Error(`${this}: expected input [N,C,H,W] or [N,C,L], got ${shapeStr(x.shape)}`);
    return dropout2d(x, this.p, this.training);
  }
  override toString(): string { return `Dropout2d(${this.p})`; }
}
