// Bad input to the native kernels: every kernel called with a too-short array, and with a
// detached one, throws `native backend: <kernel>: …` (never reads or writes past the end, never
// crashes the process). Also the wrong dtype mix and an out-of-range label. With the hand-off of
// tiny work to js off, so these small arrays reach the C kernels. Skipped without the addon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayKernels, listBackends, setBackend } from '../../src/backend/index.js';
import type { Data, PatchGeometry } from '../../src/backend/contract.js';
import { settings } from '../../src/backend/settings.js';
import { nativeBuild } from '../../src/backend/native/index.js';
import { conv2d, manualSeed, randn, setDeterministic, setNumThreads } from '../../src/index.js';

const f32 = (n: number) => new Float32Array(n).fill(0.5);
const detached = (n: number) => {
  const a = f32(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};
const g: PatchGeometry = {
  batch: 1,
  channels: 1,
  height: 4,
  width: 4,
  kernelH: 2,
  kernelW: 2,
  strideH: 1,
  strideW: 1,
  padTop: 0,
  padLeft: 0,
  dilationH: 1,
  dilationW: 1,
  outH: 3,
  outW: 3,
};
const g9 = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const sgdArgs = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, first: true };
const adamArgs = {
  lr: 0.1,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  stepSize: 0.1 / (1 - 0.9),
  bias2Sqrt: Math.sqrt(1 - 0.999),
};
const rmsArgs = { lr: 0.1, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.9 };

/** Each kernel with one of its arrays replaced by `bad` (the others the right size). */
const calls: [string, (bad: (n: number) => Data) => void][] = [
  [
    'matmul',
    (bad) =>
      arrayKernels().matmul(f32(6), bad(6), f32(4), {
        m: 2,
        k: 3,
        n: 2,
        transA: false,
        transB: false,
        aOffset: 0,
        bOffset: 0,
        outOffset: 0,
      }),
  ],
  ['unary', (bad) => arrayKernels().unary('exp', f32(8), bad(8))],
  ['binary', (bad) => arrayKernels().binary('add', f32(6), [2, 3], bad(3), [3], f32(6), [2, 3])],
  ['reduce', (bad) => arrayKernels().reduce('sum', bad(6), [2, 3], [0], f32(3))],
  ['logSoftmax', (bad) => arrayKernels().logSoftmax(f32(6), bad(6), 2, 3)],
  ['permute', (bad) => arrayKernels().permute(bad(6), [2, 3], [1, 0], f32(6))],
  ['pick', (bad) => arrayKernels().pick(bad(6), new Int32Array([0, 1]), 2, 3, f32(2))],
  ['unpick', (bad) => arrayKernels().unpick(f32(2), new Int32Array([0, 1]), 2, 3, bad(6))],
  ['im2col', (bad) => arrayKernels().im2col(bad(16), g, 0, f32(36))],
  ['col2im', (bad) => arrayKernels().col2im(f32(36), g, bad(16))],
  ['place', (bad) => arrayKernels().place(f32(4), [2, 2], bad(9), [3, 3], [1, 1])],
  ['maxPool2d', (bad) => arrayKernels().maxPool2d!(bad(16), g, f32(9), new Int32Array(9))],
  [
    'maxPool2dBackward',
    (bad) =>
      arrayKernels().maxPool2dBackward!(
        bad(9),
        Int32Array.from(g9, (i) => i + 7),
        f32(16),
      ),
  ],
  [
    'maxPool2dBackward',
    (bad) =>
      arrayKernels().maxPool2dBackward!(
        f32(9),
        Int32Array.from(g9, (i) => i + 7),
        bad(16),
      ),
  ],
  ['axpy', (bad) => arrayKernels().axpy(f32(8), bad(8), 2)],
  ['sgd', (bad) => arrayKernels().sgd(f32(8), f32(8), bad(8), sgdArgs)],
  ['adam', (bad) => arrayKernels().adam(f32(8), f32(8), f32(8), bad(8), null, adamArgs)],
  ['rmsprop', (bad) => arrayKernels().rmsprop(f32(8), bad(8), f32(8), null, null, rmsArgs)],
];

test('every native kernel refuses a too-short or detached array with its own error', (t) => {
  if (!listBackends().includes('native')) return t.skip('the native addon is not built here');
  setBackend('native');
  settings.handOff = false;
  try {
    for (const [name, call] of calls) {
      for (const [what, bad] of [
        ['too short', (n: number) => f32(n - 1)],
        ['detached', detached],
      ] as const) {
        assert.throws(
          () => call(bad),
          (e: Error) => {
            assert.ok(e.message.startsWith(`native backend: ${name}: `), `${name}, ${what}: ${e.message}`);
            return true;
          },
          `${name} with a ${what} array`,
        );
      }
    }
  } finally {
    settings.handOff = true;
    setBackend('wasm');
  }
});

test('native kernels refuse mixed dtypes, a label out of range and an unknown op', (t) => {
  if (!listBackends().includes('native')) return t.skip('the native addon is not built here');
  setBackend('native');
  settings.handOff = false;
  try {
    assert.throws(
      () => arrayKernels().axpy(f32(4), new Float64Array(4), 1),
      /native backend: axpy: y is float32 but x is float64/,
    );
    assert.throws(
      () => arrayKernels().pick(f32(6), new Int32Array([0, 3]), 2, 3, f32(2)),
      /native backend: pick: index 3 at row 1 is outside \[0, 3\)/,
    );
    assert.throws(() => arrayKernels().unary('nope' as 'exp', f32(4), f32(4)), /native backend: unary: /);
    assert.throws(
      () =>
        arrayKernels().matmul(f32(6), f32(6), f32(4), {
          m: 2,
          k: 3,
          n: 2,
          transA: false,
          transB: false,
          aOffset: 1,
          bOffset: 0,
          outOffset: 0,
        }),
      /native backend: matmul: a holds 6 elements, the call needs 7/,
    );
  } finally {
    settings.handOff = true;
    setBackend('wasm');
  }
});

// oneDNN's convolution (measured: forward and input gradient the same bits at 1 and 2 threads,
// the weight gradient not, since its sum over the batch is split over the threads): under
// setDeterministic(true) every result is the same bits whatever setNumThreads says.
test('oneDNN conv2d forward and gradients are the same bits at any thread count under setDeterministic', (t) => {
  if (!listBackends().includes('native')) return t.skip('the native addon is not built here');
  if (!nativeBuild()?.dnn) return t.skip('this native build has no oneDNN');
  setBackend('native');
  manualSeed(3);
  const x = randn([8, 16, 10, 10], { requiresGrad: true });
  const w = randn([32, 16, 3, 3], { requiresGrad: true });
  const run = (threads: number) => {
    setNumThreads(threads);
    x.grad = w.grad = null;
    const y = conv2d(x, w, null, { padding: 1 });
    y.mul(y).sum().backward();
    return [y.data, x.grad!.data, w.grad!.data].map((d) => Array.from(d));
  };
  const before = settings.numThreads;
  setDeterministic(true);
  try {
    assert.deepEqual(run(2), run(1));
  } finally {
    setDeterministic(false);
    settings.numThreads = before;
    setBackend('js');
  }
});
