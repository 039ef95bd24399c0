// The native optimizer updates and in-place helpers (native/src/optim.c).

import type { AdamArgs, Data, Kernels, RmspropArgs, SgdArgs } from '../contract.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Addon } from './addon.js';
import { NATIVE_MIN_MAP } from './elementwise.js';

export function makeOptim(
  native: Addon,
): Pick<Kernels, 'axpy' | 'scale' | 'normAccumulate' | 'sgd' | 'adam' | 'rmsprop'> {
  return {
    // Tiny buffers (a bias) go to js below the elementwise maps' threshold.
    axpy(y: Data, x: Data, alpha: number): void {
      if (small(y.length, NATIVE_MIN_MAP)) {
        return toJs('axpy')(y, x, alpha);
      }
      native.axpy(y, x, alpha);
    },
    scale(x: Data, alpha: number): void {
      if (small(x.length, NATIVE_MIN_MAP)) {
        return toJs('scale')(x, alpha);
      }
      native.scale(x, alpha);
    },
    normAccumulate(x: Data, p: number, acc: number): number {
      return native.normAccumulate(x, p, acc);
    },
    sgd(p: Data, grad: Data, b: Data | null, a: SgdArgs): void {
      native.sgd(p, grad, b, a.lr, a.momentum, a.dampening, a.nesterov, a.weightDecay, a.first);
    },
    adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, a: AdamArgs): void {
      native.adam(
        p,
        grad,
        m,
        v,
        vMax,
        a.lr,
        a.beta1,
        a.beta2,
        a.eps,
        a.weightDecay,
        a.decoupled,
        a.stepSize,
        a.bias2Sqrt,
      );
    },
    rmsprop(p: Data, grad: Data, s: Data, gAvg: Data | null, b: Data | null, a: RmspropArgs): void {
      native.rmsprop(p, grad, s, gAvg, b, a.lr, a.alpha, a.eps, a.weightDecay, a.momentum);
    },
  };
}
