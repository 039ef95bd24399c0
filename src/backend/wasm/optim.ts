// The wasm backend's optimizer steps, f32 and f64: the parameter, its gradient and its state
// buffers are copied into wasm memory, updated there by the formulas of js/optim.ts (same
// operations, same roundings: kernels/rows.ts), and the parameter and state copied back into
// the caller's typed arrays. Below OPTIM_MIN (bench/kernels.ts, bench/KERNELS.md) the js kernels run, unless
// settings.handOff is off; every such hand-off is counted.

import type { AdamArgs, Data, RmspropArgs, SgdArgs } from '../contract.js';
import { toJs } from '../handoff.js';
import type { Runtime } from './runtime.js';
import { claim, put, view } from './scratch.js';

/**
 * Parameters with fewer elements than these are updated by js (bench/kernels, js ÷ wasm time at
 * 256 / 1,024 / 4,096 elements, f32): sgd with momentum 0.8 / 1.35 / 1.4, adam 0.8 / 1.1 / 1.2
 * (f64 1.5 / 2 / 2), rmsprop 1 / 1.2 / 2.2.
 */
export const OPTIM_MIN = { sgd: 1024, adam: 4096, rmsprop: 4096 };

export function makeOptim(rt: Runtime) {
  const k = rt.kernels;

  /** Copies the arrays in (null ones get pointer 0), or null when small or out of memory. */
  function stage(min: number, arrays: (Data | null)[]): number[] | null {
    const n = arrays[0]!.length;
    const f64 = arrays[0] instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const ptrs = claim(rt, n, min, ...arrays.map((a) => (a ? n * sz : 0)));
    if (!ptrs) return null;
    return arrays.map((a, i) => {
      if (!a) return 0;
      put(rt, a, ptrs[i], f64);
      return ptrs[i];
    });
  }

  function back(arrays: (Data | null)[], ptrs: number[]): void {
    const n = arrays[0]!.length;
    const f64 = arrays[0] instanceof Float64Array;
    arrays.forEach((a, i) => {
      if (a) a.set(view(rt, ptrs[i], n, f64));
    });
  }

  function sgd(p: Data, grad: Data, momentumBuffer: Data | null, args: SgdArgs): void {
    const b = args.momentum === 0 ? null : momentumBuffer;
    const ptrs = stage(OPTIM_MIN.sgd, [p, grad, b]);
    if (!ptrs) {
            return toJs('sgd')(p, grad, momentumBuffer, args);
    }
    const { lr, momentum, dampening, nesterov, weightDecay, first } = args;
    const f = p instanceof Float64Array ? k.sgd64 : k.sgd32;
    f(ptrs[0], ptrs[1], ptrs[2], p.length, lr, momentum, dampening, nesterov ? 1 : 0, weightDecay, first ? 1 : 0);
    back([p, null, b], ptrs);
  }

  function adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, args: AdamArgs): void {
    const ptrs = stage(OPTIM_MIN.adam, [p, grad, m, v, vMax]);
    if (!ptrs) {
            return toJs('adam')(p, grad, m, v, vMax, args);
    }
    const { lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bias2Sqrt } = args;
    const f = p instanceof Float64Array ? k.adam64 : k.adam32;
    f(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], p.length, lr, beta1, beta2, eps, weightDecay, decoupled ? 1 : 0, stepSize, bias2Sqrt);
    back([p, null, m, v, vMax], ptrs);
  }

  function rmsprop(p: Data, grad: Data, squareAvg: Data, gradAvg: Data | null, momentumBuffer: Data | null, args: RmspropArgs): void {
    const b = args.momentum > 0 ? momentumBuffer : null;
    const ptrs = stage(OPTIM_MIN.rmsprop, [p, grad, squareAvg, gradAvg, b]);
    if (!ptrs) {
            return toJs('rmsprop')(p, grad, squareAvg, gradAvg, momentumBuffer, args);
    }
    const { lr, alpha, eps, weightDecay, momentum } = args;
    const f = p instanceof Float64Array ? k.rmsprop64 : k.rmsprop32;
    f(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], p.length, lr, alpha, eps, weightDecay, momentum);
    back([p, null, squareAvg, gradAvg, b], ptrs);
  }

  return { sgd, adam, rmsprop };
}
