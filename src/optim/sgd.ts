// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD:
//   g ← ∇ + λθ
//   b ← g on the first step, else μb + (1−τ)g
//   g ← g + μb (Nesterov) or b
//   θ ← θ − η g

import type { Cell } from '../cells.js';
import type { Tensor } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

/** Options of SGD (torch.optim.SGD's, in camelCase). */
export interface SGDOptions {
  /** The learning rate η (required, as PyTorch). */
  lr: number;
  /** The momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening τ of the momentum, in [0, 1] (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and no dampening). */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent (torch.optim.SGD) with momentum, dampening, Nesterov and L2 weight
 * decay: g ← ∇ + λθ; b ← g on the first step, else μb + (1−τ)g; g ← g + μb (Nesterov) or b;
 * θ ← θ − ηg.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer {
  /** The momentum factor μ. */
  readonly momentum: number;
  /** The dampening τ. */
  readonly dampening: number;
  /** Whether the momentum is Nesterov's. */
  readonly nesterov: boolean;
  /** The L2 penalty λ. */
  readonly weightDecay: number;

  /** SGD over these parameters; throws for invalid hyper-parameters. */
  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, options.lr, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkHyper('SGD', 'momentum', this.momentum);
    checkHyper('SGD', 'dampening', this.dampening, { max: 1 });
    checkHyper('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  /** θ ← θ − ηg with the momentum and decay above (plain θ ← θ − η∇ without them). @internal */
  protected override updateCells(p: Cell, grad: Cell, i: number): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    if (momentum === 0 && weightDecay === 0) {
      kernels().axpy(p, grad, -lr); // the common case, θ ← θ − η∇
      return;
    }
    const first = momentum !== 0 && !this.hasBuffer(i, 'momentum');
    const b = momentum !== 0 ? this.cell(i, 'momentum') : null;
    kernels().sgd(p, grad, b, { lr, momentum, dampening, nesterov, weightDecay, first });
  }
}
