// im2col, col2im and place on every backend listBackends() offers, against the js kernels, bit
// for bit: im2col and place only copy; col2im adds each patch entry into its pixel in js's order
// on wasm (kernels/patches.ts), so its sums are the same bits too. Both dtypes, with the
// backends' hand-off of small work to js on and off, on geometries with padding 0/1/2,
// asymmetric padding, strides 1–3, dilation 1–2, kernels as large as the input and 1×1, batch
// and channels 1 and several, sizes on both sides of the wasm thresholds, and padValue −∞ (max
// pooling's); place at negative and positive offsets, rank 0–4, with full, partial and no overlap.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/index.js'; // registers every backend the engine can run
import { arrayKernels, listBackends, ownKernels, ready, setBackend } from '../../src/backend/index.js';
import type { Data, DType, PatchGeometry } from '../../src/backend/contract.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { settings } from '../../src/backend/settings.js';
import { MIN } from '../../src/backend/wasm/patches.js';
import { sizeOf, type Shape } from '../../src/shape.js';

const dtypes: DType[] = ['float32', 'float64'];
let seed = 4321;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
function data(dtype: DType, n: number): Data {
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = -2 + 4 * rnd();
  return d;
}

/** A copy of d that starts one element into a larger array (a byteOffset that is not a multiple of 8 for float32). */
function shifted(d: Data): Data {
  const big = d instanceof Float64Array ? new Float64Array(d.length + 1) : new Float32Array(d.length + 1);
  big.set(d, 1);
  return big.subarray(1);
}

/** Bit for bit (−0 and +0 differ, NaNs compare by payload). */
function assertSameBits(got: Data, want: Data, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const g = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const w = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) {
      const e = Math.floor(i / got.BYTES_PER_ELEMENT);
      assert.fail(`${what}[${e}]: ${got[e]}, js ${want[e]}`);
    }
  }
}

/**
 * [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft,
 * padBottom, padRight, dilationH, dilationW]; the bottom and right pads give outH and outW.
 */
type Geo = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
function geometry([
  batch,
  channels,
  height,
  width,
  kernelH,
  kernelW,
  strideH,
  strideW,
  padTop,
  padLeft,
  padBottom,
  padRight,
  dilationH,
  dilationW,
]: Geo): PatchGeometry {
  const outH = Math.floor((height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  return {
    batch,
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  };
}
const geometries: Geo[] = [
  [1, 1, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1], // padding 0, one image, one channel
  [2, 3, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1], // padding 1
  [3, 2, 9, 8, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1], // padding 2
  [2, 2, 8, 8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1], // stride 2, asymmetric padding
  [1, 3, 10, 11, 3, 2, 3, 3, 2, 1, 0, 2, 1, 1], // stride 3, every pad different
  [2, 2, 9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2], // dilation 2
  [2, 3, 10, 13, 3, 2, 2, 3, 1, 2, 2, 0, 2, 1], // unequal strides and dilations
  [2, 1, 7, 7, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1], // 2×2 pooling window, the last row and column dropped
  [3, 2, 6, 5, 6, 5, 1, 1, 0, 0, 0, 0, 1, 1], // kernel = input: one output position
  [2, 2, 3, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1], // kernel larger than the input, padded
  [2, 4, 6, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1], // 1×1
  [2, 4, 7, 9, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1], // 1×1, stride 2
  [1, 2, 2, 2, 3, 3, 1, 1, 2, 2, 2, 2, 1, 1], // rows and columns of padding only
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1], // one element
  // Above the wasm thresholds (SIMD runs of stride 1 and 2 with tails):
  [4, 3, 17, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
  [2, 8, 16, 21, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1],
  [2, 3, 20, 23, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2],
  [8, 4, 12, 18, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
  [3, 5, 15, 27, 3, 3, 3, 3, 1, 0, 2, 1, 1, 1],
  [2, 6, 13, 30, 3, 5, 2, 2, 1, 2, 1, 2, 1, 2],
  [16, 1, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
];

const placeCases: [Shape, Shape, number[]][] = [
  [[], [], []],
  [[5], [9], [2]],
  [[5], [3], [-1]],
  [[5], [3], [-7]],
  [[5], [5], [5]],
  [[3000], [3100], [-50]],
  [
    [3, 4],
    [5, 6],
    [1, 1],
  ],
  [
    [3, 4],
    [3, 10],
    [0, 4],
  ],
  [
    [3, 4],
    [9, 4],
    [3, 0],
  ],
  [
    [3, 4],
    [2, 3],
    [-1, -2],
  ],
  [
    [3, 4],
    [5, 6],
    [4, -1],
  ],
  [
    [3, 4],
    [5, 6],
    [5, 0],
  ],
  [
    [3, 4],
    [5, 6],
    [0, -4],
  ],
  [
    [2048, 1],
    [2048, 3],
    [0, 2],
  ],
  [
    [700, 3],
    [700, 8],
    [0, 5],
  ],
  [
    [60, 50],
    [64, 54],
    [2, 2],
  ],
  [
    [2, 3, 4],
    [4, 5, 6],
    [1, 1, 1],
  ],
  [
    [2, 3, 4],
    [2, 3, 12],
    [0, 0, 8],
  ],
  [
    [2, 1, 4],
    [2, 3, 4],
    [0, 2, 0],
  ],
  [
    [4, 5, 6],
    [2, 3, 4],
    [-1, -1, -1],
  ],
  [
    [4, 5, 6],
    [2, 3, 4],
    [-1, 3, -1],
  ],
  [
    [0, 3, 2],
    [2, 3, 2],
    [0, 0, 0],
  ],
  [
    [2, 3, 4, 5],
    [2, 3, 6, 7],
    [0, 0, 1, 1],
  ],
  [
    [2, 3, 4, 5],
    [2, 8, 4, 5],
    [0, 5, 0, 0],
  ],
  [
    [2, 3, 4, 5],
    [3, 3, 3, 3],
    [-1, 1, -2, 2],
  ],
  [
    [2, 3, 4, 5],
    [2, 3, 0, 5],
    [0, 0, 0, 0],
  ],
  [
    [4, 8, 28, 28],
    [4, 8, 30, 30],
    [0, 0, 1, 1],
  ],
  [
    [4, 8, 30, 30],
    [4, 8, 28, 28],
    [0, 0, -1, -1],
  ],
  [
    [3, 16, 14, 14],
    [3, 40, 14, 14],
    [0, 20, 0, 0],
  ],
  [
    [8, 6, 10, 12],
    [9, 5, 11, 10],
    [2, -2, 3, -4],
  ],
];

test('the wasm backend runs im2col, col2im and place itself', async (t) => {
  await ready();
  if (!listBackends().includes('wasm')) return t.skip('no wasm on this engine');
  const own = ownKernels('wasm');
  for (const k of ['im2col', 'col2im', 'place'] as const) assert.ok(own.includes(k), `wasm lacks ${k}`);
  // The cases reach both sides of the thresholds.
  const sizes = geometries.map((g) => {
    const p = geometry(g);
    return p.channels * p.kernelH * p.kernelW * p.batch * p.outH * p.outW;
  });
  assert.ok(sizes.some((n) => n < MIN.im2col) && sizes.some((n) => n >= 4 * MIN.im2col));
  assert.ok(placeCases.some(([xs]) => sizeOf(xs) >= 4 * MIN.place));
});

for (const name of ['js', 'wasm']) {
  test(`im2col, col2im and place on the ${name} backend match js bit for bit`, async (t) => {
    await ready();
    if (!listBackends().includes(name)) return t.skip(`${name} is not available on this engine`);
    setBackend(name);
    const be = arrayKernels();
    try {
      for (const handOff of [true, false])
        for (const dtype of dtypes) {
          settings.handOff = handOff;
          const before = settings.handOffs;
          const tag = `${dtype}${handOff ? '' : ', no hand-off'}`;
          for (const [gi, gv] of geometries.entries()) {
            const g = geometry(gv);
            const nx = g.batch * g.channels * g.height * g.width;
            const n = g.channels * g.kernelH * g.kernelW * g.batch * g.outH * g.outW;
            // Every other case on arrays that start one element into their buffer.
            const at = gi % 2 ? shifted : (d: Data) => d.slice();
            const x = at(data(dtype, nx));
            for (const padValue of [0, -Infinity, 1.1]) {
              const want = data(dtype, n); // garbage that both kernels must overwrite
              const got = at(want);
              jsBackend.im2col(x, g, padValue, want);
              be.im2col(x, g, padValue, got);
              assertSameBits(got, want, `im2col [${gv}] pad ${padValue} ${tag}`);
            }
            const cols = at(data(dtype, n));
            const want = data(dtype, nx);
            const got = at(want);
            jsBackend.col2im(cols, g, want);
            be.col2im(cols, g, got);
            assertSameBits(got, want, `col2im [${gv}] ${tag}`);
          }
          for (const [pi, [xs, os, offset]] of placeCases.entries()) {
            const at = pi % 2 ? shifted : (d: Data) => d.slice();
            const x = at(data(dtype, sizeOf(xs)));
            const want = data(dtype, sizeOf(os)); // what is not placed over must survive
            const got = at(want);
            jsBackend.place(x, xs, want, os, offset);
            be.place(x, xs, got, os, offset);
            assertSameBits(got, want, `place [${xs}] into [${os}] at [${offset}] ${tag}`);
          }
          // Without the hand-off, a backend's own kernels run at every size.
          if (!handOff) assert.equal(settings.handOffs, before, `${name} ${tag}: calls handed off to js`);
        }
    } finally {
      settings.handOff = true;
      setBackend('js');
    }
  });
}
