// Adam and AdamW, as torch.optim.Adam / AdamW (t counts steps from 1):
//   g ← ∇ + λθ (Adam's L2)            or  θ ← θ(1 − ηλ) (AdamW's decoupled decay)
//   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   v̂max ← max(v̂max, v) with amsgrad
//   θ ← θ − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)

import type { Cell } from '../cells.js';
import type { Tensor } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

/** Options of Adam and AdamW (torch.optim.Adam's, in camelCase). */
export interface AdamOptions {
  /** The learning rate η (default 1e-3). */
  lr?: number;
  /** Decay rates β₁, β₂ of the moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0 for Adam, 0.01 for AdamW). */
  weightDecay?: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad?: boolean;
}

/**
 * Adam (torch.optim.Adam), with L2 weight decay and AMSGrad as options: g ← ∇ + λθ;
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − (η / (1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + ε), t
 * counting each parameter's steps from 1.
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(model.parameters(), { lr: 3e-4 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class Adam extends Optimizer {
  /** β₁, β₂. */
  readonly betas: [number, number];
  /** The denominator's ε. */
  readonly eps: number;
  /** The weight decay λ. */
  readonly weightDecay: number;
  /** Whether AMSGrad is on. */
  readonly amsgrad: boolean;
  /** AdamW's decoupled decay θ ← θ(1 − ηλ) instead of Adam's L2 term (false here). */
  protected readonly decoupled: boolean = false;

  /** Adam over these parameters; `name` and `defaultDecay` serve subclasses (AdamW). Throws for invalid hyper-parameters. */
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

  /** One Adam step of parameter i (its expAvg, expAvgSq and, with amsgrad, maxExpAvgSq buffers). @internal */
  protected override updateCells(p: Cell, grad: Cell, i: number): void {
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay, decoupled } = this;
    const m = this.cell(i, 'expAvg');
    const v = this.cell(i, 'expAvgSq');
    const vMax = this.amsgrad ? this.cell(i, 'maxExpAvgSq') : null;
    const t = this.steps[i];
    const stepSize = lr / (1 - beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    kernels().adam(p, grad, m, v, vMax, { lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bias2Sqrt });
  }
}

/**
 * AdamW (torch.optim.AdamW): Adam with decoupled weight decay θ ← θ(1 − ηλ) in place of the L2
 * term, default λ = 0.01 as PyTorch's.
 *
 * @example
 * ```ts
 * const opt = new optim.AdamW(gpt.parameters(), { lr: 1e-3, weightDecay: 0.1 });
 * ```
 */
export class AdamW extends Adam {
  /** True: the decay is decoupled. */
  protected override readonly decoupled = true;
  /** AdamW over these parameters (Adam's options; weightDecay defaults to 0.01). */
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, 'AdamW', 0.01);
  }
}
