// The shape metadata the native kernels read: one reusable Int32Array per call site, filled per
// call (no allocation on the hot path), holding [rank, then rank-long arrays...].

import type { Shape } from '../../shape.js';

export const MAX_RANK = 32; // as in native/src

export class Meta {
  private buffer = new Int32Array(1 + 4 * MAX_RANK);

  /** [rank, ...arrays] in the buffer; a view of the used part (the kernels check every entry). */
  fill(rank: number, ...arrays: readonly (readonly number[] | Shape)[]): Int32Array {
    if (rank > MAX_RANK) throw new Error(`native backend: tensors of rank ${rank} are beyond its ${MAX_RANK} axes`);
    const b = this.buffer;
    b[0] = rank;
    let o = 1;
    for (const a of arrays) for (let d = 0; d < rank; d++) b[o++] = a[d];
    return b.subarray(0, o);
  }
}
