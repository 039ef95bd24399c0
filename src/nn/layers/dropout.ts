// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1−p) (so the expectation is unchanged); the identity in eval mode. Dropout2d zeroes whole
// channels of [N,C,H,W] (or [N,C,L]) instead: one draw per (sample, channel), as torch.nn.Dropout2d.
// y = x ⊙ m, m fixed for the step → dx = dy ⊙ m. ONNX: Identity (inference).

import type { Tensor } from '../../tensor.js';
import { dropout, dropout2d } from '../../ops/index.js';
import { Module } from '../module.js';
import { shapeStr } from '../../shape.js';
import { elementwise, field, parameterless } from './entry.js';

const fields = { p: field.probability };

/** The entry of Dropout or Dropout2d: the probability p, Identity in ONNX (inference), explain's formulas with what one draw covers. */
function entry<Type extends 'Dropout' | 'Dropout2d', M extends Module & { readonly p: number }>(
  type: Type,
  build: (p: number) => M,
  per: string,
) {
  return parameterless({
    type,
    fields,
    build: (s) => build(s.p),
    onnx: (g, _m, { input }) => g.node('Identity', [input]),
    explain: (s, ctx) =>
      elementwise(
        ctx,
        `y = x ⊙ m / (1 − ${s.p}), m ~ Bernoulli(${1 - s.p})${per} (training only)`,
        'dL/dx = dL/dy ⊙ m / (1 − p)',
      ),
  });
}

/**
 * Dropout (torch.nn.Dropout): in training mode, each element is zeroed with probability p and the
 * others scaled by 1/(1 − p); the identity in evaluation mode (model.eval()). Any shape; the
 * masks come from the seeded PRNG.
 */
export class Dropout extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = entry('Dropout', (p) => new Dropout(p), '');

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
  override label(): string {
    return `Dropout(${this.p})`;
  }
}

/**
 * Channel dropout (torch.nn.Dropout2d) of x [N, C, H, W] or [N, C, L]: in training mode, each
 * channel of each sample is zeroed with probability p and the others scaled by 1/(1 − p); the
 * identity in evaluation mode.
 */
export class Dropout2d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = entry('Dropout2d', (p) => new Dropout2d(p), ' per channel');

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
    if (x.rank !== 3 && x.rank !== 4)
      throw new Error(`${this.label()}: expected input [N,C,H,W] or [N,C,L], got ${shapeStr(x.shape)}`);
    return dropout2d(x, this.p, this.training);
  }
  override label(): string {
    return `Dropout2d(${this.p})`;
  }
}
