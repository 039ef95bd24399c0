// A row of a matrix product must not depend on how many rows are computed with it: the wasm
// backend runs rows past the last full MR-row panel (2 rows for f32) on a row kernel (batch-1 inference) and
// promises the same sums as its blocked kernel. Bit for bit, on the js and wasm backends, both transposes
// of A, a depth past one 256-long cache block, products large enough (k·n ≥ 4,096) that even one row leaves the js fallback.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, setBackend } from '../../src/index.js';
import { arrayKernels } from '../../src/backend/index.js';

function data(n: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

// Not native: OpenBLAS's edge micro-kernels sum a partial tile in another order than a full one,
// so a row's bits depend on the rows around it there (native/README.md); its rows agree to rounding.
for (const name of listBackends().filter((b) => b !== 'native')) {
  test(`rows of a product are the same bits at any batch size (${name})`, () => {
    setBackend(name);
    const be = arrayKernels();
    for (const [m, k, n] of [
      [13, 600, 37],
      [8, 784, 128],
      [7, 100, 50],
    ] as const) {
      for (const transA of [false, true]) {
        const a = data(m * k, m + k);
        const b = data(k * n, n);
        const full = new Float32Array(m * n);
        be.matmul(a, b, full, { m, k, n, transA, transB: false, aOffset: 0, bOffset: 0, outOffset: 0 });
        for (const rows of [1, 2, 5, 6, 7]) {
          if (rows > m) continue;
          // The first `rows` rows alone, A taken as stored (for transA, the first columns of aᵀ).
          const part = new Float32Array(rows * k);
          for (let i = 0; i < rows; i++)
            for (let p = 0; p < k; p++) part[transA ? p * rows + i : i * k + p] = transA ? a[p * m + i] : a[i * k + p];
          const got = new Float32Array(rows * n);
          be.matmul(part, b, got, { m: rows, k, n, transA, transB: false, aOffset: 0, bOffset: 0, outOffset: 0 });
          assert.deepEqual(got, full.subarray(0, rows * n), `${m}x${k}x${n} transA=${transA}, first ${rows} rows`);
        }
      }
    }
  });
}
