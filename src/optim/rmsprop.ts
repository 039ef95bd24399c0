// RMSprop, as torch.optim.RMSprop:
//   g ← ∇ + λθ,   s ← αs + (1−α)g²
//   centered: ḡ ← αḡ + (1−α)g, d ← √(s − ḡ²) + ε; else d ← √s + ε
//   momentum μ > 0: b ← μb + g/d, θ ← θ − ηb; else θ ← θ − η g/d

import type { Cell } from '../cells.js';
import type { Tensor } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

/** Options of RMSprop (torch.optim.RMSprop's, in camelCase). */
export interface RMSpropOptions {
  /** The learning rate η (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the square average, in [0, 1] (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalise by the estimated variance, √(s − ḡ²), instead of √s (default false). */
  centered?: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop): g ← ∇ + λθ; s ← αs + (1−α)g²; d ← √s + ε (centered:
 * √(s − ḡ²) + ε with ḡ ← αḡ + (1−α)g); θ ← θ − η·g/d, or with momentum b ← μb + g/d, θ ← θ − ηb.
 */
export class RMSprop extends Optimizer {
  /** The smoothing constant α. */
  readonly alpha: number;
  /** The denominator's ε. */
  readonly eps: number;
  /** The L2 penalty λ. */
  readonly weightDecay: number;
  /** The momentum factor μ. */
  readonly momentum: number;
  /** Whether it is centered. */
  readonly centered: boolean;

  /** RMSprop over these parameters; throws for invalid hyper-parameters. */
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

  /** One RMSprop step of parameter i (its squareAvg and, when used, gradAvg and momentum buffers). @internal */
  protected override updateCells(p: Cell, grad: Cell, i: number): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = this;
    const s = this.cell(i, 'squareAvg');
    const gradAvg = centered ? this.cell(i, 'gradAvg') : null;
    const b = momentum > 0 ? this.cell(i, 'momentum') : null;
    kernels().rmsprop(p, grad, s, gradAvg, b, { lr, alpha, eps, weightDecay, momentum });
  }
}
