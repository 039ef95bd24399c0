// RMSprop, as torch.optim.RMSprop:
//   g ← ∇ + λθ,   s ← αs + (1−α)g²
//   centered: ḡ ← αḡ + (1−α)g, d ← √(s − ḡ²) + ε; else d ← √s + ε
//   momentum μ > 0: b ← μb + g/d, θ ← θ − ηb; else θ ← θ − η g/d

import type { Data, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;

  constructor(params: Iterable<Tensor>, options: RMSpropOptions = {}) {
    super(params, options.lr ?? 1e-2, 'RMSprop');
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.momentum = options.momentum ?? 0;
    this.centered = options.centered ?? false;
    checkHyper('RMSprop', 'alpha', this.alpha, { max: 1 });
    checkHyper('RMSprop', 'eps', this.eps);
    checkHyper('RMSprop', 'weightDecay', this.weightDecay);
    checkHyper('RMSprop', 'momentum', this.momentum);
  }

  protected update(p: Data, grad: Data, i: number): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = this;
    const s = this.buffer(i, 'squareAvg');
    const gradAvg = centered ? this.buffer(i, 'gradAvg') : null;
    const b = momentum > 0 ? this.buffer(i, 'momentum') : null;
    backend().rmsprop(p, grad, s, gradAvg, b, { lr, alpha, eps, weightDecay, momentum });
  }
}
