// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD:
//   g ← ∇ + λθ
//   b ← g on the first step, else μb + (1−τ)g
//   g ← g + μb (Nesterov) or b
//   θ ← θ − η g

import type { Data, Tensor } from '../tensor.js';
import { backend } from '../backend/index.js';
import { Optimizer } from './optimizer.js';

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
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  protected update(p: Data, grad: Data, i: number): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    if (mu === 0 && wd === 0) {
      backend().axpy(p, grad, -lr); // the common case, as one backend kernel (SIMD on wasm)
      return;
    }
    if (mu === 0) {
      for (let j = 0; j < p.length; j++) p[j] -= lr * (grad[j] + wd * p[j]);
      return;
    }
    const first = !this.hasBuffer(i, 'momentum');
    const b = this.buffer(i, 'momentum');
    for (let j = 0; j < p.length; j++) {
      let g = grad[j] + wd * p[j];
      b[j] = first ? g : mu * b[j] + (1 - dampening) * g;
      g = nesterov ? g + mu * b[j] : b[j];
      p[j] -= lr * g;
    }
  }
}
