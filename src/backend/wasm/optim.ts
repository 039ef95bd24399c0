// The wasm backend's optimizer steps, axpy, scale and the norms of gradient clipping, f32 and
// f64: the parameter, its gradient and its state buffers are copied into wasm memory, updated
// there by the formulas of js/optim.ts (same operations, same roundings: kernels/optim.ts), and
// the parameter and state copied back into the caller's typed arrays. Below MIN the js kernels
// run, unless settings.handOff is off.

import type { AdamArgs, Data, RmspropArgs, SgdArgs } from '../contract.js';
import { toJs } from '../handoff.js';
import { WASM_MIN_ELEMENTS } from './elementwise.js';
import type { Runtime } from './runtime.js';
import { claim, put, view } from './scratch.js';

/** Lengths below which js runs (bench/kernels.ts measures them; bench/KERNELS.md). */
const MIN = {
  sgd: 1024,
  adam: 4096,
  rmsprop: 4096,
  axpy: WASM_MIN_ELEMENTS,
  scale: WASM_MIN_ELEMENTS,
  normAccumulate: 256,
};

export function makeOptim(rt: Runtime) {
  const k = rt.exports;

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
    const ptrs = stage(MIN.sgd, [p, grad, b]);
    if (!ptrs) {
      return toJs('sgd')(p, grad, momentumBuffer, args);
    }
    const { lr, momentum, dampening, nesterov, weightDecay, first } = args;
    const f = p instanceof Float64Array ? k.sgd64 : k.sgd32;
    f(ptrs[0], ptrs[1], ptrs[2], p.length, lr, momentum, dampening, nesterov ? 1 : 0, weightDecay, first ? 1 : 0);
    back([p, null, b], ptrs);
  }

  function adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, args: AdamArgs): void {
    const ptrs = stage(MIN.adam, [p, grad, m, v, vMax]);
    if (!ptrs) {
      return toJs('adam')(p, grad, m, v, vMax, args);
    }
    const { lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bias2Sqrt } = args;
    const f = p instanceof Float64Array ? k.adam64 : k.adam32;
    f(
      ptrs[0],
      ptrs[1],
      ptrs[2],
      ptrs[3],
      ptrs[4],
      p.length,
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      decoupled ? 1 : 0,
      stepSize,
      bias2Sqrt,
    );
    back([p, null, m, v, vMax], ptrs);
  }

  function rmsprop(
    p: Data,
    grad: Data,
    squareAvg: Data,
    gradAvg: Data | null,
    momentumBuffer: Data | null,
    args: RmspropArgs,
  ): void {
    const b = args.momentum > 0 ? momentumBuffer : null;
    const ptrs = stage(MIN.rmsprop, [p, grad, squareAvg, gradAvg, b]);
    if (!ptrs) {
      return toJs('rmsprop')(p, grad, squareAvg, gradAvg, momentumBuffer, args);
    }
    const { lr, alpha, eps, weightDecay, momentum } = args;
    const f = p instanceof Float64Array ? k.rmsprop64 : k.rmsprop32;
    f(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], p.length, lr, alpha, eps, weightDecay, momentum);
    back([p, null, squareAvg, gradAvg, b], ptrs);
  }

  function axpy(y: Data, x: Data, alpha: number): void {
    const n = y.length;
    const f64 = y instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const ptrs = claim(rt, n, MIN.axpy, n * sz, n * sz);
    if (!ptrs) {
      return toJs('axpy')(y, x, alpha);
    }
    const [yPtr, xPtr] = ptrs;
    put(rt, y, yPtr, f64);
    put(rt, x, xPtr, f64);
    if (f64) k.axpy64(yPtr, xPtr, n, alpha);
    else k.axpy32(yPtr, xPtr, n, alpha);
    y.set(view(rt, yPtr, n, f64));
  }

  function scale(x: Data, alpha: number): void {
    const n = x.length;
    const f64 = x instanceof Float64Array;
    const ptrs = claim(rt, n, MIN.scale, n * (f64 ? 8 : 4));
    if (!ptrs) {
      return toJs('scale')(x, alpha);
    }
    const [ptr] = ptrs;
    put(rt, x, ptr, f64);
    if (f64) k.scale64(ptr, n, alpha);
    else k.scale32(ptr, n, alpha);
    x.set(view(rt, ptr, n, f64));
  }

  function normAccumulate(x: Data, p: number, acc: number): number {
    const n = x.length;
    const f64 = x instanceof Float64Array;
    const ptrs = claim(rt, n, MIN.normAccumulate, n * (f64 ? 8 : 4));
    if (!ptrs) {
      return toJs('normAccumulate')(x, p, acc);
    }
    const [ptr] = ptrs;
    put(rt, x, ptr, f64);
    return f64 ? k.normAccumulate64(ptr, n, p, acc) : k.normAccumulate32(ptr, n, p, acc);
  }

  return { sgd, adam, rmsprop, axpy, scale, normAccumulate };
}
