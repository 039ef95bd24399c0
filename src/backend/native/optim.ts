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
    sgd(p: Data, grad: Data, momentumBuffer: Data | null, args: SgdArgs): void {
      native.sgd(
        p,
        grad,
        momentumBuffer,
        args.lr,
        args.momentum,
        args.dampening,
        args.nesterov,
        args.weightDecay,
        args.first,
      );
    },
    adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, args: AdamArgs): void {
      native.adam(
        p,
        grad,
        m,
        v,
        vMax,
        args.lr,
        args.beta1,
        args.beta2,
        args.eps,
        args.weightDecay,
        args.decoupled,
        args.stepSize,
        args.bias2Sqrt,
      );
    },
    rmsprop(
      p: Data,
      grad: Data,
      squareAvg: Data,
      gradAvg: Data | null,
      momentumBuffer: Data | null,
      args: RmspropArgs,
    ): void {
      native.rmsprop(
        p,
        grad,
        squareAvg,
        gradAvg,
        momentumBuffer,
        args.lr,
        args.alpha,
        args.eps,
        args.weightDecay,
        args.momentum,
      );
    },
  };
}
