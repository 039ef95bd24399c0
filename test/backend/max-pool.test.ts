// maxPool2d on native (oneDNN's pooling for float32, its own loop for float64 and for an x holding
// NaN or −∞) against PyTorch's rule, written out below as torch's CPU kernel states it: each
// window's maximum is its first tap inside x, replaced by a later tap that is greater or NaN; the
// gradient goes to that one tap. The op suite's random samples have no ties; these inputs are
// drawn from {0, 1, 2} so that most windows tie, with NaN and −∞ in some.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, setBackend } from '../../src/backend/index.js';
import { maxPool2d, tensor } from '../../src/index.js';
import type { MaxPool2dOptions } from '../../src/ops/defs/pool.js';
import { resolveWindow, type Window } from '../../src/ops/window.js';

/** torch's max_pool2d: y and dL/dx for dL/dy = upstream, over x [N, C, H, W]. */
function reference(x: number[], shape: number[], w: Window, upstream: number[]) {
  const [n, c, h, wd] = shape;
  const y: number[] = [];
  const dx = new Array<number>(x.length).fill(0);
  for (let p = 0; p < n * c; p++) {
    for (let oh = 0; oh < w.outH; oh++) {
      for (let ow = 0; ow < w.outW; ow++) {
        let best = -1;
        for (let i = 0; i < w.kernelH; i++) {
          for (let j = 0; j < w.kernelW; j++) {
            const r = oh * w.strideH - w.padTop + i * w.dilationH;
            const col = ow * w.strideW - w.padLeft + j * w.dilationW;
            if (r < 0 || r >= h || col < 0 || col >= wd) continue;
            const at = p * h * wd + r * wd + col;
            if (best < 0 || x[at] > x[best] || Number.isNaN(x[at])) best = at;
          }
        }
        dx[best] += upstream[y.length];
        y.push(x[best]);
      }
    }
  }
  return { y, dx };
}

const cases: { shape: number[]; kernel: number | [number, number]; options: MaxPool2dOptions }[] = [
  { shape: [2, 3, 6, 6], kernel: 2, options: {} },
  { shape: [1, 2, 7, 5], kernel: 3, options: { stride: 1, padding: 1 } },
  { shape: [2, 2, 9, 8], kernel: 3, options: { stride: 2, padding: 1, ceilMode: true } },
  { shape: [1, 3, 9, 9], kernel: [2, 3], options: { stride: [2, 1], dilation: 2, ceilMode: true } },
  { shape: [3, 4, 12, 12], kernel: 2, options: {} },
];

test('native maxPool2d gives torch maxima and gradients: ties to the first tap, NaN wins, −∞ windows', (t) => {
  if (!listBackends().includes('native')) return t.skip('the native addon is not built here');
  setBackend('native');
  try {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const { shape, kernel, options } of cases) {
      const size = shape.reduce((a, b) => a * b);
      const w = resolveWindow('maxPool2d', shape, { kernel, stride: options.stride ?? kernel, ...options });
      for (const special of [[], [NaN], [-Infinity], [NaN, -Infinity]]) {
        const values = Array.from({ length: size }, () => Math.floor(next() * 3));
        for (const v of special) for (let k = 0; k < size / 10; k++) values[Math.floor(next() * size)] = v;
        for (const dtype of ['float32', 'float64'] as const) {
          const label = `${dtype} [${shape}] kernel ${kernel} ${JSON.stringify(options)} with ${special.join(', ') || 'ties'}`;
          const x = tensor(values, { shape, dtype, requiresGrad: true });
          const y = maxPool2d(x, kernel, options);
          const upstream = Array.from({ length: y.size }, () => Math.floor(next() * 8) / 4);
          y.mul(tensor(upstream, { shape: y.shape, dtype }))
            .sum()
            .backward();
          const want = reference(values, shape, w, upstream);
          assert.deepEqual(Array.from(y.data), want.y, `${label}: maxima`);
          assert.deepEqual(Array.from(x.grad!.data), want.dx, `${label}: gradient`);
        }
      }
    }
  } finally {
    setBackend('js');
  }
});
