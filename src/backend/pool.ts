// Host arrays recycled by dtype and length: a training step makes the same outputs every step, so
// what fit's step scope releases (cells.ts releaseCells) comes back as the next step's outputs
// instead of fresh memory that the engine zero-fills and the garbage collector then collects.
// Only arrays this pool handed out return to it: an array a user or a file gave (hostCell) is
// never recycled, and one that gets wrapped by a second tensor (new Tensor(t.data)) is disowned.

import type { Data, DType } from './contract.js';
import { zeroData } from './zeros.js';

/** The most bytes the free lists hold; a release beyond it leaves the array to the collector. */
const POOL_MAX_BYTES = 1 << 30;

const free: Record<DType, Map<number, Data[]>> = { float32: new Map(), float64: new Map() };
const owned = new WeakSet<Data>();
let freeBytes = 0;

/** Test switch: arrays handed out unzeroed hold NaN, so that a kernel that does not write its output whole shows. */
export const poolDebug = { poison: false };

/**
 * An array of `n` values of dtype, from the free lists when one of that length is there, else
 * new; zero-filled when `zeroed`, else holding whatever it held (for an output written whole).
 */
export function takeData(dtype: DType, n: number, zeroed: boolean): Data {
  const d = free[dtype].get(n)?.pop();
  if (d) {
    freeBytes -= d.byteLength;
    if (zeroed) d.fill(0);
    else if (poolDebug.poison) d.fill(NaN);
    return d;
  }
  const fresh = zeroData(dtype, n);
  if (!zeroed && poolDebug.poison) fresh.fill(NaN);
  owned.add(fresh);
  return fresh;
}

/** Returns an array to the free lists; false (and nothing done) for one the pool does not own. */
export function recycleData(d: Data): boolean {
  if (!owned.has(d)) return false;
  if (freeBytes + d.byteLength <= POOL_MAX_BYTES) {
    const lists = free[d instanceof Float64Array ? 'float64' : 'float32'];
    let list = lists.get(d.length);
    if (!list) lists.set(d.length, (list = []));
    list.push(d);
    freeBytes += d.byteLength;
  } else owned.delete(d);
  return true;
}

/** Marks an array as shared beyond its cell (another tensor wraps it): it never returns to the pool. */
export function disown(d: Data): void {
  owned.delete(d);
}
