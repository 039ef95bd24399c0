// The js backend's row gathers and scatters (embedding lookups and their adjoint) and the
// elementwise select of `where`.

import type { Data } from '../contract.js';

export function gatherRows(table: Data, idx: Int32Array, cols: number, out: Data): void {
  for (let r = 0; r < idx.length; r++) out.set(table.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
}

export function scatterAddRows(g: Data, idx: Int32Array, cols: number, skip: number, out: Data): void {
  for (let r = 0; r < idx.length; r++) {
    if (idx[r] === skip) continue;
    const from = r * cols;
    const to = idx[r] * cols;
    for (let c = 0; c < cols; c++) out[to + c] += g[from + c];
  }
}

export function where(cond: Uint8Array, a: Data, b: Data, out: Data): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] ? a[i] : b[i];
}
