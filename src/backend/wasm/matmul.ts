// The wasm matrix product: copy the operands into the arena (one memcpy each), pack them there
// in wasm (absorbing the transposes), run the blocked SIMD kernel on one or more threads, copy
// the valid part of the padded result out. Tiny products stay in JS, where no copy is needed.
// B operands marked unchanged (args.bVersion: parameters) keep their packed panels in wasm
// memory between calls (panels.ts), so an unchanged weight is copied and packed only once.

import type { Data, MatmulArgs } from '../contract.js';
import { settings, small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Pool } from './pool.js';
import { PanelCache } from './panels.js';
import type { Runtime } from './runtime.js';
import { align } from './scratch.js';

/** Below this many multiply-adds the js kernel runs (bench/KERNELS.md, "Other thresholds"). */
export const WASM_MIN_MACS = 4096;
/** From this many multiply-adds on (~160³), products are split over the worker threads (bench/KERNELS.md). */
export const THREADS_MIN_MACS = 1 << 22;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/** The latest measureFma outcomes (null: not measured: no relaxed SIMD, deterministic, or no product yet); for reports. */
export const fmaChoice: { f32: boolean | null; f64: boolean | null } = { f32: null, f64: null };

/**
 * Whether relaxed-SIMD FMA (one rounding per multiply-add) runs this machine's micro-kernel faster
 * than a multiply and an add: no fixed rule holds (on an AMD EPYC under V8 the 2×16 f32 kernel ran
 * ~1.3× faster fused; elsewhere FMA latency or port use can make it slower), so it is measured
 * once per dtype, at the first product that needs it, before any product uses either path (so a
 * process never mixes the two roundings). The two kernels alternate on a small packed product in
 * the arena until both have left V8's baseline tier (Liftoff runs them ~5× slower, and each tiers up
 * on its own schedule): that is taken to be when neither is more than twice the other's best and
 * both have stayed within 30% of their best for the last few samples. If that has not happened after
 * 30 ms (a loaded machine, a clock too coarse to tell), mul+add stays.
 */
export function measureFma(rt: Runtime, f32: boolean): boolean {
  const k = rt.exports;
  const sz = f32 ? 4 : 8;
  const [m, depth, n] = f32 ? [16, 256, 64] : [8, 128, 32];
  const ap = rt.scratch;
  const bp = align(ap + m * depth * sz);
  const c = align(bp + depth * n * sz);
  rt.ensure(c + m * n * sz);
  // Ordinary values (no denormals, no NaN from whatever the arena held).
  if (f32) rt.f32.fill(0.5, ap / 4, c / 4);
  else rt.f64.fill(0.5, ap / 8, c / 8);
  const run = [f32 ? k.gemm32Plain : k.gemm64Plain, f32 ? k.gemm32Fused : k.gemm64Fused];
  const times: number[][] = [[], []];
  const best = [Infinity, Infinity];
  const deadline = performance.now() + 30;
  const last = 6;
  while (performance.now() < deadline) {
    for (let v = 0; v < 2; v++) {
      // Four calls per sample (~0.1 ms here), so that a browser's coarsened clock still resolves it.
      const t0 = performance.now();
      for (let r = 0; r < 4; r++) run[v](ap, bp, c, n, depth, 0, m, 0, n);
      const t = performance.now() - t0;
      times[v].push(t);
      best[v] = Math.min(best[v], t);
    }
    if (times[0].length < 2 * last) continue;
    const settled = times.every((ts, v) => ts.slice(-last).every((t) => t <= 1.3 * best[v]));
    if (settled && best[0] <= 2 * best[1] && best[1] <= 2 * best[0]) return best[1] < 0.95 * best[0];
  }
  return false;
}

export function makeMatmul(rt: Runtime, pool: () => Pool | null, cores: () => number) {
  const k = rt.exports;
  const panels = new PanelCache(rt);
  // Per dtype: FMA measured faster than mul+add here (null until the first product that asks).
  let fma32: boolean | null = null;
  let fma64: boolean | null = null;
  const fma = (f32: boolean): boolean => {
    if (f32) return (fma32 ??= fmaChoice.f32 = measureFma(rt, true));
    return (fma64 ??= fmaChoice.f64 = measureFma(rt, false));
  };
  return function matmul(a: Data, b: Data, out: Data, args: MatmulArgs): void {
    const { m, k: depth, n, transA, transB, aOffset, bOffset, outOffset, bVersion } = args;
    if (small(m * n * depth, WASM_MIN_MACS)) {
      return toJs('matmul')(a, b, out, args);
    }
    const f32 = out instanceof Float32Array;
    // Measured before the arena is filled (the measurement uses it too).
    let fused = rt.relaxed && !settings.deterministic;
    if (fused) fused = fma(f32);
    const sz = f32 ? 4 : 8;
    const mr = f32 ? 2 : 4; // the micro-tile: 2×16 for f32, 4×4 for f64 (kernels/matmul.ts)
    const nr = f32 ? 16 : 4;
    const mp = roundUp(m, mr);
    const np = roundUp(n, nr);
    // Only a whole-array B is cached (a batch of weights sliced by offset is packed each call).
    const slot =
      bVersion !== undefined && bOffset === 0 && b.length === depth * n
        ? panels.slot(b, transB, depth, n, depth * np * sz)
        : null;
    const packB = !slot || slot.version !== bVersion;
    const aPtr = rt.scratch;
    const bPtr = align(aPtr + m * depth * sz);
    const apPtr = align(bPtr + (packB ? depth * n * sz : 0));
    const scratchBp = align(apPtr + mp * depth * sz);
    const bpPtr = slot ? slot.ptr : scratchBp;
    const cPtr = align(scratchBp + (slot ? 0 : depth * np * sz));
    const biasPtr = align(cPtr + mp * np * sz);
    try {
      rt.ensure(biasPtr + np * sz);
    } catch {
      // More scratch than wasm memory can hold (or the engine refuses to grow it): the js
      // kernel needs no scratch and gives the same sums.
      return toJs('matmul')(a, b, out, args);
    }
    const view = f32 ? rt.f32 : rt.f64;
    view.set(a.subarray(aOffset, aOffset + m * depth), aPtr / sz);
    const threads = Math.min(settings.numThreads ?? cores(), m * n * depth >= THREADS_MIN_MACS ? Infinity : 1);
    const p = threads > 1 ? pool() : null;
    // On one thread, f32 rows past the last full MR-row panel run gemmRows32 (same sums, no
    // padding: batch 1 would otherwise compute 2 rows for 1).
    const panelRows = p || !f32 ? m : m - (m % mr);
    // A(i,p) = a[i·si + p·sp], B(p,j) = b[p·sp + j·sj], as stored.
    const [asi, asp] = transA ? [1, m] : [depth, 1];
    if (f32) k.packA32(aPtr, asi, asp, panelRows, depth, apPtr);
    else k.packA64(aPtr, asi, asp, panelRows, depth, apPtr);
    if (packB) {
      view.set(b.subarray(bOffset, bOffset + depth * n), bPtr / sz);
      const [bsp, bsj] = transB ? [1, depth] : [n, 1];
      if (f32) k.packB32(bPtr, bsp, bsj, depth, n, bpPtr);
      else k.packB64(bPtr, bsp, bsj, depth, n, bpPtr);
      if (slot) slot.version = bVersion!;
    }
    if (p) {
      p.run({ kernel: f32 ? 0 : 1, ap: apPtr, bp: bpPtr, c: cPtr, k: depth, mp, np, mr, nr, fused }, threads);
    } else if (f32) {
      if (panelRows > 0) k.gemm32(apPtr, bpPtr, cPtr, np, depth, 0, panelRows, 0, np, fused ? 1 : 0);
      if (panelRows < m) k.gemmRows32(aPtr, asi, asp, bpPtr, cPtr, np, depth, panelRows, m, np, fused ? 1 : 0);
    } else {
      k.gemm64(apPtr, bpPtr, cPtr, np, depth, 0, mp, 0, np, fused ? 1 : 0);
    }
    const { bias, relu } = args;
    if (bias || relu) {
      if (bias) {
        const bo = args.biasOffset ?? 0;
        view.set(bias.subarray(bo, bo + n), biasPtr / sz);
        view.fill(0, biasPtr / sz + n, biasPtr / sz + np);
      }
      (f32 ? k.epilogue32 : k.epilogue64)(cPtr, np, m, np, biasPtr, bias ? 1 : 0, relu ? 1 : 0);
    }
    const c = cPtr / sz;
    if (np === n) out.set(view.subarray(c, c + m * n), outOffset);
    else for (let i = 0; i < m; i++) out.set(view.subarray(c + i * np, c + i * np + n), outOffset + i * n);
  };
}
