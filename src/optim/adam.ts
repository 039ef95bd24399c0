// Adam and AdamW, as torch.optim.Adam / AdamW (t counts steps from 1):
//   g ← ∇ + λθ (Adam's L2)            or  θ ← θ(1 − ηλ) (AdamW's decoupled decay)
//   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   v̂max ← max(v̂max, v) with amsgrad
//   θ ← θ − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)

import type { Data, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, name = 'Adam', defaultDecay = 0) {
    super(params, options.lr ?? 1e-3, name);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultDecay;
    this.amsgrad = options.amsgrad ?? false;
    for (const b of this.betas) if (!(b >= 0 && b < 1)) throw new Error(`${name}: invalid beta ${b}`);
    checkHyper(name, 'eps', this.eps);
    checkHyper(name, 'weightDecay', this.weightDecay);
  }

  protected update(p: Data, grad: Data, i: number): void {
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay, decoupled } = this;
    const m = this.buffer(i, 'expAvg');
    const v = this.buffer(i, 'expAvgSq');
    const vMax = this.amsgrad ? this.buffer(i, 'maxExpAvgSq') : null;
    backend().adam(p, grad, m, v, vMax, { lr, beta1, beta2, eps, weightDecay, decoupled, step: this.steps[i] });
  }
}

/** Adam with decoupled weight decay (default λ = 0.01, as PyTorch). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, 'AdamW', 0.01);
  }
}
