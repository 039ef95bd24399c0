// Per-kernel timing, js against wasm (with the wasm backend's hand-off to js turned off), at
// sizes around the hand-off thresholds, for float32 and float64: the figures behind the
// thresholds in src/backend/wasm/{elementwise,rows,patches,optim}.ts. One thread; µs per call,
// medians; then im2col, col2im and place at convolution and pooling shapes. Not a test:
// `npm run build && node dist/bench/kernels.js [filter]`

import { listBackends, ready, setBackend, setNumThreads } from '../src/index.js';
import { arrayKernels, type ActiveBackend } from '../src/backend/index.js';
import type { Data, DType, PatchGeometry } from '../src/backend/contract.js';
import { settings } from '../src/backend/settings.js';
import { lcg, median } from './util.js';

setNumThreads(1);
await ready();
if (!listBackends().includes('wasm')) throw new Error('bench/kernels: no wasm backend on this engine');
const filter = process.argv[2] ?? '';
const rnd = lcg(7);

function data(dtype: DType, n: number, lo = -2, hi = 2): Data {
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * rnd();
  return d;
}
const alloc = (dtype: DType, n: number): Data => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

/** µs per call: batches of calls worth ~2 ms, median of 7 batches. */
function time(fn: () => void): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    if (performance.now() - t0 > 2) break;
    reps *= 2;
  }
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    runs.push(((performance.now() - t0) * 1000) / reps);
  }
  return median(runs);
}

/** A case: given the dtype and a size, returns a call of the kernel on a backend. */
type Case = [string, (dtype: DType, n: number) => (be: ActiveBackend) => void];

const unaryOps = ['neg', 'relu', 'sign', 'tanh', 'exp', 'log', 'sigmoid', 'softplus', 'gelu', 'erf', 'pow'] as const;
const cases: Case[] = [
  ...unaryOps.map((op): Case => [
    `unary ${op}`,
    (dt, n) => {
      const x = data(dt, n, op === 'log' || op === 'pow' ? 0.1 : -3, 3);
      const out = alloc(dt, n);
      return (be) => be.unary(op, x, out, 1.5);
    },
  ]),
  [
    'binary add same shape',
    (dt, n) => {
      const a = data(dt, n),
        b = data(dt, n),
        out = alloc(dt, n);
      return (be) => be.binary('add', a, [n], b, [n], out, [n]);
    },
  ],
  [
    'binary mul [n/64,64]·[64]',
    (dt, n) => {
      const a = data(dt, n),
        b = data(dt, 64),
        out = alloc(dt, n);
      return (be) => be.binary('mul', a, [n / 64, 64], b, [64], out, [n / 64, 64]);
    },
  ],
  [
    'binary sub [n/64,64]−[n/64,1]',
    (dt, n) => {
      const a = data(dt, n),
        b = data(dt, n / 64),
        out = alloc(dt, n);
      return (be) => be.binary('sub', a, [n / 64, 64], b, [n / 64, 1], out, [n / 64, 64]);
    },
  ],
  [
    'binary eq same shape',
    (dt, n) => {
      const a = data(dt, n),
        b = a.slice(),
        out = alloc(dt, n);
      return (be) => be.binary('eq', a, [n], b, [n], out, [n]);
    },
  ],
  [
    'reduce sum [n/64,64] axis 1',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, n / 64);
      return (be) => be.reduce('sum', x, [n / 64, 64], [1], out);
    },
  ],
  [
    'reduce sum [n/64,64] axis 0',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, 64);
      return (be) => be.reduce('sum', x, [n / 64, 64], [0], out);
    },
  ],
  [
    'reduce max [n/64,64] axis 1',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, n / 64);
      return (be) => be.reduce('max', x, [n / 64, 64], [1], out);
    },
  ],
  [
    'reduce sum [16,n/256,16] axis 1',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, 256);
      return (be) => be.reduce('sum', x, [16, n / 256, 16], [1], out);
    },
  ],
  [
    'permute [n/64,64] → [64,n/64]',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, n);
      return (be) => be.permute(x, [n / 64, 64], [1, 0], out);
    },
  ],
  [
    'permute [16,n/256,16] (0,2,1)',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, n);
      return (be) => be.permute(x, [16, n / 256, 16], [0, 2, 1], out);
    },
  ],
  [
    'logSoftmax [n/16,16]',
    (dt, n) => {
      const x = data(dt, n, -5, 5),
        out = alloc(dt, n);
      return (be) => be.logSoftmax(x, out, n / 16, 16);
    },
  ],
  [
    'pick [n/16,16]',
    (dt, n) => {
      const x = data(dt, n),
        idx = Int32Array.from({ length: n / 16 }, (_, r) => r % 16),
        out = alloc(dt, n / 16);
      return (be) => be.pick(x, idx, n / 16, 16, out);
    },
  ],
  [
    'unpick [n/16,16]',
    (dt, n) => {
      const g = data(dt, n / 16),
        idx = Int32Array.from({ length: n / 16 }, (_, r) => r % 16),
        out = alloc(dt, n);
      return (be) => be.unpick(g, idx, n / 16, 16, out);
    },
  ],
  [
    'place pad [n/64,8,8] → [n/64,10,10] at [0,1,1]',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, (n / 64) * 100);
      return (be) => be.place(x, [n / 64, 8, 8], out, [n / 64, 10, 10], [0, 1, 1]);
    },
  ],
  [
    'place cat [n/64,64] into [n/64,128] at [0,64]',
    (dt, n) => {
      const x = data(dt, n),
        out = alloc(dt, 2 * n);
      return (be) => be.place(x, [n / 64, 64], out, [n / 64, 128], [0, 64]);
    },
  ],
  [
    'place crop [n/64,8,8] ← [n/64,10,10] at [0,-1,-1]',
    (dt, n) => {
      const x = data(dt, (n / 64) * 100),
        out = alloc(dt, n);
      return (be) => be.place(x, [n / 64, 10, 10], out, [n / 64, 8, 8], [0, -1, -1]);
    },
  ],
  [
    'axpy',
    (dt, n) => {
      const y = data(dt, n),
        x = data(dt, n);
      return (be) => be.axpy(y, x, 1e-9);
    },
  ],
  [
    'scale',
    (dt, n) => {
      const x = data(dt, n);
      return (be) => be.scale(x, 1);
    },
  ],
  [
    'normAccumulate p=2',
    (dt, n) => {
      const x = data(dt, n);
      return (be) => void be.normAccumulate(x, 2, 0);
    },
  ],
  [
    'sgd momentum 0.9',
    (dt, n) => {
      const p = data(dt, n),
        g = data(dt, n),
        b = data(dt, n);
      return (be) =>
        be.sgd(p, g, b, { lr: 1e-9, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, first: false });
    },
  ],
  [
    'adam',
    (dt, n) => {
      const p = data(dt, n),
        g = data(dt, n),
        m = data(dt, n),
        v = data(dt, n, 0, 1);
      return (be) =>
        be.adam(p, g, m, v, null, {
          lr: 1e-9,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          decoupled: false,
          stepSize: 1e-9 / (1 - 0.9 ** 10),
          bias2Sqrt: Math.sqrt(1 - 0.999 ** 10),
        });
    },
  ],
  [
    'rmsprop',
    (dt, n) => {
      const p = data(dt, n),
        g = data(dt, n),
        s = data(dt, n, 0, 1);
      return (be) => be.rmsprop(p, g, s, null, null, { lr: 1e-9, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0 });
    },
  ],
];

const sizes = [64, 256, 1024, 4096, 16384, 65536];
setBackend('js');
const js = arrayKernels();
setBackend('wasm');
const wasm = arrayKernels();
settings.handOff = false;
console.log(`kernel | dtype | ${sizes.map((n) => `n=${n} js/wasm µs (js÷wasm)`).join(' | ')}`);
for (const [name, make] of cases) {
  if (!name.includes(filter)) continue;
  for (const dtype of ['float32', 'float64'] as const) {
    const cells = sizes.map((n) => {
      if (name.includes('n/256') && n < 256) return '–';
      const call = make(dtype, n);
      const tj = time(() => call(js));
      const tw = time(() => call(wasm));
      return `${tj.toFixed(2)}/${tw.toFixed(2)} (${(tj / tw).toFixed(2)})`;
    });
    console.log(`${name} | ${dtype} | ${cells.join(' | ')}`);
  }
}

/** [batch, channels, height, width, kernel, stride, pad] (square), as a PatchGeometry. */
function geometry([batch, channels, height, width, k, stride, pad]: number[]): PatchGeometry {
  const outH = Math.floor((height + 2 * pad - k) / stride) + 1;
  const outW = Math.floor((width + 2 * pad - k) / stride) + 1;
  return {
    batch,
    channels,
    height,
    width,
    kernelH: k,
    kernelW: k,
    strideH: stride,
    strideW: stride,
    padTop: pad,
    padLeft: pad,
    dilationH: 1,
    dilationW: 1,
    outH,
    outW,
  };
}
const geometries = [
  [1, 1, 4, 4, 3, 1, 1],
  [1, 2, 4, 4, 3, 1, 1],
  [1, 1, 6, 6, 3, 1, 1],
  [1, 1, 8, 8, 3, 1, 1],
  [2, 4, 6, 6, 3, 1, 1],
  [1, 8, 8, 8, 3, 1, 1],
  [4, 1, 14, 14, 3, 1, 1],
  [8, 8, 8, 8, 2, 2, 0],
  [64, 1, 28, 28, 3, 1, 1],
  [64, 32, 28, 28, 2, 2, 0],
  [64, 32, 14, 14, 3, 1, 1],
  [64, 32, 14, 14, 3, 2, 1],
  [64, 64, 7, 7, 3, 1, 1],
];
console.log('');
console.log('kernel | [N,C,H,W] k s p | patch elements | dtype | js µs | wasm µs | js÷wasm');
for (const name of ['im2col', 'col2im', 'place pad']) {
  if (!name.includes(filter)) continue;
  for (const gv of geometries) {
    const g = geometry(gv);
    const nx = g.batch * g.channels * g.height * g.width;
    const n = g.channels * g.kernelH * g.kernelW * g.batch * g.outH * g.outW;
    if (name === 'place pad' && gv[6] === 0) continue;
    for (const dtype of ['float32', 'float64'] as const) {
      let call: (be: ActiveBackend) => void;
      if (name === 'im2col') {
        const x = data(dtype, nx),
          out = alloc(dtype, n);
        call = (be) => be.im2col(x, g, -Infinity, out);
      } else if (name === 'col2im') {
        const cols = data(dtype, n),
          out = alloc(dtype, nx);
        call = (be) => be.col2im(cols, g, out);
      } else {
        const p = gv[6],
          shape = [g.batch, g.channels, g.height, g.width];
        const padded = [g.batch, g.channels, g.height + 2 * p, g.width + 2 * p];
        const x = data(dtype, nx),
          out = alloc(
            dtype,
            padded.reduce((a, b) => a * b),
          );
        call = (be) => be.place(x, shape, out, padded, [0, 0, p, p]);
      }
      const tj = time(() => call(js));
      const tw = time(() => call(wasm));
      console.log(
        `${name} | [${gv.slice(0, 4)}] ${gv[4]}×${gv[4]} s${gv[5]} p${gv[6]} | ${name === 'place pad' ? nx : n} | ${dtype} | ${tj.toFixed(2)} | ${tw.toFixed(2)} | ${(tj / tw).toFixed(2)}`,
      );
    }
  }
}
settings.handOff = true;
