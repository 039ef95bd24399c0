// nabla's native batch-norm kernels at the bench CNN's two shapes, training forward and backward,
// beside oneDNN's (bench/onednn_batchnorm.c): best of 200 calls, ms, at 1 and 2 threads. Not a test:
// `npm run build && node dist/bench/batchnorm.js`

import { listBackends, setBackend, setNumThreads } from '../src/index.js';
import { arrayKernels } from '../src/backend/index.js';
import { lcg } from './util.js';

if (!listBackends().includes('native')) throw new Error('bench/batchnorm: the native addon is not built here');
setBackend('native');
const k = arrayKernels();
if (!k.batchNorm || !k.batchNormBackward) throw new Error('bench/batchnorm: native has no batchNorm kernel');
const rnd = lcg(7);
const data = (n: number) => Float32Array.from({ length: n }, () => rnd());

function best(fn: () => void): number {
  let b = Infinity;
  for (let r = 0; r < 200; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

for (const threads of [1, 2]) {
  setNumThreads(threads);
  for (const [n, c, h] of [
    [64, 32, 28],
    [64, 64, 14],
  ]) {
    const size = n * c * h * h;
    const [x, gy, out, gx] = [data(size), data(size), new Float32Array(size), new Float32Array(size)];
    const [weight, bias, mean, variance, gw, gb] = Array.from({ length: 6 }, () => data(c));
    const args = { batch: n, channels: c, plane: h * h, eps: 1e-5 };
    const forward = best(() => k.batchNorm!(x, weight, bias, out, mean, variance, args));
    const backward = best(() => k.batchNormBackward!(x, gy, weight, mean, variance, gx, gw, gb, args));
    console.log(`${threads}t [${n},${c},${h},${h}] forward ${forward.toFixed(3)}  backward ${backward.toFixed(3)}`);
  }
}
