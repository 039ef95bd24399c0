// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD:
//   g ← ∇ + λθ
//   b ← g on the first step, else μb + (1−τ)g
//   g ← g + μb (Nesterov) or b
//   θ ← θ − η g

import type { Data, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { Optimizer } from './optimizer.js';
import { checkHyper } from './hyper.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

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

  protected update(p: Data, grad: Data, i: number): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    if (momentum === 0 && weightDecay === 0) {
      backend().axpy(p, grad, -lr); // the common case, θ ← θ − η∇
      return;
    }
    const first = momentum !== 0 && !this.hasBuffer(i, 'momentum');
    const b = momentum !== 0 ? this.buffer(i, 'momentum') : null;
    backend().sgd(p, grad, b, { lr, momentum, dampening, nesterov, weightDecay, first });
  }
}
