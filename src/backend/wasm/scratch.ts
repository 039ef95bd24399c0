// Scratch layout for one kernel call: consecutive 64-byte-aligned blocks from rt.scratch, and
// the copies in and out of them. Nothing in the scratch outlives the call.

import type { Data } from '../contract.js';
import { small } from '../settings.js';
import type { Runtime } from './runtime.js';

export const align = (x: number) => Math.ceil(x / 64) * 64; // not a bit mask: offsets may pass 2^31

/**
 * Byte offsets of blocks of the given byte sizes, the memory grown to hold them; null when
 * wasm memory cannot hold them (the caller then hands the work to js).
 */
export function carve(rt: Runtime, ...bytes: number[]): number[] | null {
  const ptrs: number[] = [];
  let p = rt.scratch;
  for (const b of bytes) {
    ptrs.push(p);
    p = align(p + b);
  }
  try {
    rt.ensure(p);
  } catch {
    return null;
  }
  return ptrs;
}

/** carve's blocks for work of n elements, or null below the hand-off threshold min (see small). */
export function claim(rt: Runtime, n: number, min: number, ...bytes: number[]): number[] | null {
  return small(n, min) ? null : carve(rt, ...bytes);
}

/** Copies d into wasm memory at byte offset ptr, as f64 or f32 elements. */
export function put(rt: Runtime, d: ArrayLike<number> & Data, ptr: number, f64: boolean): void {
  if (f64) rt.f64.set(d, ptr / 8);
  else rt.f32.set(d, ptr / 4);
}

/** n elements of wasm memory at byte offset ptr, as f64 or f32 (a view, valid until memory grows). */
export function view(rt: Runtime, ptr: number, n: number, f64: boolean): Data {
  return f64 ? rt.f64.subarray(ptr / 8, ptr / 8 + n) : rt.f32.subarray(ptr / 4, ptr / 4 + n);
}

/** Writes i32 values at byte offset ptr. */
export function putInts(rt: Runtime, values: ArrayLike<number>, ptr: number): void {
  rt.i32.set(values, ptr / 4);
}
