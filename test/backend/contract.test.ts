// Every kernel of the backend contract, on every backend listBackends() offers, for both dtypes
// and odd shapes, with the backends' hand-off of small work to js on (as in production) and off
// (so that every backend's own code runs at every size), compared with the js reference kernels (which are themselves checked against
// plain float64 loops here for matmul). Also: bit-identical results under setDeterministic(true),
// run to run and whatever the thread count.

import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import '../../src/index.js'; // registers every backend the engine can run
import { arrayKernels, listBackends, ready, setBackend, type ActiveBackend } from '../../src/backend/index.js';
import type { BinaryOp, Data, DType, UnaryOp } from '../../src/backend/contract.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { setDeterministic, setNumThreads, settings, threadCountListeners } from '../../src/backend/settings.js';
import { workerJobs } from '../../src/backend/wasm/pool.js';
import { sizeOf, type Shape } from '../../src/shape.js';

const dtypes: DType[] = ['float32', 'float64'];
let seed = 12345;
function rnd(): number {
  // A tiny LCG, so the inputs do not depend on the library's PRNG.
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
function data(dtype: DType, n: number, lo = -2, hi = 2): Data {
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * rnd();
  return d;
}
const alloc = (dtype: DType, n: number): Data => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
/** float32: a few units of the last place of the largest magnitude involved; float64: tighter. */
const eps = (dtype: DType) => (dtype === 'float64' ? 1e-13 : 2e-6);

function assertClose(got: Data, want: Data, tol: (i: number) => number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${what}[${i}]: ${g}, expected NaN`);
    else if (!Number.isFinite(w)) assert.equal(g, w, `${what}[${i}]`);
    else assert.ok(Math.abs(g - w) <= tol(i), `${what}[${i}]: ${g} vs js ${w} (tolerance ${tol(i)})`);
  }
}

const unaryCases: [UnaryOp, number, number, number?, number?][] = [
  ['neg', -3, 3],
  ['exp', -5, 5],
  ['log', 0.01, 5],
  ['sqrt', 0, 9],
  ['abs', -3, 3],
  ['sign', -3, 3],
  ['tanh', -4, 4],
  ['sigmoid', -30, 30],
  ['softplus', -30, 30],
  ['relu', -3, 3],
  ['step', -3, 3],
  ['leakyRelu', -3, 3, 0.1],
  ['leakyStep', -3, 3, 0.2],
  ['gelu', -4, 4],
  ['erf', -4, 4],
  ['pow', 0.1, 3, 2.5],
  ['clamp', -3, 3, -1, 0.5],
  ['clampMask', -3, 3, -1, 0.5],
];
// Around the sizes where the wasm backend switches between its kernels and the js ones.
const lengths = [1, 7, 63, 64, 1023, 1025, 13 * 17 * 19];

const binaryShapes: [Shape, Shape, Shape][] = [
  [[1], [1], [1]],
  [
    [1, 1],
    [1, 1],
    [1, 1],
  ],
  [[1, 29], [29], [1, 29]],
  [[1, 1500], [1500], [1, 1500]],
  [[1500], [1, 1500], [1, 1500]],
  [[300, 7], [7], [300, 7]],
  [
    [13, 17, 19],
    [13, 17, 19],
    [13, 17, 19],
  ],
  [[13, 17, 19], [19], [13, 17, 19]],
  [[13, 17, 19], [], [13, 17, 19]],
  [[], [13, 17, 19], [13, 17, 19]],
  [
    [13, 1, 19],
    [17, 1],
    [13, 17, 19],
  ],
  [
    [13, 17, 1],
    [13, 1, 19],
    [13, 17, 19],
  ],
  [
    [4, 1],
    [1, 5],
    [4, 5],
  ],
  [
    [3, 1, 5, 1],
    [1, 4, 1, 6],
    [3, 4, 5, 6],
  ],
  [
    [2, 3, 4, 5],
    [3, 1, 5],
    [2, 3, 4, 5],
  ],
  [
    [7, 1, 1],
    [1, 9, 1],
    [7, 9, 1],
  ],
  [[0, 3], [3], [0, 3]],
];
const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'eq'];

const reduceCases: [Shape, number[]][] = [
  [[1], [0]],
  [
    [1, 1],
    [0, 1],
  ],
  [[1, 23], [1]],
  [[1, 23], [0]],
  [[13, 17, 19], [0]],
  [[13, 17, 19], [1]],
  [[13, 17, 19], [2]],
  [
    [13, 17, 19],
    [0, 2],
  ],
  [
    [13, 17, 19],
    [1, 2],
  ],
  [
    [13, 17, 19],
    [0, 1],
  ],
  [
    [13, 17, 19],
    [0, 1, 2],
  ],
  [[1500, 1], [0]],
  [[1, 1500], [0]],
  [[2000], [0]],
  [[13, 1, 19], [0]],
  [[5, 3, 1], [1]],
  [[5, 1, 3], [1]],
  [
    [3, 4, 5, 6],
    [0, 2],
  ],
  [
    [3, 4, 5, 6],
    [1, 3],
  ],
  [
    [3, 4, 5, 6],
    [0, 1, 3],
  ],
  [[0, 3], [0]],
  [[3, 0], [1]],
  [[], []],
  [[6], []],
];

const matmulShapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 29, 1],
  [1, 1, 29],
  [29, 1, 1],
  [1, 37, 41],
  [13, 17, 19],
  [32, 2, 16],
  [33, 65, 129],
  [64, 300, 10],
  [128, 128, 128],
];

/** op(A)·op(B) by plain float64 loops, the js kernel's own reference. */
function naiveMatmul(
  a: Data,
  b: Data,
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  aOff: number,
  bOff: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + (tA ? p * m + i : i * k + p)] * b[bOff + (tB ? j * k + p : p * n + j)];
      out[i * n + j] = s;
    }
  return out;
}

function backendNamed(name: string): ActiveBackend {
  setBackend(name);
  return arrayKernels();
}

test('listBackends offers js and, on engines with wasm SIMD, wasm', async () => {
  await ready();
  const names = listBackends();
  assert.ok(names.includes('js'));
  if (typeof WebAssembly === 'object') assert.ok(names.includes('wasm'), `backends: ${names.join(', ')}`);
});

test('js axpy is y + αx', () => {
  const y = new Float64Array([1, 2, 3]);
  jsBackend.axpy(y, new Float64Array([10, 20, 30]), 0.5);
  assert.deepEqual([...y], [6, 12, 18]);
});

test('js matmul matches plain float64 loops (the reference of the reference)', () => {
  for (const dtype of dtypes)
    for (const [m, k, n] of matmulShapes)
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const a = data(dtype, m * k + 3);
          const b = data(dtype, k * n + 5);
          const out = alloc(dtype, m * n + 2);
          jsBackend.matmul(a, b, out, { m, k, n, transA: tA, transB: tB, aOffset: 3, bOffset: 5, outOffset: 2 });
          const want = naiveMatmul(a, b, m, k, n, tA, tB, 3, 5);
          assertClose(out.subarray(2), want, () => 4 * k * eps(dtype), `js matmul ${m}x${k}x${n} ${tA}/${tB} ${dtype}`);
        }
});

for (const name of ['js', 'wasm', 'native']) {
  test(`contract on the ${name} backend`, async (t) => {
    await ready();
    if (!listBackends().includes(name)) {
      t.skip(`${name} is not available on this engine`);
      return;
    }
    const be = backendNamed(name);
    for (const handOff of [true, false])
      for (const dtype of dtypes) {
        const e = eps(dtype);
        const sub = (what: string, fn: () => void) =>
          t.test(`${what} ${dtype}${handOff ? '' : ', no hand-off to js'}`, () => {
            settings.handOff = handOff;
            const before = settings.handOffs;
            try {
              fn();
              // Without the hand-off, a backend's own kernels run at every size: none may pass work to js.
              if (!handOff)
                assert.equal(
                  settings.handOffs,
                  before,
                  `${name}: ${settings.handOffs - before} calls handed off to js`,
                );
            } finally {
              settings.handOff = true;
            }
          });
        await sub('unary', () => {
          for (const [op, lo, hi, p, q] of unaryCases)
            for (const n of lengths) {
              const x = data(dtype, n, lo, hi);
              const want = alloc(dtype, n);
              const got = alloc(dtype, n);
              jsBackend.unary(op, x, want, p, q);
              be.unary(op, x, got, p, q);
              assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), `${op}(${n})`);
            }
          // Special values, the range ends of exp (overflow, subnormals) and a SIMD-length input.
          const specials = [
            NaN,
            Infinity,
            -Infinity,
            0,
            -0,
            1e-30,
            -1e-30,
            88.72,
            88.73,
            -87.3,
            -100,
            -103,
            700,
            -740,
            3,
            -3,
            6.5,
            -6.5,
          ];
          for (const [op, , , p, q] of unaryCases) {
            const x = dtype === 'float64' ? Float64Array.from(specials) : Float32Array.from(specials);
            const want = alloc(dtype, x.length);
            const got = alloc(dtype, x.length);
            jsBackend.unary(op, x, want, p, q);
            be.unary(op, x, got, p, q);
            assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), `${op}(special values)`);
          }
        });
        await sub('binary with broadcasting', () => {
          for (const [as, bs, os] of binaryShapes)
            for (const op of binaryOps) {
              const a = data(dtype, sizeOf(as), 0.5, 2);
              const b = data(dtype, sizeOf(bs), 0.5, 2);
              if (op === 'eq') for (let i = 0; i < b.length; i++) b[i] = a[i % a.length]; // a's leading values, so some pairs are equal
              const want = alloc(dtype, sizeOf(os));
              const got = alloc(dtype, sizeOf(os));
              jsBackend.binary(op, a, as, b, bs, want, os);
              be.binary(op, a, as, b, bs, got, os);
              assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), `${op} [${as}]∘[${bs}]`);
            }
        });
        await sub('reduce', () => {
          for (const [shape, axes] of reduceCases)
            for (const op of ['sum', 'max'] as const) {
              const x = data(dtype, sizeOf(shape));
              const n = sizeOf(shape.filter((_, i) => !axes.includes(i)));
              const want = alloc(dtype, n);
              const got = alloc(dtype, n);
              jsBackend.reduce(op, x, shape, axes, want);
              be.reduce(op, x, shape, axes, got);
              const count = sizeOf(axes.map((a) => shape[a]));
              assertClose(got, want, () => 2 * count * e, `${op} [${shape}] axes ${axes}`);
            }
        });
        await sub('matmul, every transpose combination, with offsets', () => {
          for (const [m, k, n] of matmulShapes)
            for (const tA of [false, true])
              for (const tB of [false, true]) {
                const a = data(dtype, m * k + 3);
                const b = data(dtype, k * n + 5);
                const want = alloc(dtype, m * n + 2);
                const got = alloc(dtype, m * n + 2);
                const args = { m, k, n, transA: tA, transB: tB, aOffset: 3, bOffset: 5, outOffset: 2 };
                jsBackend.matmul(a, b, want, args);
                got[0] = got[1] = 7; // outside the result: must stay untouched
                got.fill(NaN, 2); // what the output held before must not reach the result
                be.matmul(a, b, got, args);
                assert.deepEqual([got[0], got[1]], [7, 7], 'matmul wrote before outOffset');
                assertClose(got.subarray(2), want.subarray(2), () => 8 * k * e, `matmul ${m}x${k}x${n} ${tA}/${tB}`);
              }
        });
        await sub('axpy', () => {
          for (const n of lengths) {
            const x = data(dtype, n);
            const want = data(dtype, n);
            const got = want.slice();
            jsBackend.axpy(want, x, -0.37);
            be.axpy(got, x, -0.37);
            assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), `axpy(${n})`);
          }
        });
        await sub('logSoftmax, permute, pick, unpick', () => {
          for (const [rows, cols] of [
            [1, 1],
            [1, 29],
            [13, 19],
            [300, 10],
          ]) {
            const x = data(dtype, rows * cols, -10, 10);
            const want = alloc(dtype, rows * cols);
            const got = alloc(dtype, rows * cols);
            jsBackend.logSoftmax(x, want, rows, cols);
            be.logSoftmax(x, got, rows, cols);
            assertClose(got, want, (i) => 4 * e * (1 + Math.abs(want[i])), `logSoftmax ${rows}x${cols}`);
            const idx = Int32Array.from({ length: rows }, (_, r) => (r * 7) % cols);
            const p1 = alloc(dtype, rows);
            const p2 = alloc(dtype, rows);
            jsBackend.pick(x, idx, rows, cols, p1);
            be.pick(x, idx, rows, cols, p2);
            assertClose(p2, p1, () => 0, `pick ${rows}x${cols}`);
            const u1 = alloc(dtype, rows * cols);
            const u2 = data(dtype, rows * cols); // garbage: unpick must overwrite everything
            jsBackend.unpick(p1, idx, rows, cols, u1);
            be.unpick(p1, idx, rows, cols, u2);
            assertClose(u2, u1, () => 0, `unpick ${rows}x${cols}`);
          }
          const permutes: [Shape, number[]][] = [
            ...[
              [0, 1, 2],
              [0, 2, 1],
              [1, 0, 2],
              [1, 2, 0],
              [2, 0, 1],
              [2, 1, 0],
            ].map((p): [Shape, number[]] => [[13, 17, 19], p]),
            [
              [3, 1, 5, 7],
              [3, 2, 0, 1],
            ],
            [
              [2, 3, 4, 5],
              [0, 1, 3, 2],
            ],
            [
              [1, 1, 40],
              [2, 0, 1],
            ],
            [
              [40, 30],
              [1, 0],
            ],
            [
              [0, 4],
              [1, 0],
            ],
            [[], []],
          ];
          for (const [shape, perm] of permutes) {
            const x = data(dtype, sizeOf(shape));
            const want = alloc(dtype, x.length);
            const got = alloc(dtype, x.length);
            jsBackend.permute(x, shape, perm, want);
            be.permute(x, shape, perm, got);
            assertClose(got, want, () => 0, `permute [${shape}] [${perm}]`);
          }
        });
        await sub('fill', () => {
          // 0.1 is not a float32: each element is the value rounded once to the dtype, as js stores it.
          for (const n of lengths)
            for (const value of [0.1, -0, Infinity, NaN]) {
              const got = data(dtype, n);
              be.fill(got, value);
              for (let i = 0; i < n; i++)
                assert.ok(
                  Object.is(got[i], dtype === 'float32' ? Math.fround(value) : value),
                  `fill(${n}, ${value})[${i}]: ${got[i]}`,
                );
            }
        });
        await sub('scale, normAccumulate', () => {
          for (const n of lengths) {
            const x = data(dtype, n);
            const want = x.slice();
            const got = x.slice();
            jsBackend.scale(want, 0.731);
            be.scale(got, 0.731);
            assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), `scale(${n})`);
            for (const p of [1, 2, 3.5, Infinity]) {
              const w = jsBackend.normAccumulate(x, p, 0.25);
              const g = be.normAccumulate(x, p, 0.25);
              assert.ok(Math.abs(g - w) <= 1e-13 * (1 + Math.abs(w)), `normAccumulate(${n}, p=${p}): ${g} vs js ${w}`);
            }
          }
          const nan = data(dtype, 9);
          nan[4] = NaN;
          assert.ok(Number.isNaN(be.normAccumulate(nan, Infinity, 0)), 'normAccumulate: a NaN gives NaN');
        });
        await sub('sgd, adam, rmsprop (three steps, every option)', () => {
          const close = (got: Data, want: Data, what: string) =>
            assertClose(got, want, (i) => e * (1 + Math.abs(want[i])), what);
          // 200,003: above the size from which native splits an update over its threads.
          for (const n of [1, 7, 1025, 4099, 200_003]) {
            for (const [momentum, dampening, nesterov, weightDecay] of [
              [0, 0, false, 0],
              [0.9, 0, false, 0.01],
              [0.9, 0.1, true, 0],
              [0.5, 0.2, false, 0.1],
            ] as const) {
              const grad = data(dtype, n);
              const [p1, p2] = [data(dtype, n), alloc(dtype, n)];
              p2.set(p1);
              const [b1, b2] = [alloc(dtype, n), alloc(dtype, n)];
              for (let step = 0; step < 3; step++) {
                const args = { lr: 0.1, momentum, dampening, nesterov, weightDecay, first: step === 0 };
                jsBackend.sgd(p1, grad, momentum ? b1 : null, args);
                be.sgd(p2, grad, momentum ? b2 : null, args);
              }
              close(p2, p1, `sgd(${n}) momentum ${momentum} nesterov ${nesterov}: p`);
              close(b2, b1, `sgd(${n}) momentum ${momentum}: buffer`);
            }
            for (const [amsgrad, decoupled, weightDecay] of [
              [false, false, 0],
              [true, false, 0.01],
              [false, true, 0.01],
              [true, true, 0.1],
            ] as const) {
              const p1 = data(dtype, n);
              const st = () =>
                [p1.slice(), alloc(dtype, n), alloc(dtype, n), amsgrad ? alloc(dtype, n) : null] as const;
              const [pa, ma, va, xa] = st();
              const [pb, mb, vb, xb] = st();
              for (let step = 1; step <= 3; step++) {
                const grad = data(dtype, n);
                const corrections = { stepSize: 0.01 / (1 - 0.9 ** step), bias2Sqrt: Math.sqrt(1 - 0.999 ** step) };
                const args = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, ...corrections };
                jsBackend.adam(pa, grad, ma, va, xa, args);
                be.adam(pb, grad, mb, vb, xb, args);
              }
              const what = `adam(${n}) amsgrad ${amsgrad} decoupled ${decoupled}`;
              close(pb, pa, `${what}: p`);
              close(mb, ma, `${what}: m`);
              close(vb, va, `${what}: v`);
              if (xa && xb) close(xb, xa, `${what}: vMax`);
            }
            for (const [centered, momentum, weightDecay] of [
              [false, 0, 0],
              [true, 0, 0.01],
              [false, 0.9, 0],
              [true, 0.5, 0.1],
            ] as const) {
              const p1 = data(dtype, n);
              const st = () =>
                [p1.slice(), alloc(dtype, n), centered ? alloc(dtype, n) : null, alloc(dtype, n)] as const;
              const [pa, sa, ga, ba] = st();
              const [pb, sb, gb, bb] = st();
              for (let step = 0; step < 3; step++) {
                const grad = data(dtype, n);
                const args = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay, momentum };
                jsBackend.rmsprop(pa, grad, sa, ga, ba, args);
                be.rmsprop(pb, grad, sb, gb, bb, args);
              }
              const what = `rmsprop(${n}) centered ${centered} momentum ${momentum}`;
              close(pb, pa, `${what}: p`);
              close(sb, sa, `${what}: square average`);
              if (ga && gb) close(gb, ga, `${what}: gradient average`);
              close(bb, ba, `${what}: momentum buffer`);
            }
          }
        });
      }
    setBackend(listBackends().includes('wasm') ? 'wasm' : 'js');
  });
}

test('setDeterministic(true): bit-identical results run to run and for 1 or 2 threads', async () => {
  await ready();
  setDeterministic(true);
  try {
    for (const name of listBackends()) {
      const be = backendNamed(name);
      for (const dtype of dtypes) {
        const [m, k, n] = [200, 150, 150]; // above the wasm backend's threading threshold
        const a = data(dtype, m * k);
        const b = data(dtype, k * n);
        const runs: Data[] = [];
        for (const threads of [1, 2, 2, 1]) {
          setNumThreads(threads);
          await ready();
          for (const [tA, tB] of [
            [false, false],
            [true, false],
            [false, true],
          ]) {
            const out = alloc(dtype, m * n);
            be.matmul(a, b, out, { m, k, n, transA: tA, transB: tB, aOffset: 0, bOffset: 0, outOffset: 0 });
            runs.push(out);
          }
        }
        for (let r = 3; r < runs.length; r++) {
          assert.deepEqual(runs[r], runs[r % 3], `${name} ${dtype}: run ${r} differs from run ${r % 3}`);
        }
        const x = data(dtype, 999, -5, 5);
        const y1 = alloc(dtype, 999);
        const y2 = alloc(dtype, 999);
        be.unary('tanh', x, y1);
        be.unary('tanh', x, y2);
        assert.deepEqual(y1, y2);
      }
    }
  } finally {
    setDeterministic(false);
    setBackend(listBackends().includes('wasm') ? 'wasm' : 'js');
  }
});

test('threaded products (above the threading threshold, with offsets) match plain float64 loops, and a worker computed a part of each', async () => {
  await ready();
  try {
    for (const name of listBackends()) {
      const be = backendNamed(name);
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        await ready();
        const jobsBefore = workerJobs();
        let products = 0;
        for (const dtype of dtypes) {
          const [m, k, n] = [161, 163, 167]; // 4.4M multiply-adds ≥ 2^22
          for (const [tA, tB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ]) {
            const a = data(dtype, m * k + 7);
            const b = data(dtype, k * n + 3);
            const out = alloc(dtype, m * n + 5);
            be.matmul(a, b, out, { m, k, n, transA: tA, transB: tB, aOffset: 7, bOffset: 3, outOffset: 5 });
            const want = naiveMatmul(a, b, m, k, n, tA, tB, 7, 3);
            assertClose(
              out.subarray(5),
              want,
              () => 4 * k * eps(dtype),
              `${name} ${threads} threads ${tA}/${tB} ${dtype}`,
            );
            products++;
          }
        }
        // On two threads the wasm backend splits each product with one worker, which computes
        // the other half; on one thread (and on js) no worker takes part.
        const byWorkers = workerJobs() - jobsBefore;
        assert.equal(
          byWorkers,
          name === 'wasm' && threads === 2 ? products : 0,
          `${name}, ${threads} threads: ${byWorkers} of ${products} products had a part computed by a worker`,
        );
      }
    }
  } finally {
    setNumThreads(2);
    setBackend(listBackends().includes('wasm') ? 'wasm' : 'js');
  }
});

test('a product too large for wasm memory falls back to the js kernel instead of failing', () => {
  const be = backendNamed(listBackends().includes('wasm') ? 'wasm' : 'js');
  const k = 40_000_000; // [1,k]·[k,1]: the padded panels would need more than 2 GiB of scratch
  const a = new Float32Array(k).fill(1);
  const b = new Float32Array(k).fill(1);
  const out = new Float32Array(1);
  be.matmul(a, b, out, { m: 1, k, n: 1, transA: false, transB: false, aOffset: 0, bOffset: 0, outOffset: 0 });
  assert.equal(out[0], k);
});

test('when a shared memory cannot be allocated, the wasm backend still loads, without threads', () => {
  const entry = new URL('../../src/index.js', import.meta.url).href;
  const script = `
    const Memory = WebAssembly.Memory;
    WebAssembly.Memory = function (d) { if (d.shared) throw new RangeError('no shared memory here'); return new Memory(d); };
    const nabla = await import(${JSON.stringify(entry)});
    await nabla.ready();
    console.log(JSON.stringify({ backend: nabla.getBackend(), product: nabla.tensor([[1, 2]]).matmul(nabla.tensor([[3], [4]])).item() }));`;
  // Without the native addon (NABLA_NATIVE=0), wasm is the default this test looks at.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_NATIVE: '0' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { backend: 'wasm', product: 11 });
});

test("setBackend('native') where the addon did not load says why", () => {
  const entry = new URL('../../src/index.js', import.meta.url).href;
  const script = `
    const nabla = await import(${JSON.stringify(entry)});
    try { await nabla.setBackend('native'); } catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_NATIVE: '0' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^setBackend: the native backend did not load here \(NABLA_NATIVE=0\); available: js, wasm/);
});

// The kernels that compute each value on its own split large work over threads (native's OpenMP
// maps and binaries): at any thread count each value is still one operation, so the bits are
// js's, at 1 thread and at 2.
test('per-value kernels above the threading size give js bits at 1 and 2 threads', () => {
  const shapes: [Shape, Shape, Shape][] = [
    [[200_003], [200_003], [200_003]],
    [[300, 257], [257], [300, 257]],
    [
      [60, 1, 1200],
      [1, 2, 1200],
      [60, 2, 1200],
    ],
    [
      [3, 40_000, 1],
      [3, 1, 2],
      [3, 40_000, 2],
    ],
  ];
  const before = settings.numThreads;
  try {
    for (const name of listBackends()) {
      const be = backendNamed(name);
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        for (const dtype of dtypes) {
          for (const [as, bs, os] of shapes) {
            const [a, b] = [data(dtype, sizeOf(as)), data(dtype, sizeOf(bs))];
            for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
              const [want, got] = [alloc(dtype, sizeOf(os)), alloc(dtype, sizeOf(os))];
              jsBackend.binary(op, a, as, b, bs, want, os);
              be.binary(op, a, as, b, bs, got, os);
              assert.deepEqual(got, want, `${name} ${threads} threads ${dtype} ${op} [${as}] [${bs}]`);
            }
          }
        }
      }
    }
  } finally {
    settings.numThreads = before;
    for (const f of threadCountListeners) f();
    setBackend(listBackends().includes('wasm') ? 'wasm' : 'js');
  }
});
