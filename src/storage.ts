// Tensor memory: allocation of the typed arrays tensors own, and the write versions backends
// use to reuse work derived from data that has not changed. Nothing above tensors lives here.

import type { Data, DType } from './backend/contract.js';

export function allocData(dtype: DType, n: number): Data {
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (allocations) allocations.add(d);
  return d;
}

// While a backward pass runs, the arrays allocated by ops (autograd/engine.ts: a leaf may keep
// a gradient made in its own pass instead of copying it). null outside backward passes.
let allocations: WeakSet<Data> | null = null;

/** Starts (with a set) or stops (null) recording allocData's arrays; returns the previous set. */
export function recordAllocations(set: WeakSet<Data> | null): WeakSet<Data> | null {
  const previous = allocations;
  allocations = set;
  return previous;
}

// Write versions of tensor data, per ArrayBuffer (so every tensor and view sharing the memory
// shares the count). Every in-place writer in nabla bumps it (optimizers, loadStateDict, the
// initialisers, gradcheck); backends may keep work derived from data whose version has not
// changed (the wasm backend keeps packed weight panels). Code that writes `.data` directly
// must call markChanged() afterwards.
const versions = new WeakMap<ArrayBufferLike, number>();

/** The write version of an array's memory: 0 until it is first marked changed. */
export function dataVersion(d: Data): number {
  return versions.get(d.buffer) ?? 0;
}

/** Records that an array's memory was written in place (see Tensor.markChanged). */
export function markDataChanged(d: Data): void {
  versions.set(d.buffer, (versions.get(d.buffer) ?? 0) + 1);
}
