// The optimizer updates in WGSL (and axpy and scale, the in-place helpers of gradients), in place on the parameter and its state, with the js kernels'
// formulas (src/backend/js/optim.ts has each rule). A missing state buffer (no momentum, no
// amsgrad, not centered) binds a placeholder and a flag says not to touch it; the scalars that do
// not depend on the element (Adam's bias corrections) are computed on the host in float64.

import type { AdamArgs, RmspropArgs, SgdArgs } from '../../contract.js';
import type { DeviceBuffer } from '../memory.js';
import type { Stream } from '../stream.js';
import { f32, params, shader } from '../wgsl.js';

// Words: lr, momentum, dampening, weightDecay (floats), flags (1 momentum buffer, 2 first, 4 nesterov).
const SGD = shader(
  'sgd',
  ['grad'],
  ['p', 'buf'],
  /* wgsl */ `
fn run(j: u32) {
  let lr = pf(1u); let mu = pf(2u); let damp = pf(3u); let wd = pf(4u); let flags = pu(5u);
  var g = grad[j] + wd * p[j];
  if ((flags & 1u) != 0u) {
    let b = select(mu * buf[j] + (1.0 - damp) * g, g, (flags & 2u) != 0u);
    buf[j] = b;
    g = select(b, g + mu * b, (flags & 4u) != 0u);
  }
  p[j] = p[j] - lr * g;
}`,
);

// Words: lr, beta1, beta2, eps, weightDecay, stepSize, √(1 − β₂ᵗ) (floats), flags (1 decoupled, 2 amsgrad).
const ADAM = shader(
  'adam',
  ['grad'],
  ['p', 'm', 'v', 'vMax'],
  /* wgsl */ `
fn run(j: u32) {
  let lr = pf(1u); let b1 = pf(2u); let b2 = pf(3u); let eps = pf(4u); let wd = pf(5u);
  let stepSize = pf(6u); let bc2Sqrt = pf(7u); let flags = pu(8u);
  var g = grad[j];
  if ((flags & 1u) != 0u) { p[j] = p[j] * (1.0 - lr * wd); } else { g = g + wd * p[j]; }
  m[j] = b1 * m[j] + (1.0 - b1) * g;
  v[j] = b2 * v[j] + (1.0 - b2) * g * g;
  var denom = v[j];
  if ((flags & 2u) != 0u) {
    if (v[j] > vMax[j]) { vMax[j] = v[j]; }
    denom = vMax[j];
  }
  p[j] = p[j] - (stepSize * m[j]) / (sqrt(denom) / bc2Sqrt + eps);
}`,
);

// Words: lr, alpha, eps, weightDecay, momentum (floats), flags (1 centered, 2 momentum buffer).
const RMSPROP = shader(
  'rmsprop',
  ['grad'],
  ['p', 's', 'gAvg', 'buf'],
  /* wgsl */ `
fn run(j: u32) {
  let lr = pf(1u); let alpha = pf(2u); let eps = pf(3u); let wd = pf(4u); let mu = pf(5u); let flags = pu(6u);
  let g = grad[j] + wd * p[j];
  s[j] = alpha * s[j] + (1.0 - alpha) * g * g;
  var d: f32;
  if ((flags & 1u) != 0u) {
    gAvg[j] = alpha * gAvg[j] + (1.0 - alpha) * g;
    d = sqrt(s[j] - gAvg[j] * gAvg[j]) + eps;
  } else { d = sqrt(s[j]) + eps; }
  if ((flags & 2u) != 0u) {
    buf[j] = mu * buf[j] + g / d;
    p[j] = p[j] - lr * buf[j];
  } else { p[j] = p[j] - (lr * g) / d; }
}`,
);

const AXPY = shader(
  'axpy',
  ['x'],
  ['y'],
  /* wgsl */ `
fn run(i: u32) { y[i] = y[i] + pf(1u) * x[i]; }`,
);

const SCALE = shader(
  'scale',
  [],
  ['x'],
  /* wgsl */ `
fn run(i: u32) { x[i] = pf(1u) * x[i]; }`,
);

/** `placeholders`: two small buffers that stand for absent state (two, since rmsprop may lack both). */
export function optimKernels(stream: Stream, placeholders: readonly [GPUBuffer, GPUBuffer]) {
  const [none, none2] = placeholders;
  return {
    axpy(y: DeviceBuffer, x: DeviceBuffer, alpha: number): void {
      stream.dispatch(AXPY, [x.buffer, y.buffer], params(y.length, [f32(alpha)]), y.length);
    },
    scale(x: DeviceBuffer, alpha: number): void {
      stream.dispatch(SCALE, [x.buffer], params(x.length, [f32(alpha)]), x.length);
    },
    sgd(p: DeviceBuffer, grad: DeviceBuffer, momentumBuffer: DeviceBuffer | null, args: SgdArgs): void {
      const withBuf = args.momentum !== 0 && momentumBuffer !== null;
      const flags = (withBuf ? 1 : 0) | (args.first ? 2 : 0) | (args.nesterov ? 4 : 0);
      const words = [f32(args.lr), f32(args.momentum), f32(args.dampening), f32(args.weightDecay), flags];
      stream.dispatch(
        SGD,
        [grad.buffer, p.buffer, withBuf ? momentumBuffer.buffer : none],
        params(p.length, words),
        p.length,
      );
    },
    adam(
      p: DeviceBuffer,
      grad: DeviceBuffer,
      m: DeviceBuffer,
      v: DeviceBuffer,
      vMax: DeviceBuffer | null,
      args: AdamArgs,
    ): void {
      const flags = (args.decoupled ? 1 : 0) | (vMax ? 2 : 0);
      const words = [args.lr, args.beta1, args.beta2, args.eps, args.weightDecay, args.stepSize, args.bias2Sqrt].map(
        f32,
      );
      words.push(flags);
      stream.dispatch(
        ADAM,
        [grad.buffer, p.buffer, m.buffer, v.buffer, vMax?.buffer ?? none],
        params(p.length, words),
        p.length,
      );
    },
    rmsprop(
      p: DeviceBuffer,
      grad: DeviceBuffer,
      squareAvg: DeviceBuffer,
      gradAvg: DeviceBuffer | null,
      momentumBuffer: DeviceBuffer | null,
      args: RmspropArgs,
    ): void {
      const withBuf = momentumBuffer !== null && args.momentum > 0;
      const flags = (gradAvg ? 1 : 0) | (withBuf ? 2 : 0);
      const words = [args.lr, args.alpha, args.eps, args.weightDecay, args.momentum].map(f32);
      words.push(flags);
      stream.dispatch(
        RMSPROP,
        [grad.buffer, p.buffer, squareAvg.buffer, gradAvg?.buffer ?? none, withBuf ? momentumBuffer.buffer : none2],
        params(p.length, words),
        p.length,
      );
    },
  };
}
