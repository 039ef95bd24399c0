// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1−p) (so the expectation is unchanged); the identity in eval mode.
// y = x ⊙ m, m fixed for the step → dx = dy ⊙ m. ONNX: Identity (inference).

import { allocData } from '../../storage.js';
import { Tensor } from '../../tensor.js';
import { random } from '../../random.js';
import { Module } from '../module.js';
import { elementwise, field, type LayerEntry } from './entry.js';

const fields = { p: field.probability };

export class Dropout extends Module {
  static readonly layer: LayerEntry<'Dropout', typeof fields, Dropout> = {
    type: 'Dropout',
    fields,
    describe: (m) => ({ p: m.p }),
    build: (s) => new Dropout(s.p),
    parameters: () => [],
    onnx: (g, _m, { input }) => g.node('Identity', [input]),
    explain: (m, ctx) => elementwise(ctx, `y = x ⊙ m / (1 − ${m.p}), m ~ Bernoulli(${1 - m.p}) (training only)`, 'dL/dx = dL/dy ⊙ m / (1 − p)'),
  };

  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const mask = allocData(x.dtype, x.size);
    const scale = 1 / (1 - this.p);
    for (let i = 0; i < mask.length; i++) mask[i] = random() < this.p ? 0 : scale;
    return x.mul(new Tensor(mask, x.shape, x.dtype));
  }
  override toString(): string { return `Dropout(${this.p})`; }
}
