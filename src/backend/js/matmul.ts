// Register-tiled matrix product for the js backend: each pass of the inner loop keeps a 4×4
// block of C in sixteen locals, so every loaded element of A and B is used four times.
// Transposes are absorbed by strides: A(i,p) = a[i·asi + p·asp], B(p,j) = b[p·bsp + j·bsj].

import type { Data, MatmulArgs } from '../contract.js';

export function matmul(a: Data, b: Data, out: Data, args: MatmulArgs): void {
  const { m, k, n, transA, transB, aOffset, bOffset, outOffset } = args;
  const asi = transA ? 1 : k;
  const asp = transA ? m : 1;
  const bsp = transB ? 1 : n;
  const bsj = transB ? k : 1;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOffset + i * asi;
    const a1 = a0 + asi;
    const a2 = a1 + asi;
    const a3 = a2 + asi;
    for (let j = 0; j < n4; j += 4) {
      const bj = bOffset + j * bsj;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < k; p++) {
        const pa = p * asp;
        const x0 = a[a0 + pa],
          x1 = a[a1 + pa],
          x2 = a[a2 + pa],
          x3 = a[a3 + pa];
        const pb = bj + p * bsp;
        const y0 = b[pb],
          y1 = b[pb + bsj],
          y2 = b[pb + 2 * bsj],
          y3 = b[pb + 3 * bsj];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      let o = outOffset + i * n + j;
      out[o] = c00;
      out[o + 1] = c01;
      out[o + 2] = c02;
      out[o + 3] = c03;
      o += n;
      out[o] = c10;
      out[o + 1] = c11;
      out[o + 2] = c12;
      out[o + 3] = c13;
      o += n;
      out[o] = c20;
      out[o + 1] = c21;
      out[o + 2] = c22;
      out[o + 3] = c23;
      o += n;
      out[o] = c30;
      out[o + 1] = c31;
      out[o + 2] = c32;
      out[o + 3] = c33;
    }
  }
  // Edges: the rows below m4 (all columns) and the columns right of n4 (rows above m4).
  edge(a, b, out, args, asi, asp, bsp, bsj, m4, m, 0, n);
  edge(a, b, out, args, asi, asp, bsp, bsj, 0, m4, n4, n);
  epilogue(out, args);
}

/** The bias and ReLU epilogue on a finished product in out (as the add and relu kernels). */
function epilogue(out: Data, args: MatmulArgs): void {
  const { m, n, outOffset, bias, relu } = args;
  if (!bias && !relu) return;
  const bo = args.biasOffset ?? 0;
  for (let i = 0; i < m; i++) {
    const o = outOffset + i * n;
    for (let j = 0; j < n; j++) {
      let v = out[o + j];
      if (bias) out[o + j] = v = v + bias[bo + j];
      if (relu) out[o + j] = v < 0 ? 0 : v;
    }
  }
}

function edge(
  a: Data,
  b: Data,
  out: Data,
  args: MatmulArgs,
  asi: number,
  asp: number,
  bsp: number,
  bsj: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
): void {
  const { k, n, aOffset, bOffset, outOffset } = args;
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOffset + i * asi + p * asp] * b[bOffset + p * bsp + j * bsj];
      out[outOffset + i * n + j] = s;
    }
  }
}
